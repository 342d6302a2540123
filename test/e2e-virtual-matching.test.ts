/**
 * Virtual server matching end to end, as BIG-IP does it: the real tmsh creates network,
 * wildcard and source-restricted virtuals (destination, mask, source), the real `openltm daemon`
 * (worker processes, and one process) accepts on loopback, and which virtual took a connection
 * is read from the greeting of its pool's member: one Postfix smtp-sink per pool, each greeting
 * with its own name (`smtp-sink -h NAME`). 127.0.0.0/8 is local on loopback, so 127.0.1.9 is
 * delivered without any AnyIP route.
 */
import * as net from 'node:net';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { spawnDaemon, terminate, waitForExit } from './support/daemon-process';
import { freePort } from './support/ports';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';

jest.setTimeout(120_000);

/** What a client saw: the greeting line, or how the connection ended without one. */
type Outcome = { greeting: string } | { ended: 'refused' | 'reset' | 'closed'; bytes: number };

/** Connects to host:port (from `localAddress` if given) and reads the first line. */
function greet(host: string, port: number, localAddress?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, ...(localAddress ? { localAddress } : {}) });
    let buf = '';
    let bytes = 0;
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n');
      if (end >= 0) {
        resolve({ greeting: buf.slice(0, end) });
        s.end('QUIT\r\n');
        s.destroy();
      }
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve({ ended: e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ECONNRESET' ? 'reset' : 'closed', bytes }));
    s.on('close', () => resolve({ ended: 'closed', bytes }));
  });
}

/** The smtp-sink name in a greeting (`220 net-sink ESMTP`), or how the connection ended. */
async function who(host: string, port: number, localAddress?: string): Promise<string> {
  const o = await greet(host, port, localAddress);
  if ('greeting' in o) return /^220 (\S+)/.exec(o.greeting)?.[1] ?? o.greeting;
  return `${o.ended}:${o.bytes}`;
}

const NAMES = ['net-sink', 'host-sink', 'wild-sink', 'two-sink', 'three-sink'] as const;
type SinkName = (typeof NAMES)[number];

describe.each([
  ['worker processes', [] as string[]],
  ['one process', ['--workers', '0']],
])('virtual matching (%s)', (_mode, daemonArgs) => {
  let ltm: OpenltmInstance;
  const sinks = {} as Record<SinkName, SmtpSink>;
  const port = { shared: 0, wild: 0, source: 0, load: 0, far: 0 };

  beforeAll(async () => {
    ltm = createOpenltm();
    for (const name of NAMES) {
      sinks[name] = await startSmtpSink({ args: ['-h', name] });
      await ltm.tmshOk(`create ltm pool p_${name} members replace-all-with { 127.0.0.1:${sinks[name].port} { address 127.0.0.1 } }`);
    }
    for (const key of Object.keys(port) as (keyof typeof port)[]) port[key] = await freePort();
    await ltm.tmshOk(`create ltm virtual vs_net destination 127.0.1.0/24:${port.shared} pool p_net-sink`);
    await ltm.tmshOk(`create ltm virtual vs_host destination 127.0.1.5:${port.shared} pool p_host-sink`);
    await ltm.tmshOk(`create ltm virtual vs_wild destination 0.0.0.0:${port.wild} mask any pool p_wild-sink`);
    await ltm.tmshOk(`create ltm virtual vs_local destination 127.0.0.1:${port.wild} pool p_host-sink`);
    await ltm.tmshOk(`create ltm virtual vs_two destination 127.0.0.1:${port.source} source 127.0.0.2/32 pool p_two-sink`);
    await ltm.tmshOk(`create ltm virtual vs_three destination 127.0.0.1:${port.source} source 127.0.0.3 pool p_three-sink`);
    await ltm.tmshOk(`create ltm virtual vs_load_net destination 127.0.4.0:${port.load} mask 255.255.255.0 pool p_net-sink`);
    await ltm.tmshOk(`create ltm virtual vs_far destination 10.99.0.0/24:${port.far} pool p_net-sink`);
    await ltm.startDaemon(daemonArgs);
    await eventually(() => who('127.0.1.5', port.shared), (w) => w === 'host-sink', 15_000, 50);
  });

  afterAll(async () => {
    await ltm?.stop();
    for (const s of Object.values(sinks)) await s.stop();
  });

  test('a /24 network virtual and a host virtual share a port: the host address reaches the host virtual, the rest of the /24 the network one', async () => {
    expect(await who('127.0.1.5', port.shared)).toBe('host-sink');
    expect(await who('127.0.1.9', port.shared)).toBe('net-sink');
    expect(await who('127.0.1.0', port.shared)).toBe('net-sink');
    // 127.0.2.1 is local too, but outside the /24: no virtual matches it.
    expect(await who('127.0.2.1', port.shared)).toBe('reset:0');
    const shown = await ltm.tmshOk('show ltm virtual vs_net');
    expect(shown).toMatch(new RegExp(`Destination +: 127\\.0\\.1\\.0/24:${port.shared}`));
  });

  test('a wildcard 0.0.0.0 mask any coexists with a specific 127.0.0.1 on one port', async () => {
    expect(await who('127.0.0.1', port.wild)).toBe('host-sink');
    expect(await who('127.0.0.7', port.wild)).toBe('wild-sink');
    expect(await who('127.8.9.10', port.wild)).toBe('wild-sink');
    expect(ltm.daemonLog()).not.toMatch(/EADDRINUSE/);
  });

  test('two virtuals with one destination and different sources split clients bound to 127.0.0.2 and 127.0.0.3', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await who('127.0.0.1', port.source, '127.0.0.2')).toBe('two-sink');
      expect(await who('127.0.0.1', port.source, '127.0.0.3')).toBe('three-sink');
    }
    // One socket serves both: each virtual counts its own three connections.
    const two = await eventually(() => ltm.tmshOk('show ltm virtual vs_two raw'), (out) => /Total Connections +3 /.test(out), 5000, 100);
    expect(two).toMatch(/Total Connections +3 /);
    const three = await eventually(() => ltm.tmshOk('show ltm virtual vs_three raw'), (out) => /Total Connections +3 /.test(out), 5000, 100);
    expect(three).toMatch(/Total Connections +3 /);
    expect(two).toMatch(/Source +: 127\.0\.0\.2\/32/);
  });

  test('a connection that matches no virtual is closed without a greeting, and counted on its port', async () => {
    const before = await ltm.tmshOk('show ltm virtual vs_two raw');
    const counted = (out: string) => Number(/Port Resets: No Virtual Matched +(\d+)/.exec(out)?.[1] ?? NaN);
    const n0 = counted(before);
    // From 127.0.0.4: neither source matches.
    expect(await who('127.0.0.1', port.source, '127.0.0.4')).toBe('reset:0');
    expect(await who('127.0.0.1', port.source, '127.0.0.4')).toBe('reset:0');
    const after = await eventually(() => ltm.tmshOk('show ltm virtual vs_three raw'), (out) => counted(out) === n0 + 2, 5000, 100);
    expect(counted(after)).toBe(n0 + 2);
  });

  test('a disabled more specific virtual resets its connections instead of passing them to the network virtual', async () => {
    await ltm.tmshOk('modify ltm virtual vs_host disabled');
    expect(await eventually(() => who('127.0.1.5', port.shared), (w) => w !== 'host-sink', 10_000, 50)).toBe('reset:0');
    expect(await who('127.0.1.6', port.shared)).toBe('net-sink');
    await ltm.tmshOk('modify ltm virtual vs_host enabled');
    expect(await eventually(() => who('127.0.1.5', port.shared), (w) => w === 'host-sink', 10_000, 50)).toBe('host-sink');
  });

  test('a network virtual whose addresses are not local says so in show', async () => {
    const shown = await eventually(() => ltm.tmshOk('show ltm virtual vs_far'), (out) => /not deliverable/.test(out), 10_000, 100);
    expect(shown).toMatch(/not deliverable on this host: no address of this host or AnyIP route covers 10\.99\.0\.0\/24/);
    expect(await ltm.tmshOk('show ltm virtual vs_net')).not.toMatch(/not deliverable/);
  });

  test('creating and deleting a more specific virtual under load refuses no connection', async () => {
    const seen: Record<string, number> = {};
    let stop = false;
    const clients = [0, 1, 2, 3].map(async () => {
      while (!stop) {
        const w = await who('127.0.4.5', port.load);
        seen[w] = (seen[w] ?? 0) + 1;
      }
    });
    const countOf = (name: string) => () => seen[name] ?? 0;
    for (let round = 0; round < 3; round++) {
      const host = countOf('host-sink')();
      await ltm.tmshOk(`create ltm virtual vs_load_host destination 127.0.4.5:${port.load} pool p_host-sink`);
      // Taken over by the host virtual as soon as it is applied: wait for connections to reach it.
      await eventually(countOf('host-sink'), (n) => n >= host + 20, 30_000, 20);
      const net = countOf('net-sink')();
      await ltm.tmshOk('delete ltm virtual vs_load_host');
      await eventually(countOf('net-sink'), (n) => n >= net + 20, 30_000, 20);
    }
    stop = true;
    await Promise.all(clients);
    // Every connection was greeted by one of the two virtuals' members: none refused, reset or closed.
    expect(Object.keys(seen).sort()).toEqual(['host-sink', 'net-sink']);
    expect(seen['host-sink']).toBeGreaterThanOrEqual(60);
  });
});

describe('seamless restart with a network virtual', () => {
  let ltm: OpenltmInstance;
  let net24: SmtpSink;
  let host: SmtpSink;
  const pids: number[] = [];

  afterAll(async () => {
    for (const pid of pids) await terminate(pid);
    await ltm?.stop();
    await net24?.stop();
    await host?.stop();
  });

  test('SIGUSR2 hands the wildcard socket to the new daemon: clients of the network and the host virtual are never refused', async () => {
    ltm = createOpenltm();
    net24 = await startSmtpSink({ args: ['-h', 'net-sink'] });
    host = await startSmtpSink({ args: ['-h', 'host-sink'] });
    const p = await freePort();
    await ltm.tmshOk(`create ltm pool p_net members replace-all-with { 127.0.0.1:${net24.port} { address 127.0.0.1 } }`);
    await ltm.tmshOk(`create ltm pool p_host members replace-all-with { 127.0.0.1:${host.port} { address 127.0.0.1 } }`);
    await ltm.tmshOk(`create ltm virtual vs_net destination 127.0.6.0/24:${p} pool p_net`);
    await ltm.tmshOk(`create ltm virtual vs_host destination 127.0.6.5:${p} pool p_host`);
    const d = spawnDaemon(ltm.storePath, ['--workers', '2', '--drain-timeout', '3']);
    pids.push(d.child.pid!);
    await d.waitForLine((l) => l.msg === 'openltm daemon running', 'daemon running');
    await eventually(() => who('127.0.6.5', p), (w) => w === 'host-sink', 10_000, 50);

    const seen: Record<string, number> = {};
    let stop = false;
    const loops = ['127.0.6.5', '127.0.6.77'].map(async (address) => {
      while (!stop) {
        const w = await who(address, p);
        seen[`${address} ${w}`] = (seen[`${address} ${w}`] ?? 0) + 1;
      }
    });
    const total = () => Object.values(seen).reduce((a, b) => a + b, 0);
    await eventually(total, (n) => n >= 20, 30_000, 10);
    const oldPid = d.child.pid!;
    process.kill(oldPid, 'SIGUSR2');
    const took = await d.waitForLine((l) => l.msg === 'restart: took over the listening sockets', 'new daemon took over');
    pids.push(took.pid as number);
    await waitForExit(oldPid);
    const after = total();
    await eventually(total, (n) => n >= after + 20, 30_000, 10);
    stop = true;
    await Promise.all(loops);
    expect(Object.keys(seen).sort()).toEqual(['127.0.6.5 host-sink', '127.0.6.77 net-sink']);
    // The new daemon bound nothing itself: it listens on the inherited wildcard.
    expect(d.matching((l) => l.pid === took.pid && l.msg === 'listening socket opened').map((l) => [l.address, l.inherited])).toEqual([['0.0.0.0', true]]);
  });
});
