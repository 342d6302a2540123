import pino from 'pino';
import { DataPlane } from '@openltm/dataplane';
import type { ClientSslSpec } from '@openltm/dataplane';
import { CaptureSink, FakeSource, FakeWorld, virtual } from './helpers/fake-plane';
import { captureLogger, waitFor } from './helpers/smtp-backend';

const ssl = (ciphers: string): ClientSslSpec => ({ name: '/Common/cssl', certKeyChain: [{ cert: 'C', key: 'K' }], ciphers, options: [], handshakeTimeout: 10 });

describe('DataPlane with fake listeners', () => {
  let plane: DataPlane | undefined;
  let world: FakeWorld;
  let source: FakeSource;
  let sink: CaptureSink;
  beforeEach(() => {
    world = new FakeWorld();
    source = new FakeSource();
    sink = new CaptureSink();
  });
  let fakeClock = false;
  /** jest's fake timers and Date, for tests about timing: exact instants instead of wall-clock windows. */
  function useFakeClock(): void {
    jest.useFakeTimers();
    fakeClock = true;
  }
  afterEach(async () => {
    const stopping = plane?.stop();
    // stop() drains on timers: on the fake clock, let them run.
    if (fakeClock) await jest.advanceTimersByTimeAsync(10_000);
    await stopping;
    plane = undefined;
    if (fakeClock) jest.useRealTimers();
    fakeClock = false;
  });

  function startPlane(logger = pino({ level: 'silent' })): Promise<void> {
    plane = new DataPlane({ source, sink, logger, createListener: world.factory, pollIntervalMs: 20, statusIntervalMs: 50, drainTimeoutMs: 1234, backoff: { baseMs: 100, maxMs: 400 } });
    return plane.start();
  }

  test('applies the configuration at start and follows each new generation', async () => {
    source.edit((s) => s.virtuals.push(virtual('a', 2525)));
    await startPlane();
    expect(world.listening('/Common/a')).toHaveLength(1);
    source.edit((s) => s.virtuals.push(virtual('b', 2526)));
    await waitFor(() => world.listening('/Common/b').length === 1, 1000, 'b listening');
    source.edit((s) => (s.virtuals[0].enabled = false));
    await waitFor(() => world.listening('/Common/a').length === 0, 1000, 'a drained');
    expect(world.events).toContain('drain /Common/a 2525 1234');
    await waitFor(() => sink.last?.generation === source.state.generation, 1000, 'status of the new generation');
    const a = sink.last!.virtuals.find((v) => v.name === '/Common/a')!;
    expect(a.state).toBe('disabled');
  });

  test('a port in use makes only that virtual offline, with the reason, and it is retried with backoff', async () => {
    world.busy.add(2525);
    source.edit((s) => s.virtuals.push(virtual('a', 2525), virtual('b', 2526)));
    const { logger, lines } = captureLogger();
    await startPlane(logger);
    expect(world.listening('/Common/b')).toHaveLength(1);
    const a = plane!.status().virtuals.find((v) => v.name === '/Common/a')!;
    expect(a.availability).toBe('offline');
    expect(a.reason).toMatch(/address already in use.*EADDRINUSE.*retry in/);
    expect(lines.some((l) => l.level === 50 && String(l.msg).includes('/Common/a') && String(l.msg).includes('retry in'))).toBe(true);
    expect(lines.map((l) => l.msg)).toContain('01071682:5: SNMP_TRAP: Virtual /Common/a has become unavailable');
    world.busy.delete(2525);
    await waitFor(() => world.listening('/Common/a').length === 1, 5000, 'a listening after the port is freed');
    await waitFor(() => lines.some((l) => l.msg === '01071681:5: SNMP_TRAP: Virtual /Common/a has become available'), 5000, 'available log');
  });

  test('retries of a busy port back off: 100 ms, 200 ms, then 400 ms apart (the cap)', async () => {
    useFakeClock();
    world.busy.add(2525);
    source.edit((s) => s.virtuals.push(virtual('a', 2525)));
    const t0 = Date.now();
    await startPlane();
    const tries: number[] = [];
    let seen = 0;
    // Polls run every 20 ms; a retry is due at the first poll at or after its time.
    for (;;) {
      const n = world.events.filter((e) => e === 'listen /Common/a 2525').length;
      for (; seen < n; seen++) tries.push(Date.now() - t0);
      if (Date.now() - t0 >= 1200) break;
      await jest.advanceTimersByTimeAsync(10);
    }
    expect(tries).toEqual([0, 100, 300, 700, 1100]);
  });

  test('a cipher string OpenSSL rejects is not retried until the configuration changes', async () => {
    useFakeClock();
    source.edit((s) => s.virtuals.push(virtual('a', 2525, { clientSsl: ssl('BAD') })));
    await startPlane();
    // A minute of polls (every 20 ms, backoff base 100 ms): no retry.
    await jest.advanceTimersByTimeAsync(60_000);
    expect(world.events.filter((e) => e.startsWith('listen /Common/a'))).toHaveLength(1);
    const a = plane!.status().virtuals[0];
    expect(a.availability).toBe('offline');
    expect(a.reason).toContain('01071ac2:3: Client SSL profile (/Common/cssl) cannot be loaded');
    source.edit((s) => (s.virtuals[0].clientSsl = ssl('HIGH')));
    await jest.advanceTimersByTimeAsync(20);
    expect(world.listening('/Common/a')).toHaveLength(1);
  });

  test('a bad edit to a working virtual leaves the old configuration serving', async () => {
    source.edit((s) => s.virtuals.push(virtual('a', 2525, { clientSsl: ssl('HIGH') })));
    await startPlane();
    const [listener] = world.listening('/Common/a');
    source.edit((s) => (s.virtuals[0].clientSsl = ssl('BAD')));
    await waitFor(() => listener.updates === 1, 1000, 'update attempt');
    await new Promise((r) => setTimeout(r, 200));
    expect(listener.updates).toBe(1);
    expect(world.listening('/Common/a')).toEqual([listener]);
    expect(listener.spec.clientSsl!.ciphers).toBe('HIGH');
    expect(plane!.status().virtuals[0].reason).toContain('the last configuration change was not applied: 01071ac2:3:');
  });

  test('a profile change updates in place; a destination change opens the new listener before draining the old', async () => {
    source.edit((s) => s.virtuals.push(virtual('a', 2525)));
    await startPlane();
    const [first] = world.listening('/Common/a');
    first.stats.clientTotConns = 7;
    source.edit((s) => (s.virtuals[0].idleTimeout = 60));
    await waitFor(() => first.updates === 1, 1000);
    expect(world.listening('/Common/a')).toEqual([first]);
    source.edit((s) => (s.virtuals[0].port = 2600));
    await waitFor(() => first.state === 'closed', 1000, 'old drained');
    const tail = world.events.slice(-2);
    expect(tail).toEqual(['listen /Common/a 2600', 'drain /Common/a 2525 1234']);
    const [second] = world.listening('/Common/a');
    second.stats.clientTotConns = 2;
    // Statistics stay cumulative across listeners.
    expect(plane!.status().virtuals[0].stats.clientTotConns).toBe(9);
  });

  test('a burst of changes coalesces into few runs', async () => {
    await startPlane();
    const before = source.reads;
    for (let i = 0; i < 50; i++) source.edit((s) => s.virtuals.push(virtual(`v${i}`, 3000 + i)));
    await waitFor(() => world.listeners.length === 50, 1000);
    expect(source.reads - before).toBeLessThanOrEqual(2);
  });

  test('a source that fails to read keeps what runs, logs once, and catches up when it reads again', async () => {
    useFakeClock();
    source.edit((s) => s.virtuals.push(virtual('a', 2525)));
    const { logger, lines } = captureLogger();
    await startPlane(logger);
    const read = source.read.bind(source);
    source.read = () => {
      throw new Error('database is locked');
    };
    source.edit((s) => (s.virtuals = []));
    // Ten seconds of failing reads (retried each second): what runs stays, one log line.
    await jest.advanceTimersByTimeAsync(10_000);
    expect(world.listening('/Common/a')).toHaveLength(1);
    expect(lines.filter((l) => String(l.msg).startsWith('cannot read the desired configuration'))).toHaveLength(1);
    source.read = read;
    await jest.advanceTimersByTimeAsync(1000);
    expect(world.listening('/Common/a')).toHaveLength(0);
  });

  test('stop() drains every listener and writes a last report', async () => {
    source.edit((s) => s.virtuals.push(virtual('a', 2525), virtual('b', 2526)));
    await startPlane();
    const n = sink.reports.length;
    await plane!.stop();
    expect(world.listeners.map((l) => l.state)).toEqual(['closed', 'closed']);
    expect(sink.reports.length).toBeGreaterThan(n);
  });

  test('status goes to the sink once per interval, not per event', async () => {
    useFakeClock();
    await startPlane();
    expect(sink.reports).toHaveLength(1);
    // 50 ms interval; 25 configuration changes in that time change nothing.
    for (let i = 0; i < 25; i++) {
      source.edit((s) => s.virtuals.push(virtual(`v${i}`, 3000 + i)));
      await jest.advanceTimersByTimeAsync(10);
    }
    expect(sink.reports).toHaveLength(1 + 5);
  });
});

test('stop() during start() leaves nothing running', async () => {
  const world = new FakeWorld();
  const source = new FakeSource();
  source.edit((s) => s.virtuals.push(virtual('a', 2525)));
  const plane = new DataPlane({ source, sink: new CaptureSink(), logger: pino({ level: 'silent' }), createListener: world.factory, pollIntervalMs: 10 });
  const starting = plane.start();
  const stopping = plane.stop();
  await Promise.all([starting, stopping]);
  const reads = source.reads;
  source.edit((s) => s.virtuals.push(virtual('b', 2526)));
  await new Promise((r) => setTimeout(r, 100));
  // No poll after stop: the new generation is never read, and every listener is closed.
  expect(source.reads).toBe(reads);
  expect(world.listeners.every((l) => l.state === 'closed')).toBe(true);
});
