/**
 * Admission end to end: `connection-limit`, `rate-limit` and `rate-limit-mode` typed with the real
 * tmsh, enforced by the real `openltm daemon` in front of Postfix's smtp-sink, and the refusals
 * counted by `show ltm virtual`. On an implicit-TLS virtual a refused client gets a reset and not
 * one TLS byte.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';

jest.setTimeout(60_000);

let ltm: OpenltmInstance;
let sink: SmtpSink;
const port = { limit: 0, implicit: 0, rate: 0 };
const open: net.Socket[] = [];

/** Connects and returns the first reply (or `closed` / `reset`). */
function firstReply(p: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: p });
    open.push(s);
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.endsWith('\r\n')) resolve(buf);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNRESET' ? 'reset' : e.message));
    s.on('close', () => resolve(buf || 'closed'));
  });
}

beforeAll(async () => {
  sink = await startSmtpSink();
  ltm = createOpenltm();
  port.limit = await freePort();
  port.implicit = await freePort();
  port.rate = await freePort();
  await ltm.tmshOk(`create ltm pool p_sink members replace-all-with { 127.0.0.1:${sink.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk('create ltm profile smtps s_allow activation-mode allow');
  const starttls = 'profiles replace-all-with { /Common/tcp { } s_allow { } /Common/clientssl { context clientside } }';
  await ltm.tmshOk(`create ltm virtual vs_limit destination 127.0.0.1:${port.limit} pool p_sink ${starttls} connection-limit 1`);
  await ltm.tmshOk(
    `create ltm virtual vs_465 destination 127.0.0.1:${port.implicit} pool p_sink ` +
      'profiles replace-all-with { /Common/tcp { } /Common/clientssl { context clientside } } connection-limit 1',
  );
  await ltm.tmshOk(`create ltm virtual vs_rate destination 127.0.0.1:${port.rate} pool p_sink ${starttls} rate-limit 1 rate-limit-mode object-source`);
  await ltm.startDaemon();
  for (const p of Object.values(port)) await waitForListen(p, { timeoutMs: 10_000 });
});

afterAll(async () => {
  for (const s of open) s.destroy();
  await ltm?.stop();
  await sink?.stop();
});

test('connection-limit: the second client gets 421 4.7.0 while the first holds its session; show counts it', async () => {
  expect(await firstReply(port.limit)).toMatch(/^220 /);
  expect(await firstReply(port.limit)).toMatch(/^421 4\.7\.0 .*too many connections/);
  const shown = await eventually(() => ltm.tmshOk('show ltm virtual vs_limit raw'), (out) => /Connection Limit Rejections +1\n/.test(out), 5000, 200);
  expect(shown).toMatch(/Current Connections +1 /);
});

test('connection-limit on implicit TLS: a reset before any TLS byte, no handshake', async () => {
  const first = tls.connect({ host: '127.0.0.1', port: port.implicit, rejectUnauthorized: false });
  open.push(first);
  const greeting = await new Promise<string>((resolve, reject) => {
    first.once('data', (d: Buffer) => resolve(d.toString('latin1')));
    first.once('error', reject);
  });
  expect(greeting).toMatch(/^220 /);
  const raw = net.connect({ host: '127.0.0.1', port: port.implicit });
  open.push(raw);
  let bytes = 0;
  raw.on('data', (d: Buffer) => (bytes += d.length));
  const outcome = await new Promise<string>((resolve) => {
    raw.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    raw.once('connect', () => {
      const t = tls.connect({ socket: raw, rejectUnauthorized: false });
      t.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      t.on('secureConnect', () => resolve('handshake completed'));
    });
  });
  expect(outcome).toBe('ECONNRESET');
  expect(bytes).toBe(0);
  const shown = await eventually(() => ltm.tmshOk('show ltm virtual vs_465 raw'), (out) => /Connection Limit Rejections +1\n/.test(out), 5000, 200);
  expect(shown).toMatch(/TLS Handshake Failures +0\n/);
});

test('rate-limit 1 per source: a burst from one address is cut to the rate; show counts every refusal', async () => {
  // Six connections at once; however slow the machine, they cannot spread over six seconds.
  const replies = await Promise.all(Array.from({ length: 6 }, () => firstReply(port.rate)));
  const refused = replies.filter((r) => /^421 4\.7\.0 /.test(r)).length;
  const admitted = replies.filter((r) => /^220 /.test(r)).length;
  expect(refused + admitted).toBe(6);
  expect(refused).toBeGreaterThanOrEqual(1);
  expect(admitted).toBeGreaterThanOrEqual(1);
  await eventually(() => ltm.tmshOk('show ltm virtual vs_rate raw'), (out) => new RegExp(`Rate Limit Rejections +${refused}\\n`).test(out), 5000, 200);
});

test('a rate-limit-mode BIG-IP does not have is refused and the virtual keeps its value', async () => {
  const r = await ltm.tmsh('modify ltm virtual vs_rate rate-limit-mode sideways');
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/sideways/);
  expect(await ltm.tmshOk('list ltm virtual vs_rate rate-limit-mode')).toMatch(/rate-limit-mode object-source/);
});

describe('daemon options: --source-connection-limit and --first-command-timeout', () => {
  let d: OpenltmInstance;
  let p = 0;

  beforeAll(async () => {
    d = createOpenltm();
    p = await freePort();
    await d.tmshOk(`create ltm pool p_sink members replace-all-with { 127.0.0.1:${sink.port} { address 127.0.0.1 } }`);
    await d.tmshOk(`create ltm virtual vs_opts destination 127.0.0.1:${p} pool p_sink profiles replace-all-with { /Common/tcp { } }`);
    await d.startDaemon(['--source-connection-limit', '1', '--first-command-timeout', '2']);
    await waitForListen(p, { timeoutMs: 10_000 });
  });

  afterAll(async () => {
    await d?.stop();
  });

  /** A plaintext client that reads whole replies. */
  function session(): { socket: net.Socket; reply(): Promise<string> } {
    const socket = net.connect({ host: '127.0.0.1', port: p });
    open.push(socket);
    let buf = '';
    const waiters: Array<() => void> = [];
    socket.on('data', (b: Buffer) => {
      buf += b.toString('latin1');
      waiters.splice(0).forEach((w) => w());
    });
    socket.on('close', () => waiters.splice(0).forEach((w) => w()));
    return {
      socket,
      async reply() {
        while (!/\r\n$/.test(buf) && !socket.destroyed) await new Promise<void>((r) => waiters.push(r));
        const out = buf;
        buf = '';
        return out;
      },
    };
  }

  test('one client address holds at most one session; a second gets 421 4.7.0', async () => {
    const first = session();
    expect(await first.reply()).toMatch(/^220 /);
    first.socket.write('EHLO first.test\r\n');
    expect(await first.reply()).toMatch(/^250/);
    const second = session();
    expect(await second.reply()).toMatch(/^421 4\.7\.0 .*too many connections/);
    await eventually(() => d.tmshOk('show ltm virtual vs_opts raw'), (out) => /Source Limit Rejections +1\n/.test(out), 5000, 200);
    first.socket.write('QUIT\r\n');
    expect(await first.reply()).toMatch(/^221 /);
  });

  test('a client that says nothing after the greeting is closed at the first-command deadline; show counts it', async () => {
    // The previous session may still be closing: wait until this address is admitted again.
    const c = await eventually(async () => {
      const s = session();
      const r = await s.reply();
      return { s, r };
    }, ({ r }) => r.startsWith('220 '), 10_000, 100);
    expect(await c.s.reply()).toMatch(/^421 4\.4\.2 .*timeout exceeded/);
    await eventually(() => d.tmshOk('show ltm virtual vs_opts raw'), (out) => /Session Timeouts +1\n/.test(out), 5000, 200);
  });
});
