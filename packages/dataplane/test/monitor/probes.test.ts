import { createServer, Server } from 'node:net';
import { smtpProbe, tcpProbe } from '@openltm/dataplane';
import type { MonitorSpec } from '@openltm/dataplane';
import { TestBackend } from '../helpers/smtp-backend';

const smtpMon: MonitorSpec = { name: '/Common/smtp_mon', type: 'smtp', interval: 1, timeout: 1, domain: 'probe.test', destination: '*:*' };
const tcpMon: MonitorSpec = { name: '/Common/tcp_mon', type: 'tcp', interval: 1, timeout: 1, destination: '*:*' };

/** Waits for socket events (setImmediate turns, which the fake clock leaves alone) until `fn` holds. */
async function ioUntil(fn: () => boolean, limitMs = 10_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!fn()) {
    if (performance.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setImmediate(r));
  }
}

describe('probes', () => {
  let backend: TestBackend;
  const servers: Server[] = [];
  beforeEach(() => {
    backend = new TestBackend();
  });
  afterEach(async () => {
    await backend.stop();
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  test('smtp probe passes against a server that greets 220 and answers HELO 250', async () => {
    await backend.start();
    expect(await smtpProbe('127.0.0.1', backend.port, smtpMon, 1000)).toEqual({ ok: true });
  });

  test('smtp probe fails on a 554 greeting, saying so', async () => {
    backend.greeting = '554 5.3.2 go away';
    await backend.start();
    const r = await smtpProbe('127.0.0.1', backend.port, smtpMon, 1000);
    expect(r.ok).toBe(false);
    expect(r.error).toContain('554 5.3.2 go away');
  });

  test('smtp probe sends HELO with the monitor domain and fails on a non-250 reply', async () => {
    const seen: string[] = [];
    const server = createServer((s) => {
      s.write('220-first\r\n220 second\r\n');
      s.on('data', (d) => {
        seen.push(d.toString());
        s.write('501 5.5.4 no\r\n');
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const r = await smtpProbe('127.0.0.1', (server.address() as { port: number }).port, smtpMon, 1000);
    expect(seen[0]).toBe('HELO probe.test\r\n');
    expect(r).toEqual({ ok: false, error: 'HELO: 501 5.5.4 no' });
  });

  test('a silent server fails the probe at its timeout and the probe closes its socket', async () => {
    backend.silent = true;
    await backend.start();
    // Real sockets, fake clock: the deadline is asserted to the millisecond, whatever the load.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
    try {
      let result: Awaited<ReturnType<typeof smtpProbe>> | undefined;
      void smtpProbe('127.0.0.1', backend.port, smtpMon, 200).then((r) => (result = r));
      await ioUntil(() => backend.sockets.size === 1);
      await jest.advanceTimersByTimeAsync(199);
      expect(result).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      expect(result).toEqual({ ok: false, error: 'no response within 200 ms' });
      await ioUntil(() => backend.sockets.size === 0);
    } finally {
      jest.useRealTimers();
    }
  });

  test('tcp probe: connect-only passes; refused fails with ECONNREFUSED', async () => {
    await backend.start();
    expect(await tcpProbe('127.0.0.1', backend.port, tcpMon, 1000)).toEqual({ ok: true });
    const port = backend.port;
    await backend.stop();
    expect(await tcpProbe('127.0.0.1', port, tcpMon, 1000)).toEqual({ ok: false, error: 'ECONNREFUSED' });
  });

  test('tcp probe with send/recv expects the reply to match', async () => {
    await backend.start();
    const ok = await tcpProbe('127.0.0.1', backend.port, { ...tcpMon, send: 'HELO x\\r\\n', recv: '^220 .*\\r\\n250' }, 1000);
    expect(ok).toEqual({ ok: true });
    const bad = await tcpProbe('127.0.0.1', backend.port, { ...tcpMon, send: 'NOOP\\r\\n', recv: 'never-sent' }, 200);
    expect(bad.ok).toBe(false);
  });
});
