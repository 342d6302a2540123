/**
 * The seed scenario end to end (tmsh.md section 8, on loopback): an smtps profile in require mode,
 * a client-ssl profile with an imported certificate, a pool of two real Postfix backends, and the
 * virtual, all typed with the real `tmsh -c` while the real `openltm daemon` runs. A client sends
 * mail over STARTTLS and it arrives intact; `show` counts it; disabling refuses new connections
 * while a running session finishes; delete removes the listener.
 */
import { connect, type Socket } from 'node:net';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { startPostfix, type PrivatePostfix } from './support/postfix';
import { makeSelfSignedCert, type TestCertificate } from './support/certs';
import { accepts, freePort } from './support/ports';
import { swaks } from './support/swaks';
import { expectAccepted } from './support/client-mode';

jest.setTimeout(60_000);

let ltm: OpenltmInstance;
let backends: PrivatePostfix[] = [];
let cert: TestCertificate;
let port: number;

/** A plaintext SMTP client kept open by the test: reads replies line by line. */
async function openSession(p: number): Promise<{ socket: Socket; send(line: string): Promise<string>; greeting: string }> {
  const socket = connect({ host: '127.0.0.1', port: p });
  let buffer = '';
  const waiters: Array<() => void> = [];
  socket.on('data', (d) => { buffer += d.toString('latin1'); waiters.splice(0).forEach((w) => w()); });
  const reply = async (): Promise<string> => {
    // A complete reply ends with a line whose 4th character is a space.
    while (!/(^|\r\n)\d{3} [^\r\n]*\r\n$/.test(buffer)) await new Promise<void>((r) => waiters.push(r));
    const out = buffer;
    buffer = '';
    return out;
  };
  const greeting = await reply();
  return { socket, greeting, send: async (line) => { socket.write(`${line}\r\n`); return reply(); } };
}

beforeAll(async () => {
  cert = await makeSelfSignedCert();
  backends = [await startPostfix(), await startPostfix()];
  ltm = createOpenltm();
  port = await freePort();
  await ltm.startDaemon();
  // The scenario, as an administrator types it (addresses on loopback).
  await ltm.tmshOk(`create sys file ssl-cert mail.crt source-path file:${cert.certFile}`);
  await ltm.tmshOk(`create sys file ssl-key mail.key source-path file:${cert.keyFile}`);
  await ltm.tmshOk('create ltm profile client-ssl my_cssl defaults-from clientssl cert-key-chain replace-all-with { default { cert mail.crt key mail.key } }');
  await ltm.tmshOk('create ltm profile smtps my_smtps defaults-from smtps activation-mode require');
  await ltm.tmshOk('create ltm monitor smtp smtp_mon defaults-from smtp domain example.com interval 1 timeout 4');
  await ltm.tmshOk(
    `create ltm pool smtp_pool monitor smtp_mon members replace-all-with { ${backends.map((b) => `127.0.0.1:${b.port} { address 127.0.0.1 }`).join(' ')} }`,
  );
});

afterAll(async () => {
  await ltm?.stop();
  await Promise.all(backends.map((b) => b.stop()));
  cert?.remove();
});

test('the listener accepts once the create is committed, applied by the daemon in one reconcile', async () => {
  expect(await accepts(port)).toBe(false);
  const logBefore = ltm.daemonLog().length;
  await ltm.tmshOk(
    `create ltm virtual vs_smtp destination 127.0.0.1:${port} ip-protocol tcp pool smtp_pool profiles replace-all-with { tcp { } my_smtps { } my_cssl { context clientside } } source-address-translation { type automap }`,
  );
  // How fast is a benchmark's question (bench/), not a test's on a loaded machine: wait for the event.
  const up = await eventually(() => accepts(port), (ok) => ok, 20_000, 20);
  expect(up).toBe(true);
  const log = ltm.daemonLog().slice(logBefore);
  expect(log).toContain('virtual server listening');
  // Opened at the first reconcile that saw it: no failure, no retry.
  expect(log).not.toMatch(/could not be applied|retry in/);
  expect(log.match(/virtual server listening/g)).toHaveLength(1);
});

test('mail sent over STARTTLS arrives intact at one of the two backends, and show counts it', async () => {
  const token = `seed-${Date.now()}`;
  const body = `Line one ${token}\r\n.leading dot stays\r\nCaf\u00e9 8-bit line`;
  const r = await swaks({ port, mode: 'starttls', subject: token, body });
  expectAccepted(r);
  expect(r.transcript).toMatch(/<~ {2}250/); // the replies after TLS came inside TLS

  const queued = await eventually(
    async () => (await Promise.all(backends.map((b) => b.messages()))).flat().filter((m) => m.content.includes(token)),
    (list) => list.length > 0,
  );
  expect(queued).toHaveLength(1);
  expect(queued[0].content).toContain(`Line one ${token}`);
  expect(queued[0].content).toContain('\n.leading dot stays');
  expect(queued[0].sender).toBe('sender@client.test');

  const show = await eventually(() => ltm.tmshOk('show ltm virtual vs_smtp raw'), (out) => /STARTTLS Upgraded\s+1\b/.test(out), 4000, 200);
  expect(show).toMatch(/Availability\s+: available/);
  // The readiness probe of the first test was a connection too; the message is the one request.
  expect(show).toMatch(/Total Connections\s+2\b/);
  expect(show).toMatch(/Total Requests\s+-\s+-\s+1\b/);
  expect(show).toMatch(/STARTTLS Upgraded\s+1\b/);
});

test('a client that does not upgrade is refused with 530 and nothing is relayed', async () => {
  const r = await swaks({ port, mode: 'plain', subject: 'plaintext' });
  expect(r.code).not.toBe(0);
  expect(r.transcript).toContain('530 5.7.0 Must issue a STARTTLS command first');
});

test('modify ... disabled refuses new connections while a running session finishes; enabled brings it back', async () => {
  const session = await openSession(port);
  expect(session.greeting).toMatch(/^220 /);
  expect(await session.send('EHLO client.test')).toMatch(/250[- ]STARTTLS/);

  await ltm.tmshOk('modify ltm virtual vs_smtp disabled');
  expect(await eventually(() => accepts(port), (ok) => !ok, 2000, 20)).toBe(false);

  // The session that was running goes on until it ends (drain timeout 3 s in the test daemon).
  expect(await session.send('NOOP')).toMatch(/^250 /);
  expect(await session.send('QUIT')).toMatch(/^221 /);
  session.socket.destroy();

  const show = await eventually(() => ltm.tmshOk('show ltm virtual vs_smtp'), (out) => /State\s+: disabled/.test(out), 4000, 200);
  expect(show).toMatch(/State\s+: disabled/);

  await ltm.tmshOk('modify ltm virtual vs_smtp enabled');
  expect(await eventually(() => accepts(port), (ok) => ok, 2000, 20)).toBe(true);
});

test('a stopped backend is marked down by the smtp monitor and new sessions all go to the other', async () => {
  const [dead, alive] = backends;
  await dead.stop();
  const members = await eventually(
    () => ltm.tmshOk('show ltm pool smtp_pool members'),
    (out) => /Availability\s+: offline/.test(out),
    4000 + 2000, // the monitor's timeout plus a status report
    200,
  );
  expect(members).toMatch(new RegExp(`Pool Member: 127\\.0\\.0\\.1:${dead.port}[\\s\\S]*?Availability\\s+: offline`));
  const before = (await alive.messages()).length;
  for (let i = 0; i < 4; i++) expectAccepted(await swaks({ port, mode: 'starttls', subject: `after-down-${i}` }));
  await alive.waitForMessages(before + 4);
});

test('delete removes the listener', async () => {
  await ltm.tmshOk('delete ltm virtual vs_smtp');
  expect(await eventually(() => accepts(port), (ok) => !ok, 5000, 50)).toBe(false);
  const r = await ltm.tmsh('show ltm virtual vs_smtp');
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain('01020036:3: The requested Virtual Server (/Common/vs_smtp) was not found.');
});
