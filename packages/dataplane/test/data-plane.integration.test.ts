import { connect, createServer } from 'node:net';
import pino from 'pino';
import { DataPlane } from '@openltm/dataplane';
import type { MemberSpec, PoolSpec } from '@openltm/dataplane';
import { CaptureSink, FakeSource, virtual } from './helpers/fake-plane';
import { TestBackend, waitFor } from './helpers/smtp-backend';
import { firstLine, freePort } from './helpers/sockets';

/**
 * Connects again and again until the first line satisfies `accept` (the event a test waits for),
 * giving up after a generous bound; returns the last line seen.
 */
async function lineWhen(port: number, accept: (line: string) => boolean, limitMs = 10_000): Promise<string> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const line = await firstLine(port);
    if (accept(line) || Date.now() > deadline) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An open client session: send a line, read the next reply line. */
async function openSession(port: number): Promise<{ send: (line: string) => Promise<string>; close: () => void; greeting: string }> {
  const s = connect({ host: '127.0.0.1', port });
  s.on('error', () => undefined);
  let buf = '';
  const waiters: Array<(l: string) => void> = [];
  s.on('data', (d) => {
    buf += d.toString('latin1');
    let i: number;
    while ((i = buf.indexOf('\r\n')) >= 0 && waiters.length > 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (/^\d{3}-/.test(line)) continue;
      waiters.shift()!(line);
    }
  });
  s.on('close', () => waiters.splice(0).forEach((w) => w('closed')));
  const next = (): Promise<string> => new Promise((r) => waiters.push(r));
  const greeting = await next();
  return { greeting, send: (line) => (s.write(`${line}\r\n`), next()), close: () => s.destroy() };
}

const member = (port: number, over: Partial<MemberSpec> = {}): MemberSpec => ({
  name: `/Common/127.0.0.1:${port}`, address: '127.0.0.1', port, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled', ...over,
});

describe('DataPlane with real listeners', () => {
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
    await plane?.stop();
    plane = undefined;
    await backend.stop();
  });

  function pool(over: Partial<PoolSpec> = {}): PoolSpec {
    return { name: '/Common/p', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: { monitors: [], minimum: 'all' }, members: [member(backend.port)], ...over };
  }

  async function startPlane(): Promise<void> {
    plane = new DataPlane({ source, sink, logger: pino({ level: 'silent' }), drainTimeoutMs: 500, statusIntervalMs: 100 });
    await plane.start();
  }

  test('a new virtual accepts after the first poll that sees its generation; disabling it refuses new connections', async () => {
    const port = await freePort();
    source.edit((s) => s.pools.push(pool()));
    await startPlane();
    expect(await firstLine(port)).toBe('ECONNREFUSED');

    const readsBefore = source.reads;
    source.edit((s) => s.virtuals.push(virtual('vs', port)));
    const line = await lineWhen(port, (l) => l.startsWith('220'));
    expect(line).toMatch(/^220 /);
    // One read of the new generation put it in service (not a retry, not a later full pass).
    expect(source.reads - readsBefore).toBe(1);
    expect(backend.connections).toBeGreaterThanOrEqual(1);

    source.edit((s) => (s.virtuals[0].enabled = false));
    await waitFor(() => plane!.status().virtuals[0]?.state === 'disabled', 10_000);
    expect(await lineWhen(port, (l) => !l.startsWith('220'))).toBe('ECONNREFUSED');
  });

  test('no member may take the session: the client gets 421 4.3.2 and the member status says why', async () => {
    const port = await freePort();
    source.edit((s) => {
      s.pools.push(pool({ members: [member(backend.port, { state: 'user-down' })] }));
      s.virtuals.push(virtual('vs', port));
    });
    plane = new DataPlane({ source, sink, logger: pino({ level: 'silent' }), hostname: 'mx.openltm.test' });
    await plane.start();
    expect(await firstLine(port)).toBe('421 4.3.2 mx.openltm.test Service not available, closing transmission channel');
    const m = plane!.status().members[0];
    expect(m.availability).toBe('offline');
    expect(m.reason).toBe('Pool member has been forced offline by the user');
  });

  test('a monitor marks a stopped backend down (421 to new clients) and up again when it returns', async () => {
    const port = await freePort();
    source.edit((s) => {
      s.monitors.push({ name: '/Common/smtp_mon', type: 'smtp', interval: 0.1, timeout: 0.4, domain: 'openltm.test', destination: '*:*' });
      s.pools.push(pool({ monitor: { monitors: ['/Common/smtp_mon'], minimum: 'all' } }));
      s.virtuals.push(virtual('vs', port));
    });
    await startPlane();
    await waitFor(() => plane!.status().members[0].monitorStatus === 'up', 1000, 'member up');
    expect(plane!.status().virtuals[0].availability).toBe('available');
    const backendPort = backend.port;
    await backend.stop();
    await waitFor(() => plane!.status().members[0].monitorStatus === 'down', 1000, 'member down');
    expect(plane!.status().virtuals[0]).toMatchObject({ availability: 'offline', reason: 'The children pool member(s) are down' });
    expect(await firstLine(port)).toMatch(/^421 4\.3\.2 /);
    await backend.start(backendPort);
    await waitFor(() => plane!.status().members[0].monitorStatus === 'up', 1000, 'member up again');
    expect(await firstLine(port)).toMatch(/^220 /);
    // One session reached the member (the one refused with 421 never leased it).
    await waitFor(() => sink.last?.members[0]?.stats.totConns === 1, 1000, 'member counters in the report');
  });

  test('two backends: one stops, every new session goes to the other without an error; it returns and takes traffic again', async () => {
    const second = new TestBackend();
    await second.start();
    try {
      const port = await freePort();
      source.edit((s) => {
        s.monitors.push({ name: '/Common/smtp_mon', type: 'smtp', interval: 0.1, timeout: 0.4, domain: 'openltm.test', destination: '*:*' });
        s.pools.push(pool({ monitor: { monitors: ['/Common/smtp_mon'], minimum: 'all' }, members: [member(backend.port), member(second.port)] }));
        s.virtuals.push(virtual('vs', port));
      });
      await startPlane();
      await waitFor(() => plane!.status().members.every((m) => m.monitorStatus === 'up'), 1000, 'both members up');
      const totals = (): number[] => plane!.status().members.map((m) => m.stats.totConns);

      const firstPort = backend.port;
      await backend.stop();
      await waitFor(() => plane!.status().members[0].monitorStatus === 'down', 1000, 'first member down');
      const before = totals();
      for (let i = 0; i < 6; i++) expect(await firstLine(port)).toMatch(/^220 /);
      const after = totals();
      expect([after[0] - before[0], after[1] - before[1]]).toEqual([0, 6]);

      await backend.start(firstPort);
      await waitFor(() => plane!.status().members[0].monitorStatus === 'up', 1000, 'first member up again');
      const back = totals();
      for (let i = 0; i < 4; i++) expect(await firstLine(port)).toMatch(/^220 /);
      const end = totals();
      expect([end[0] - back[0], end[1] - back[1]]).toEqual([2, 2]); // round robin over both again
    } finally {
      await plane?.stop();
      plane = undefined;
      await second.stop();
    }
  });

  test('a destination change opens the new port, refuses the old one, and lets running sessions finish', async () => {
    const oldPort = await freePort();
    const newPort = await freePort();
    source.edit((s) => {
      s.pools.push(pool());
      s.virtuals.push(virtual('vs', oldPort));
    });
    await startPlane();
    const running = await openSession(oldPort);
    expect(running.greeting).toMatch(/^220 /);
    expect(await running.send('EHLO client.test')).toMatch(/^250 /);

    source.edit((s) => (s.virtuals[0].port = newPort));
    expect(await lineWhen(newPort, (l) => l.startsWith('220'))).toMatch(/^220 /);
    expect(await firstLine(oldPort)).toBe('ECONNREFUSED');
    // The session that started on the old listener carries on.
    expect(await running.send('NOOP')).toMatch(/^250 /);
    running.close();
  });

  test('deleting one virtual and creating another on its port in one generation hands the port over', async () => {
    const port = await freePort();
    source.edit((s) => {
      s.pools.push(pool());
      s.virtuals.push(virtual('old', port));
    });
    await startPlane();
    source.edit((s) => (s.virtuals = [virtual('new', port)]));
    await waitFor(() => plane!.status().generation === source.state.generation, 1000);
    expect(plane!.status().virtuals).toEqual([expect.objectContaining({ name: '/Common/new', availability: 'unknown' })]);
    expect(await firstLine(port)).toMatch(/^220 /);
  });

  test('a port held by another process: the virtual is offline with the reason, and serves once the port is free', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    source.edit((s) => {
      s.pools.push(pool());
      s.virtuals.push(virtual('vs', port));
    });
    plane = new DataPlane({ source, sink, logger: pino({ level: 'silent' }), backoff: { baseMs: 50, maxMs: 100 } });
    await plane.start();
    expect(plane.status().virtuals[0]).toMatchObject({ availability: 'offline', reason: expect.stringContaining('address already in use') });
    await new Promise((r) => blocker.close(r));
    await waitFor(() => plane!.status().virtuals[0].availability !== 'offline', 1000, 'virtual listening after retry');
    expect(await firstLine(port)).toMatch(/^220 /);
  });
});
