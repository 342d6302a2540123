/**
 * An exception in one session, one monitor check, the status timer or the poll timer is logged
 * with its stack and stops nothing else: the other virtuals keep serving over real sockets.
 * Without the guards each of these throws escapes into a timer or socket callback, which is an
 * uncaught exception (the process, and this test, would die).
 */
import { connect } from 'node:net';
import { DataPlane, ListenerSet, MonitorScheduler, PoolSet, tcpProbe } from '@openltm/dataplane';
import type { MemberSpec, MonitorSpec, PoolSpec } from '@openltm/dataplane';
import { SmtpSession } from '../src/session/smtp-session';
import { CaptureSink, FakeSource, virtual } from './helpers/fake-plane';
import { TestBackend, captureLogger, waitFor } from './helpers/smtp-backend';
import { freePort } from './helpers/sockets';

/** Connects, says EHLO after the greeting, QUITs; returns what the server said, or `closed`. */
function exchange(port: number): Promise<string[]> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const lines: string[] = [];
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        lines.push(line);
        if (lines.length === 1) s.write('EHLO client.test\r\n');
        else if (line.startsWith('250 ')) s.write('QUIT\r\n');
      }
    });
    s.on('error', () => undefined);
    s.setTimeout(5000, () => s.destroy());
    s.on('close', () => resolve(lines.length ? lines : ['closed']));
  });
}

const member = (port: number): MemberSpec => ({
  name: `/Common/127.0.0.1:${port}`, address: '127.0.0.1', port, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled',
});

const errLine = (lines: Array<Record<string, unknown>>, msg: string) =>
  lines.find((l) => l.msg === msg) as { err?: { message: string; stack: string } } | undefined;

describe('faults stay where they happen', () => {
  let plane: DataPlane | undefined;
  let backend: TestBackend;
  let source: FakeSource;
  let sink: CaptureSink;
  beforeEach(async () => {
    backend = new TestBackend();
    await backend.start();
    source = new FakeSource();
    sink = new CaptureSink();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await plane?.stop();
    plane = undefined;
    await backend.stop();
  });

  async function twoVirtuals(): Promise<{ a: number; b: number; lines: Array<Record<string, unknown>> }> {
    const [a, b] = [await freePort(), await freePort()];
    const pool: PoolSpec = { name: '/Common/p', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: { monitors: [], minimum: 'all' }, members: [member(backend.port)] };
    source.edit((s) => {
      s.pools.push(pool);
      s.virtuals.push(virtual('a', a), virtual('b', b));
    });
    const { logger, lines } = captureLogger();
    plane = new DataPlane({ source, sink, logger, drainTimeoutMs: 500, pollIntervalMs: 20, statusIntervalMs: 20 });
    await plane.start();
    return { a, b, lines };
  }

  test('a session that throws while starting is closed and logged with its stack; every virtual keeps serving', async () => {
    const { a, b, lines } = await twoVirtuals();
    jest.spyOn(SmtpSession.prototype as unknown as { start(): void }, 'start').mockImplementationOnce(() => {
      throw new Error('injected session fault');
    });
    expect(await exchange(a)).toEqual(['closed']);
    const logged = errLine(lines, 'session fault; closing it');
    expect(logged?.err?.message).toBe('injected session fault');
    expect(logged?.err?.stack).toContain('fault-isolation.test.ts');
    expect(await exchange(b)).toEqual(['220 backend.test ESMTP', '250 backend.test', '221 2.0.0 Bye']);
    expect(await exchange(a)).toEqual(['220 backend.test ESMTP', '250 backend.test', '221 2.0.0 Bye']);
    // The failed session was counted and uncounted like any other.
    // A report may be taken between the client's 221 and the proxy's close of that session:
    // wait for the one that sees both sessions counted and closed.
    const statsOfA = () => sink.last?.virtuals.find((v) => v.name === '/Common/a')?.stats;
    await waitFor(() => statsOfA()?.clientTotConns === 2 && statsOfA()?.clientCurConns === 0, 10_000, 'status of a');
    expect(statsOfA()).toMatchObject({ clientTotConns: 2, clientCurConns: 0 });
  });

  test('a status report that cannot be built is logged; the timer goes on and the virtuals serve', async () => {
    const { b, lines } = await twoVirtuals();
    const spy = jest.spyOn(PoolSet.prototype, 'memberStatuses').mockImplementationOnce(() => {
      throw new Error('injected status fault');
    });
    await waitFor(() => spy.mock.calls.length >= 1, 2000, 'a status tick');
    const n = sink.reports.length;
    await waitFor(() => sink.reports.length > n, 2000, 'a later report');
    expect(errLine(lines, 'cannot build the status report')?.err?.message).toBe('injected status fault');
    expect((await exchange(b))[0]).toBe('220 backend.test ESMTP');
  });

  test('a configuration poll that throws is logged; the next generation is still applied', async () => {
    const { lines } = await twoVirtuals();
    jest.spyOn(ListenerSet.prototype, 'nextRetryAt').mockImplementationOnce(() => {
      throw new Error('injected poll fault');
    });
    await waitFor(() => errLine(lines, 'configuration poll failed; will retry') !== undefined, 2000, 'the poll fault');
    const c = await freePort();
    source.edit((s) => s.virtuals.push(virtual('c', c)));
    await waitFor(() => plane!.status().virtuals.some((v) => v.name === '/Common/c' && v.availability !== 'offline' && v.reason !== 'The virtual server is being configured'), 5000, 'c applied');
    expect((await exchange(c))[0]).toBe('220 backend.test ESMTP');
    expect(errLine(lines, 'configuration poll failed; will retry')?.err?.message).toBe('injected poll fault');
  });
});

describe('a monitor check that throws', () => {
  const mon: MonitorSpec = { name: '/Common/tcp_mon', type: 'tcp', interval: 0.05, timeout: 1, destination: '*:*' };
  let good: TestBackend;
  let bad: TestBackend;
  let scheduler: MonitorScheduler | undefined;
  beforeEach(async () => {
    good = new TestBackend();
    bad = new TestBackend();
    await good.start();
    await bad.start();
  });
  afterEach(async () => {
    await scheduler?.stop();
    await good.stop();
    await bad.stop();
  });

  test('is a failed probe for its member only; other checks go on, and a throwing change listener stops nothing', async () => {
    const { logger, lines } = captureLogger();
    let changes = 0;
    scheduler = new MonitorScheduler({
      logger,
      probes: {
        tcp: (address, port, spec, timeoutMs, signal) => {
          if (port === bad.port) throw new Error('injected probe fault');
          return tcpProbe(address, port, spec, timeoutMs, signal);
        },
      },
      onChange: () => {
        changes++;
        if (changes === 1) throw new Error('injected listener fault');
      },
    });
    const targets = [good.port, bad.port].map((port) => ({ monitor: mon.name, address: '127.0.0.1', port }));
    scheduler.configure([mon], targets);
    scheduler.start();
    await waitFor(() => scheduler!.get(mon.name, '127.0.0.1', good.port)?.status === 'up' && scheduler!.get(mon.name, '127.0.0.1', bad.port)?.status === 'down', 3000, 'good up, bad down');
    expect(scheduler.get(mon.name, '127.0.0.1', bad.port)?.lastError).toBe('injected probe fault');
    expect(errLine(lines, 'monitor check fault')?.err?.message).toBe('injected listener fault');
    // Probing goes on after both faults: the good member is seen going down, and back up.
    await good.stop();
    await waitFor(() => scheduler!.get(mon.name, '127.0.0.1', good.port)?.status === 'down', 3000, 'good down');
    await good.start(good.port);
    await waitFor(() => scheduler!.get(mon.name, '127.0.0.1', good.port)?.status === 'up', 3000, 'good up again');
  });
});
