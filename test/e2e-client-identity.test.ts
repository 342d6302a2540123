/**
 * Issue 14 end to end: the real daemon configured with the real tmsh, a real Postfix as the member
 * with `smtpd_upstream_proxy_protocol = haproxy`, and swaks bound to 127.0.0.5 as the client.
 * Postfix's log and the Received: header it writes must name 127.0.0.5, not the proxy. With a
 * server-ssl profile the header still comes first: before the proxy's STARTTLS to the member, and
 * before the TLS handshake with a port-465 member.
 */
import { randomInt } from 'node:crypto';
import { makeTestPki } from './support/pki';
import { createOpenltm, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { startPostfix, type PrivatePostfix } from './support/postfix';
import { swaks } from './support/swaks';

let ltm: OpenltmInstance;
let postfix: PrivatePostfix;
// A loopback address of its own, so port 465 is free for this test's Postfix.
const implicitAddress = `127.${randomInt(1, 250)}.${randomInt(1, 250)}.${randomInt(2, 250)}`;
const ports = { v1: 0, v2: 0, v2starttls: 0, v2implicit: 0 };

beforeAll(async () => {
  const pki = await makeTestPki();
  const server = await pki.issue('mx.backend.test', { usage: 'server', altNames: ['DNS:mx.backend.test'] });
  postfix = await startPostfix({
    tls: { certFile: server.certFile, keyFile: server.keyFile, level: 'may', implicitAddress },
    main: { smtpd_upstream_proxy_protocol: 'haproxy' },
  });
  ltm = createOpenltm();
  for (const k of Object.keys(ports) as Array<keyof typeof ports>) ports[k] = await freePort();
  await ltm.tmshOk(`create ltm pool p_pf members replace-all-with { 127.0.0.1:${postfix.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk(`create ltm pool p_465 members replace-all-with { ${implicitAddress}:465 { address ${implicitAddress} } }`);
  await ltm.tmshOk('create ltm profile server-ssl ss_plain');
  await ltm.tmshOk('create ltm profile smtps s_v1 activation-mode none client-identity proxy-v1');
  await ltm.tmshOk('create ltm profile smtps s_v2 activation-mode none client-identity proxy-v2');
  const vs = (name: string, port: number, pool: string, profiles: string) =>
    ltm.tmshOk(`create ltm virtual ${name} destination 127.0.0.1:${port} pool ${pool} profiles replace-all-with { /Common/tcp { } ${profiles} }`);
  await vs('vs_v1', ports.v1, 'p_pf', 's_v1 { }');
  await vs('vs_v2', ports.v2, 'p_pf', 's_v2 { }');
  await vs('vs_v2starttls', ports.v2starttls, 'p_pf', 's_v2 { } ss_plain { context serverside }');
  await vs('vs_v2implicit', ports.v2implicit, 'p_465', 's_v2 { } ss_plain { context serverside }');
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
  ['proxy-v2 then STARTTLS to the member (server-ssl)', 'v2starttls'],
  ['proxy-v2 then TLS from the first byte to a port-465 member (server-ssl)', 'v2implicit'],
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
  // Over server-ssl the member's hop really was TLS: Postfix writes "with ESMTPS".
  expect(/ with ESMTPS? /.exec(received)?.[0]).toBe(key === 'v1' || key === 'v2' ? ' with ESMTP ' : ' with ESMTPS ');
  expect(connects()).toBe(before + 1);
}, 30_000);

it('the setting is listed, and a value openltm cannot honour is refused with a BIG-IP-style error', async () => {
  expect(await ltm.tmshOk('list ltm profile smtps s_v2')).toContain('client-identity proxy-v2');
  const bad = await ltm.tmsh('modify ltm profile smtps s_v2 client-identity xforward');
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/client-identity/);
  expect(await ltm.tmshOk('list ltm profile smtps s_v2')).toContain('client-identity proxy-v2');
});
