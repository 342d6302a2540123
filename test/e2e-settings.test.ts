/**
 * The settings the schema marks `enforced` (packages/model/test/effects.test.ts checks this file
 * names them), each proved through the real `tmsh -c` and the real `openltm daemon` over real
 * sockets: pool member choice (state, session, ratio, priority-group, min-active-members,
 * connection-limit, load-balancing-mode), node state, virtual connection-limit, the tcp profile's
 * idle-timeout, the client-ssl profile's cert-key-chain (cert, key, chain, passphrase), ciphers,
 * options, handshake-timeout and renegotiation, and monitors' send, recv, destination, domain and
 * a member's own monitor. The members are small SMTP servers in this test that count
 * connections and record every line they receive.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { runChecked, runProcess } from './support/run-process';

jest.setTimeout(60_000);

/** A minimal SMTP server on 127.0.0.1: greets, answers every line, records what it got. */
class Member {
  private server?: Server;
  port = 0;
  /** Connections accepted so far. */
  served = 0;
  /** Connections open now. */
  open = 0;
  lines: string[] = [];

  constructor(readonly label: string) {}

  async start(): Promise<void> {
    this.server = createServer((sock) => {
      this.served++;
      this.open++;
      sock.on('close', () => this.open--);
      sock.on('error', () => undefined);
      sock.write(`220 ${this.label} ESMTP\r\n`);
      let buf = '';
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).replace(/\r$/, '');
          buf = buf.slice(i + 1);
          this.lines.push(line);
          if (/^QUIT/i.test(line)) sock.end('221 bye\r\n');
          else sock.write(`250 ${this.label} ok\r\n`);
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server!.address() as { port: number }).port;
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** A client session kept open: the greeting it got, and a way to wait for the proxy to close it. */
interface Held {
  greeting: string;
  socket: Socket;
  closed: Promise<string>;
}

function hold(port: number): Promise<Held> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buf = '';
    let greeted = false;
    let onClose: (rest: string) => void = () => undefined;
    const closed = new Promise<string>((r) => (onClose = r));
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      const i = buf.indexOf('\r\n');
      if (!greeted && i >= 0) {
        greeted = true;
        const greeting = buf.slice(0, i);
        buf = buf.slice(i + 2);
        resolve({ greeting, socket, closed });
      }
    });
    socket.on('close', () => {
      if (!greeted) resolve({ greeting: buf || 'closed', socket, closed: Promise.resolve('') });
      onClose(buf);
    });
  });
}

/** One short session (greeting, QUIT); returns the greeting. */
async function once(port: number): Promise<string> {
  const s = await hold(port);
  s.socket.end('QUIT\r\n');
  await s.closed;
  return s.greeting;
}

let ltm: OpenltmInstance;
const a = new Member('member-a');
const b = new Member('member-b');
const c = new Member('member-c');
let vsPort: number;
let idlePort: number;
let tlsPort: number;
let closedPort: number;
let certDir: string;

/** The highest `configuration generation N applied` the daemon has logged. */
function appliedGeneration(): number {
  let max = 0;
  for (const m of ltm.daemonLog().matchAll(/configuration generation (\d+) applied/g)) max = Math.max(max, Number(m[1]));
  return max;
}

/** Runs a tmsh change and waits until the daemon has applied it (one commit moves the generation by one). */
async function change(line: string): Promise<void> {
  const before = appliedGeneration();
  await ltm.tmshOk(line);
  const after = await eventually(appliedGeneration, (g) => g > before, 10_000, 20);
  if (after <= before) throw new Error(`the daemon did not apply "${line}":\n${ltm.daemonLog().slice(-2000)}`);
}

/** Runs `n` sessions one after another and counts which member served each. */
async function spread(n: number): Promise<{ a: number; b: number }> {
  const a0 = a.served;
  const b0 = b.served;
  for (let i = 0; i < n; i++) expect(await once(vsPort)).toMatch(/^220 /);
  return { a: a.served - a0, b: b.served - b0 };
}

beforeAll(async () => {
  await Promise.all([a.start(), b.start(), c.start()]);
  [vsPort, idlePort, tlsPort, closedPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  certDir = mkdtempSync(join(tmpdir(), 'openltm-settings-'));
  // A leaf whose key is encrypted (so the passphrase must be used) and a second certificate sent as its chain.
  await runChecked('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-days', '2', '-subj', '/CN=settings.example.test',
    '-passout', 'pass:leaf-secret', '-keyout', join(certDir, 'leaf.key'), '-out', join(certDir, 'leaf.crt')]);
  await runChecked('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=chain.example.test', '-keyout', join(certDir, 'chain.key'), '-out', join(certDir, 'chain.crt')]);
  ltm = createOpenltm();
  await ltm.tmshOk([
    `create ltm pool p members replace-all-with { 127.0.0.1:${a.port} { address 127.0.0.1 } 127.0.0.1:${b.port} { address 127.0.0.1 } }`,
    `create ltm virtual vs destination 127.0.0.1:${vsPort} pool p`,
    'create ltm profile tcp tcp_short idle-timeout 1',
    `create ltm virtual vs_idle destination 127.0.0.1:${idlePort} pool p profiles replace-all-with { tcp_short { } }`,
    `create sys file ssl-cert leaf.crt source-path file:${join(certDir, 'leaf.crt')}`,
    `create sys file ssl-key leaf.key source-path file:${join(certDir, 'leaf.key')} passphrase leaf-secret`,
    `create sys file ssl-cert chain.crt source-path file:${join(certDir, 'chain.crt')}`,
    'create ltm profile client-ssl cssl cert-key-chain replace-all-with { main { cert leaf.crt key leaf.key chain chain.crt passphrase leaf-secret } } ' +
      'ciphers ECDHE+AESGCM options { no-tlsv1.3 no-tlsv1 no-tlsv1.1 } handshake-timeout 1 renegotiation disabled',
    'create ltm profile smtps s_allow activation-mode allow',
    `create ltm virtual vs_tls destination 127.0.0.1:${tlsPort} pool p profiles replace-all-with { tcp { } s_allow { } cssl { context clientside } }`,
  ].join('; '));
  // One worker: limits of 1 are exact in one process; across workers they are divided (e2e-workers.test.ts).
  await ltm.startDaemon(['--workers', '1']);
  for (const p of [vsPort, idlePort, tlsPort]) await waitForListen(p, { timeoutMs: 10_000 });
});

afterAll(async () => {
  await ltm?.stop();
  await Promise.all([a.stop(), b.stop(), c.stop()]);
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe('pool member choice', () => {
  test('a member with state user-down, or session user-disabled, gets no new sessions', async () => {
    expect(await spread(4)).toEqual({ a: 2, b: 2 });
    await change(`modify ltm pool p members modify { 127.0.0.1:${a.port} { state user-down } }`);
    expect(await spread(4)).toEqual({ a: 0, b: 4 });
    await change(`modify ltm pool p members modify { 127.0.0.1:${a.port} { state user-up session user-disabled } }`);
    expect(await spread(4)).toEqual({ a: 0, b: 4 });
    await change(`modify ltm pool p members modify { 127.0.0.1:${a.port} { session user-enabled } }`);
    expect(await spread(4)).toEqual({ a: 2, b: 2 });
  });

  test('a node with state user-down takes its members with it: clients get 421 and no member is reached', async () => {
    await change('modify ltm node 127.0.0.1 state user-down');
    const before = a.served + b.served;
    expect(await once(vsPort)).toMatch(/^421 /);
    expect(a.served + b.served).toBe(before);
    await change('modify ltm node 127.0.0.1 state user-up session user-disabled');
    expect(await once(vsPort)).toMatch(/^421 /);
    await change('modify ltm node 127.0.0.1 session user-enabled');
    expect(await once(vsPort)).toMatch(/^220 /);
  });

  test('load-balancing-mode ratio-member splits sessions by member ratio', async () => {
    await change(`modify ltm pool p load-balancing-mode ratio-member members modify { 127.0.0.1:${a.port} { ratio 3 } }`);
    expect(await spread(8)).toEqual({ a: 6, b: 2 });
    await change(`modify ltm pool p load-balancing-mode round-robin members modify { 127.0.0.1:${a.port} { ratio 1 } }`);
  });

  test('priority-group with min-active-members sends everything to the higher group while it has enough members', async () => {
    await change(`modify ltm pool p min-active-members 1 members modify { 127.0.0.1:${a.port} { priority-group 10 } }`);
    expect(await spread(4)).toEqual({ a: 4, b: 0 });
    await change('modify ltm pool p min-active-members 2');
    // The higher group has one member, fewer than 2: the lower group is used too.
    expect((await spread(4)).b).toBeGreaterThan(0);
    await change(`modify ltm pool p min-active-members 0 members modify { 127.0.0.1:${a.port} { priority-group 0 } }`);
  });

  test('a member at its connection-limit gets no new sessions until one ends', async () => {
    await change(`modify ltm pool p members modify { 127.0.0.1:${a.port} { connection-limit 1 } }`);
    const held: Held[] = [];
    while (a.open < 1 && held.length < 4) held.push(await hold(vsPort));
    expect(a.open).toBe(1);
    expect(await spread(4)).toEqual({ a: 0, b: 4 });
    for (const h of held) {
      h.socket.end('QUIT\r\n');
      await h.closed;
    }
    await change(`modify ltm pool p members modify { 127.0.0.1:${a.port} { connection-limit 0 } }`);
  });
});

describe('virtual server and tcp profile', () => {
  test('virtual connection-limit: the connection over the limit gets 421 4.7.0, the one within it is served', async () => {
    await change('modify ltm virtual vs connection-limit 1');
    const first = await hold(vsPort);
    expect(first.greeting).toMatch(/^220 /);
    const second = await hold(vsPort);
    expect(second.greeting).toMatch(/^421 4\.7\.0 /);
    first.socket.end('QUIT\r\n');
    await first.closed;
    await change('modify ltm virtual vs connection-limit 0');
    expect(await once(vsPort)).toMatch(/^220 /);
  });

  test('the tcp profile idle-timeout closes a silent session with 421 4.4.2', async () => {
    const s = await hold(idlePort);
    expect(s.greeting).toMatch(/^220 /);
    expect(await s.closed).toMatch(/^421 4\.4\.2 .*timeout/);
  });
});

describe('client-ssl profile', () => {
  const sClient = (args: string[], input = 'QUIT\r\n') =>
    runProcess('openssl', ['s_client', '-connect', `127.0.0.1:${tlsPort}`, '-starttls', 'smtp', '-servername', 'localhost', ...args], { input, timeoutMs: 15_000 });

  test('cert-key-chain: the certificate (its encrypted key opened with the passphrase) and its chain are what clients get', async () => {
    const r = await sClient(['-showcerts']);
    expect(r.stdout).toMatch(/ 0 s:\s*CN\s*=\s*settings\.example\.test/);
    expect(r.stdout).toMatch(/ 1 s:\s*CN\s*=\s*chain\.example\.test/);
  });

  test('options no-tlsv1.3 and ciphers ECDHE+AESGCM: TLS 1.3 and a ChaCha20 suite are refused, AES-GCM over TLS 1.2 works', async () => {
    const ok = await sClient(['-brief', '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256']);
    expect(ok.stderr).toMatch(/Protocol version: TLSv1\.2/);
    const tls13 = await sClient(['-brief', '-tls1_3']);
    expect(tls13.stderr).not.toMatch(/CONNECTION ESTABLISHED/);
    const chacha = await sClient(['-brief', '-tls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305']);
    expect(chacha.stderr).not.toMatch(/CONNECTION ESTABLISHED/);
  });

  test('renegotiation disabled: a client-initiated renegotiation is refused', async () => {
    // `R` on a line of its own makes s_client renegotiate (TLS 1.2 only).
    const r = await sClient(['-tls1_2'], 'R\nNOOP\r\nQUIT\r\n');
    expect(r.stdout + r.stderr).toMatch(/RENEGOTIATING/);
    expect(r.stderr).toMatch(/no renegotiation/);
    expect(r.stdout).not.toMatch(/250 member-[ab] ok/);
  });

  test('handshake-timeout 1: a client that says STARTTLS and then sends no ClientHello is disconnected', async () => {
    const s = await hold(tlsPort);
    s.socket.write('EHLO client.test\r\nSTARTTLS\r\n');
    // Nothing more is sent; the default (10 s) would outlast this test's 8 s limit.
    expect(await s.closed).toMatch(/220 /);
  }, 8000);
});

describe('monitors', () => {
  const members = (pool: string) => ltm.tmshOk(`show ltm pool ${pool} members`);
  const availability = (pool: string, want: string) =>
    eventually(() => members(pool), (out) => new RegExp(`Availability\\s+: ${want}`).test(out), 15_000, 200);

  beforeAll(async () => {
    await change(`create ltm pool pm members replace-all-with { 127.0.0.1:${c.port} { address 127.0.0.1 } }`);
  });

  test('tcp monitor send and recv: the probe sends its string, and a reply without recv marks the member offline', async () => {
    await change('create ltm monitor tcp t_ok send "PROBE-SEND-1\\r\\n" recv "member-c ok" interval 1 timeout 3');
    await change('modify ltm pool pm monitor t_ok');
    expect(await availability('pm', 'available')).toMatch(/Availability\s+: available/);
    expect(c.lines).toContain('PROBE-SEND-1');
    await change('modify ltm monitor tcp t_ok recv "not-in-any-reply"');
    expect(await availability('pm', 'offline')).toMatch(/Availability\s+: offline/);
  });

  test('monitor destination: probing a fixed closed address:port marks the member offline although it answers', async () => {
    await change(`create ltm monitor tcp t_dest destination 127.0.0.1:${closedPort} interval 1 timeout 3`);
    await change('modify ltm pool pm monitor tcp');
    expect(await availability('pm', 'available')).toMatch(/Availability\s+: available/);
    await change('modify ltm pool pm monitor t_dest');
    expect(await availability('pm', 'offline')).toMatch(/Availability\s+: offline/);
  });

  test("a member's own monitor overrides the pool's", async () => {
    await change(`modify ltm pool pm monitor tcp members modify { 127.0.0.1:${c.port} { monitor t_dest } }`);
    expect(await availability('pm', 'offline')).toMatch(/member monitor/);
    await change(`modify ltm pool pm members replace-all-with { 127.0.0.1:${c.port} { address 127.0.0.1 } }`);
    expect(await availability('pm', 'available')).toMatch(/Availability\s+: available/);
  });

  test('smtp monitor domain: the probe says HELO with it', async () => {
    await change('create ltm monitor smtp s_dom domain probe.example.test interval 1 timeout 3');
    await change('modify ltm pool pm monitor s_dom');
    await eventually(() => c.lines, (l) => l.includes('HELO probe.example.test'), 10_000, 100);
    expect(c.lines).toContain('HELO probe.example.test');
  });
});

