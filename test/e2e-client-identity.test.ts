/**
 * Issue 14 end to end: the real daemon configured with the real tmsh, a real Postfix as the member
 * with `smtpd_upstream_proxy_protocol = haproxy`, and swaks bound to 127.0.0.5 as the client.
 * Postfix's log and the Received: header it writes must name 127.0.0.5, not the proxy.
 */
import { createOpenltm, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { startPostfix, type PrivatePostfix } from './support/postfix';
import { swaks } from './support/swaks';

let ltm: OpenltmInstance;
let postfix: PrivatePostfix;
const ports = { v1: 0, v2: 0 };

beforeAll(async () => {
  postfix = await startPostfix({ main: { smtpd_upstream_proxy_protocol: 'haproxy' } });
  ltm = createOpenltm();
  ports.v1 = await freePort();
  ports.v2 = await freePort();
  await ltm.tmshOk(`create ltm pool p_pf members replace-all-with { 127.0.0.1:${postfix.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk('create ltm profile smtps s_v1 activation-mode none client-identity proxy-v1');
  await ltm.tmshOk('create ltm profile smtps s_v2 activation-mode none client-identity proxy-v2');
  const vs = (name: string, port: number, smtps: string) =>
    ltm.tmshOk(`create ltm virtual ${name} destination 127.0.0.1:${port} pool p_pf profiles replace-all-with { /Common/tcp { } ${smtps} { } }`);
  await vs('vs_v1', ports.v1, 's_v1');
  await vs('vs_v2', ports.v2, 's_v2');
  await ltm.startDaemon();
  for (const p of Object.values(ports)) await waitForListen(p, { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  await ltm?.stop();
  await postfix?.stop();
});

it.each([
  ['proxy-v1', 'v1'],
  ['proxy-v2', 'v2'],
] as const)('client-identity %s: Postfix logs "connect from unknown[127.0.0.5]" and writes it in Received:', async (_name, key) => {
  const connects = () => postfix.maillog().split(': connect from unknown[127.0.0.5]').length - 1;
  const before = connects();
  const queued = (await postfix.messages()).length;
  const subject = `identity ${key}`;
  const r = await swaks({ port: ports[key], subject, args: ['--local-interface', '127.0.0.5'] });
  expect(r.code).toBe(0);
  await postfix.waitForMessages(queued + 1);
  const msg = (await postfix.messages()).find((m) => m.content.includes(`Subject: ${subject}`));
  expect(msg).toBeDefined();
  const received = /^Received: [\s\S]*?(?=\n\S)/m.exec(msg!.content)![0];
  expect(received).toContain('[127.0.0.5]');
  expect(received).not.toContain('[127.0.0.1]');
  expect(connects()).toBe(before + 1);
}, 30_000);

it('the setting is listed, and a value openltm cannot honour is refused with a BIG-IP-style error', async () => {
  expect(await ltm.tmshOk('list ltm profile smtps s_v2')).toContain('client-identity proxy-v2');
  const bad = await ltm.tmsh('modify ltm profile smtps s_v2 client-identity xforward');
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/client-identity/);
  expect(await ltm.tmshOk('list ltm profile smtps s_v2')).toContain('client-identity proxy-v2');
});
