/**
 * End to end: TLS session resumption and renegotiation on the client side, through the real
 * daemon. `openssl s_client -sess_out` saves a session, `-sess_in` offers it again; s_client
 * prints `Reused` or `New`. Virtuals speak TLS from the first byte (client-ssl, no smtps);
 * smtp-sink is the pool member.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { runProcess } from './support/run-process';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { tlsConnect as connect } from './support/openssl-resume';

let ltm: OpenltmInstance;
let sink: SmtpSink;
let dir: string;
const ports: Record<string, number> = {};
let n = 0;

const PROFILES: Record<string, string> = {
  cache: '',
  nocache: 'cache-size 0',
  small: 'cache-size 1',
  short: 'cache-timeout 1',
  ticket: 'cache-size 0 session-ticket enabled',
  ticketShort: 'cache-size 0 session-ticket enabled cache-timeout 1',
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openltm-sess-'));
  sink = await startSmtpSink();
  ltm = createOpenltm();
  await ltm.tmshOk(`create ltm pool p_sink members replace-all-with { 127.0.0.1:${sink.port} { address 127.0.0.1 } }`);
  for (const [name, props] of Object.entries(PROFILES)) {
    ports[name] = await freePort();
    await ltm.tmshOk(`create ltm profile client-ssl cs_${name} ${props}`.trim());
    await ltm.tmshOk(`create ltm virtual vs_${name} destination 127.0.0.1:${ports[name]} pool p_sink profiles replace-all-with { tcp { } cs_${name} { } }`);
  }
  // The session-ID cache is per worker (as BIG-IP's is per TMM): one worker puts every connection
  // of this file in front of the same cache. Tickets across workers: e2e-workers.test.ts.
  await ltm.startDaemon(['--workers', '1']);
  for (const p of Object.values(ports)) await waitForListen(p, { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  await ltm?.stop();
  await sink?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const file = () => join(dir, `s${++n}.pem`);

describe('session-ID cache (TLS 1.2; TLS 1.3 resumes only with tickets, as on BIG-IP)', () => {
  it('resumes a TLS 1.2 session from the cache with the default profile settings', async () => {
    const f = file();
    const first = await connect(ports.cache, { save: f, tls12: true });
    expect(first.session).toBe('New');
    expect(first.greeted).toBe(true);
    const again = await connect(ports.cache, { offer: f, tls12: true });
    expect(again.session).toBe('Reused');
    expect(again.greeted).toBe(true);
  });

  it('does not resume TLS 1.3 without session tickets (node cannot look a TLS 1.3 session up in a cache)', async () => {
    const f = file();
    await connect(ports.cache, { save: f });
    expect((await connect(ports.cache, { offer: f })).session).toBe('New');
  });

  it('never resumes with cache-size 0 and session tickets disabled', async () => {
    const f = file();
    await connect(ports.nocache, { save: f, tls12: true });
    const again = await connect(ports.nocache, { offer: f, tls12: true });
    expect(again.session).toBe('New');
    expect(again.greeted).toBe(true);
  });

  it('never resumes TLS 1.3 with cache-size 0 and session tickets disabled (nginx\'s ssl_session_cache off; ssl_session_tickets off)', async () => {
    // OpenSSL still sends TLS 1.3 clients two stateful tickets (node 20 cannot set their number;
    // nginx 1.22 sends them too): with no cache behind them they resume nothing.
    const f = file();
    expect((await connect(ports.nocache, { save: f })).session).toBe('New');
    const again = await connect(ports.nocache, { offer: f });
    expect(again.session).toBe('New');
    expect(again.greeted).toBe(true);
  });

  it('keeps at most cache-size sessions: the oldest is forgotten first', async () => {
    const a = file();
    const b = file();
    await connect(ports.small, { save: a, tls12: true });
    await connect(ports.small, { save: b, tls12: true });
    // b first: a full handshake for a would store a new session and push b out.
    expect((await connect(ports.small, { offer: b, tls12: true })).session).toBe('Reused');
    expect((await connect(ports.small, { offer: a, tls12: true })).session).toBe('New');
  });

  it('does not resume a session older than cache-timeout', async () => {
    const f = file();
    await connect(ports.short, { save: f, tls12: true });
    // The timeout is 1 s; waiting longer than that is the point of the test, not a time assertion.
    await new Promise((r) => setTimeout(r, 2100));
    expect((await connect(ports.short, { offer: f, tls12: true })).session).toBe('New');
  });

  it('issues no session ticket when session-ticket is disabled (the default)', async () => {
    const first = await connect(ports.nocache, { save: file(), tls12: true });
    expect(first.out).not.toMatch(/TLS session ticket:/);
  });
});

describe.each([
  ['TLS 1.3', false],
  ['TLS 1.2', true],
])('session tickets over %s', (_label, tls12) => {
  it('resumes through a ticket when session-ticket is enabled (no session cache at all)', async () => {
    const f = file();
    const first = await connect(ports.ticket, { save: f, tls12 });
    expect(first.out).toMatch(/TLS session ticket:/);
    const again = await connect(ports.ticket, { offer: f, tls12 });
    expect(again.session).toBe('Reused');
    expect(again.greeted).toBe(true);
  });

  it('does not resume a ticket older than cache-timeout', async () => {
    const f = file();
    await connect(ports.ticketShort, { save: f, tls12 });
    await new Promise((r) => setTimeout(r, 2100));
    expect((await connect(ports.ticketShort, { offer: f, tls12 })).session).toBe('New');
  });
});

describe('renegotiation', () => {
  it('refuses a client-initiated renegotiation (openssl s_client R): no second handshake, the session ends', async () => {
    // Without -ign_eof s_client reads "R" on its own line as "renegotiate now".
    const script = `sleep 1; printf 'R\\n'; sleep 1; printf 'NOOP\\r\\n'; sleep 1`;
    const r = await runProcess('sh', ['-c', `(${script}) | openssl s_client -tls1_2 -connect 127.0.0.1:${ports.cache} -servername localhost`], { timeoutMs: 15_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).toMatch(/^220 /m);
    expect(out).toMatch(/no renegotiation/);
    expect(out).not.toMatch(/^250 /m);
  });

  it('refuses renegotiation enabled in the configuration, with a BIG-IP style error', async () => {
    const r = await ltm.tmsh('modify ltm profile client-ssl cs_cache renegotiation enabled');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/01070734:3: .*renegotiation enabled is not supported/);
    expect(await ltm.tmshOk('list ltm profile client-ssl cs_cache renegotiation')).toMatch(/renegotiation disabled/);
  });
});

describe('ticket key rotation', () => {
  it('rotates the ticket keys on the daemon schedule: a ticket from before the rotation is not resumed after it', async () => {
    const other = createOpenltm();
    try {
      const port = await freePort();
      await other.tmshOk(`create ltm pool p_sink members replace-all-with { 127.0.0.1:${sink.port} { address 127.0.0.1 } }`);
      await other.tmshOk('create ltm profile client-ssl cs_t cache-size 0 session-ticket enabled');
      await other.tmshOk(`create ltm virtual vs_t destination 127.0.0.1:${port} pool p_sink profiles replace-all-with { tcp { } cs_t { } }`);
      await other.startDaemon(['--ticket-key-rotation', '3']);
      await waitForListen(port, { timeoutMs: 10_000 });
      const f = file();
      await connect(port, { save: f });
      const rotations = () => (other.daemonLog().match(/TLS session ticket keys rotated/g) ?? []).length;
      const before = rotations();
      await eventually(rotations, (c) => c >= before + 1, 10_000, 100);
      expect((await connect(port, { offer: f })).session).toBe('New');
      // Tickets made under the new keys resume.
      const g = file();
      await connect(port, { save: g });
      const reused = await connect(port, { offer: g });
      // A rotation may fall between the two connections; then the next pair proves it.
      if (reused.session !== 'Reused') {
        const h = file();
        await connect(port, { save: h });
        expect((await connect(port, { offer: h })).session).toBe('Reused');
      }
    } finally {
      await other.stop();
    }
  }, 30_000);
});
