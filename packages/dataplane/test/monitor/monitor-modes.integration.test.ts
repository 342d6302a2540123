/**
 * Monitor modes over real sockets: a DataPlane with a real listener, real SMTP backends as
 * members and real probes. Each test waits for events (status changes, probe counts), never
 * for a wall-clock window.
 */
import { DataPlane } from '@openltm/dataplane';
import type { MemberSpec, MonitorSpec, PoolSpec } from '@openltm/dataplane';
import { CaptureSink, FakeSource, virtual } from '../helpers/fake-plane';
import { TestBackend, captureLogger, waitFor } from '../helpers/smtp-backend';
import { firstLine, freePort } from '../helpers/sockets';

const member = (port: number, over: Partial<MemberSpec> = {}): MemberSpec => ({
  name: `/Common/127.0.0.1:${port}`, address: '127.0.0.1', port, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled', ...over,
});

describe('monitor modes through the data plane', () => {
  let backend: TestBackend;
  let plane: DataPlane | undefined;
  let source: FakeSource;
  let port: number;
  const log = captureLogger('info');

  beforeEach(async () => {
    backend = new TestBackend();
    await backend.start();
    source = new FakeSource();
    log.lines.length = 0;
  });
  afterEach(async () => {
    await plane?.stop();
    plane = undefined;
    await backend.stop();
  });

  async function start(monitor: MonitorSpec, over: Partial<PoolSpec> = {}): Promise<void> {
    port = await freePort();
    source.edit((s) => {
      s.monitors.push(monitor);
      s.pools.push({ name: '/Common/p', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: { monitors: [monitor.name], minimum: 'all' }, members: [member(backend.port)], ...over });
      s.virtuals.push(virtual('vs', port));
    });
    plane = new DataPlane({ source, sink: new CaptureSink(), logger: log.logger, hostname: 'mx.openltm.test', drainTimeoutMs: 200, statusIntervalMs: 50 });
    await plane.start();
  }
  const status = () => plane!.status().members[0];
  const sessions = () => status().stats.totConns;

  test('reverse: a greeting matching recv marks the member down at once, long before the timeout; a greeting that does not match brings it back', async () => {
    // timeout 60 s: a down that waited for it would time the test out.
    await start({ name: '/Common/maint', type: 'tcp', interval: 0.05, timeout: 60, destination: '*:*', send: 'QUIT\\r\\n', recv: '^421', reverse: true });
    await waitFor(() => status().monitorStatus === 'up', 2000, 'member up');
    expect(await firstLine(port)).toBe('220 backend.test ESMTP');

    backend.greeting = '421 4.3.2 backend.test going down for maintenance';
    await waitFor(() => status().monitorStatus === 'down', 2000, 'member down on the matching reply');
    expect(status().reason).toBe('Pool member has been marked down by a monitor');
    const before = sessions();
    expect(await firstLine(port)).toMatch(/^421 4\.3\.2 mx\.openltm\.test /);
    expect(sessions()).toBe(before);

    backend.greeting = '220 backend.test ESMTP';
    await waitFor(() => status().monitorStatus === 'up', 2000, 'member up again');
    expect(await firstLine(port)).toBe('220 backend.test ESMTP');
  });

  test('manual-resume: a member back from down stays down-manual-resume, takes no sessions, until the administrator resumes it', async () => {
    await start({ name: '/Common/smtp_mr', type: 'smtp', interval: 0.05, timeout: 0.3, domain: 'probe.test', destination: '*:*', manualResume: true });
    await waitFor(() => status().monitorStatus === 'up', 2000, 'member up');
    const memberPort = backend.port;
    await backend.stop();
    await waitFor(() => status().monitorStatus === 'down', 2000, 'member down');

    await backend.start(memberPort);
    await waitFor(() => status().monitorStatus === 'down-manual-resume', 2000, 'probes pass, member held');
    expect(status()).toMatchObject({ availability: 'offline', reason: 'Pool member has been marked down by a monitor and waits for manual resume' });
    expect(log.lines.map((l) => l.msg)).toContain(
      `01070638:5: Pool /Common/p member /Common/127.0.0.1:${memberPort} monitor status down-manual-resume. [ /Common/smtp_mr: down; probes pass, waiting for manual resume ]`,
    );
    // Held through many passing probes: still down, and clients are refused, not sent to it.
    const probesSeen = backend.connections;
    await waitFor(() => backend.connections >= probesSeen + 5, 2000, 'five more passing probes');
    expect(status().monitorStatus).toBe('down-manual-resume');
    const before = sessions();
    expect(await firstLine(port)).toMatch(/^421 4\.3\.2 /);
    expect(sessions()).toBe(before);

    source.edit((s) => (s.pools[0].members[0].resumeToken = 1)); // what the store sends on `members modify { m { session user-enabled } }`
    await waitFor(() => status().monitorStatus === 'up', 2000, 'member resumed');
    expect(status().availability).toBe('available');
    expect(await firstLine(port)).toBe('220 backend.test ESMTP');
  });

  test('without manual-resume the same member comes back by itself', async () => {
    await start({ name: '/Common/smtp_auto', type: 'smtp', interval: 0.05, timeout: 0.3, domain: 'probe.test', destination: '*:*' });
    await waitFor(() => status().monitorStatus === 'up', 2000, 'member up');
    const memberPort = backend.port;
    await backend.stop();
    await waitFor(() => status().monitorStatus === 'down', 2000, 'member down');
    await backend.start(memberPort);
    await waitFor(() => status().monitorStatus === 'up', 2000, 'member up again');
  });

  test('time-until-up: a recovered member needs several passing probes before it is up', async () => {
    // 0.4 s of success at 0.05 s intervals: about 9 probes; without time-until-up, the first one.
    await start({ name: '/Common/slow_up', type: 'smtp', interval: 0.05, timeout: 0.2, timeUntilUp: 0.4, domain: 'probe.test', destination: '*:*' });
    const memberPort = backend.port;
    await backend.stop();
    await waitFor(() => status().monitorStatus === 'down', 2000, 'member down');
    await backend.start(memberPort); // counts probes from here
    await waitFor(() => status().monitorStatus === 'up', 3000, 'member up after time-until-up');
    expect(backend.connections).toBeGreaterThanOrEqual(5);
  });

  test('up-interval longer than the timeout: a healthy member is probed rarely and never marked down', async () => {
    await start({ name: '/Common/calm', type: 'smtp', interval: 0.02, upInterval: 0.3, timeout: 0.1, domain: 'probe.test', destination: '*:*' });
    await waitFor(() => status().monitorStatus === 'up', 2000, 'member up');
    const probes = backend.connections;
    await waitFor(() => backend.connections >= probes + 3, 3000, 'three up-interval probes');
    expect(status().monitorStatus).toBe('up');
    expect(log.lines.filter((l) => String(l.msg).includes('monitor status down'))).toEqual([]);
  });

  test('transparent is off: a monitor destination is probed directly, and the member follows it', async () => {
    const other = new TestBackend();
    await other.start();
    try {
      await start({ name: '/Common/via_dest', type: 'tcp', interval: 0.05, timeout: 0.2, destination: `127.0.0.1:${other.port}` });
      await waitFor(() => status().monitorStatus === 'up', 2000, 'member up');
      const memberConnections = backend.connections;
      await other.stop();
      await waitFor(() => status().monitorStatus === 'down', 2000, 'member down with its destination');
      expect(backend.connections).toBe(memberConnections); // the member itself was never probed
    } finally {
      await other.stop();
    }
  });
});
