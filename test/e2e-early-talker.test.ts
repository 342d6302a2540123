/**
 * Early talkers (issue 10, item 5) through the real daemon: bytes before the greeting, and a real
 * TLS ClientHello on the STARTTLS port before STARTTLS, are answered `554 5.5.1`, closed, never
 * relayed, and counted in `show ltm virtual`.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { SmtpReplyReader } from './support/smtp-reply-reader';

let ltm: OpenltmInstance;
/** A member that accepts and records, and greets only when told to (never, here). */
let silent: Server;
let greeting: Server;
const received: Buffer[] = [];
const sockets: Socket[] = [];
const ports = { silent: 0, greets: 0 };

function member(greet: boolean): Promise<Server> {
  const s = createServer((sock) => {
    sockets.push(sock);
    sock.on('error', () => undefined);
    sock.on('data', (d: Buffer) => received.push(d));
    if (greet) sock.write('220 member.test ESMTP\r\n');
    sock.on('data', (d: Buffer) => {
      if (/^EHLO/i.test(d.toString())) sock.write('250-member.test\r\n250 PIPELINING\r\n');
      if (/^QUIT/i.test(d.toString())) sock.end('221 2.0.0 Bye\r\n');
    });
  });
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(s)));
}

beforeAll(async () => {
  silent = await member(false);
  greeting = await member(true);
  ltm = createOpenltm();
  ports.silent = await freePort();
  ports.greets = await freePort();
  await ltm.tmshOk(`create ltm pool p_silent members replace-all-with { 127.0.0.1:${(silent.address() as AddressInfo).port} { address 127.0.0.1 } }`);
  await ltm.tmshOk(`create ltm pool p_greets members replace-all-with { 127.0.0.1:${(greeting.address() as AddressInfo).port} { address 127.0.0.1 } }`);
  await ltm.tmshOk('create ltm profile smtps s_allow activation-mode allow');
  for (const [name, port, pool] of [['vs_silent', ports.silent, 'p_silent'], ['vs_greets', ports.greets, 'p_greets']] as const) {
    await ltm.tmshOk(`create ltm virtual ${name} destination 127.0.0.1:${port} pool ${pool} profiles replace-all-with { /Common/tcp { } s_allow { } /Common/clientssl { context clientside } }`);
  }
  await ltm.startDaemon();
  for (const p of Object.values(ports)) await waitForListen(p, { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await ltm?.stop();
  await new Promise((r) => silent?.close(r));
  await new Promise((r) => greeting?.close(r));
});

/** The first flight of a real TLS client (its ClientHello), captured by a plain TCP server. */
async function realClientHello(): Promise<Buffer> {
  let got!: (b: Buffer) => void;
  const hello = new Promise<Buffer>((r) => (got = r));
  const cap = createServer((s) => s.once('data', (d: Buffer) => (got(d), s.destroy())));
  await new Promise<void>((r) => cap.listen(0, '127.0.0.1', r));
  const t = tls.connect({ host: '127.0.0.1', port: (cap.address() as AddressInfo).port, rejectUnauthorized: false });
  t.on('error', () => undefined);
  const b = await hello;
  t.destroy();
  await new Promise((r) => cap.close(r));
  expect(b[0]).toBe(0x16);
  return b;
}

function closed(sock: Socket): Promise<void> {
  return new Promise((r) => (sock.destroyed ? r() : sock.once('close', () => r())));
}

it('a client that speaks before the greeting gets 554 5.5.1 and is closed; nothing reaches the member', async () => {
  received.length = 0;
  const sock = connect({ host: '127.0.0.1', port: ports.silent });
  const r = new SmtpReplyReader(sock);
  sock.on('error', () => undefined);
  await new Promise((res) => sock.once('connect', res));
  sock.write('EHLO early.test\r\nMAIL FROM:<spam@early.test>\r\n');
  const reply = await r.next();
  expect(reply.lines[0]).toBe('554 5.5.1 Error: SMTP protocol violation, client sent data before the greeting');
  await closed(sock);
  expect(Buffer.concat(received).toString()).not.toContain('early.test');
  const show = await eventually(() => ltm.tmshOk('show ltm virtual vs_silent raw'), (o) => /Early Talkers Refused\s+1\b/.test(o), 5000, 200);
  expect(show).toMatch(/Early Talkers Refused\s+1\b/);
});

it('a TLS ClientHello before STARTTLS gets 554 5.5.1 and a close; the member never sees it', async () => {
  received.length = 0;
  const sock = connect({ host: '127.0.0.1', port: ports.greets });
  sock.on('error', () => undefined);
  const r = new SmtpReplyReader(sock);
  expect((await r.next()).code).toBe(220);
  // A real client that forgot STARTTLS: the ClientHello node's TLS stack writes first.
  const plain: Buffer[] = [r.detach()];
  sock.on('data', (d: Buffer) => plain.push(d));
  sock.write(await realClientHello());
  await closed(sock);
  expect(Buffer.concat(plain).toString('latin1')).toBe('554 5.5.1 Error: TLS handshake before STARTTLS\r\n');
  expect(received.some((d) => d[0] === 0x16)).toBe(false);
  const show = await eventually(() => ltm.tmshOk('show ltm virtual vs_greets raw'), (o) => /Early Talkers Refused\s+1\b/.test(o), 5000, 200);
  expect(show).toMatch(/Early Talkers Refused\s+1\b/);
});
