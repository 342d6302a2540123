/**
 * PortSockets on real loopback sockets: host virtuals bind their own addresses, a network or
 * wildcard virtual moves the port to the wildcard and back, a virtual that a bound socket already
 * covers opens nothing, and a wildcard that cannot bind gives the host sockets back.
 */
import * as net from 'node:net';
import { PortSockets } from '../../src/listener/port-sockets';
import type { VirtualSpec } from '../../src/desired-state';
import { silentLogger } from '../support/harness';
import { freePort } from '../helpers/sockets';

const spec = (name: string, address: string, port: number, prefix?: number): VirtualSpec => ({
  name, enabled: true, address, port, ...(prefix !== undefined ? { prefix } : {}), idleTimeout: 300, connectionLimit: 0,
});

/** Connects to host:port; 'accepted' once the socket handler ran, else the error code. */
function connect(host: string, port: number, accepted: string[]): Promise<string> {
  return new Promise((resolve) => {
    const before = accepted.length;
    const c = net.connect({ host, port });
    c.on('connect', () => {
      const wait = () => (accepted.length > before ? (c.destroy(), resolve('accepted')) : setImmediate(wait));
      wait();
    });
    c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

let ports: PortSockets;
let accepted: string[];
const owners = { a: {}, b: {}, net: {}, c: {} };
beforeEach(() => {
  accepted = [];
  ports = new PortSockets({
    logger: silentLogger,
    onConnection: (sock) => {
      accepted.push(`${sock.localAddress}:${sock.localPort}`);
      sock.destroy();
    },
  });
});
afterEach(() => ports.closeAll());

const bound = () => ports.bound().map((b) => `${b.address}|${b.port}`).sort();

it('host virtuals bind their own addresses only; a network virtual moves the port to the wildcard and back', async () => {
  const p = await freePort();
  await ports.claim(owners.a, spec('a', '127.0.0.1', p));
  await ports.claim(owners.b, spec('b', '127.0.0.2', p));
  expect(bound()).toEqual([`127.0.0.1|${p}`, `127.0.0.2|${p}`]);
  expect(await connect('127.0.0.3', p, accepted)).toBe('ECONNREFUSED');
  await ports.claim(owners.net, spec('net', '127.0.5.0', p, 24));
  expect(bound()).toEqual([`0.0.0.0|${p}`]);
  expect(await connect('127.0.0.1', p, accepted)).toBe('accepted');
  expect(await connect('127.0.5.9', p, accepted)).toBe('accepted');
  await ports.release(owners.net);
  expect(bound()).toEqual([`127.0.0.1|${p}`, `127.0.0.2|${p}`]);
  expect(await connect('127.0.0.2', p, accepted)).toBe('accepted');
  expect(await connect('127.0.5.9', p, accepted)).toBe('ECONNREFUSED');
  await ports.release(owners.a);
  await ports.release(owners.b);
  expect(bound()).toEqual([]);
});

it('a host virtual under a bound wildcard opens and closes nothing', async () => {
  const p = await freePort();
  await ports.claim(owners.net, spec('net', '0.0.0.0', p, 0));
  const fd = ports.bound()[0].fd;
  await ports.claim(owners.a, spec('a', '127.0.0.1', p));
  await ports.release(owners.a);
  expect(ports.bound()).toEqual([{ address: '0.0.0.0', port: p, fd }]);
});

it('a wildcard another program blocks fails the claim and gives the host sockets back', async () => {
  const p = await freePort();
  await ports.claim(owners.a, spec('a', '127.0.0.1', p));
  const foreign = net.createServer().listen(p, '127.0.0.9');
  await new Promise((r) => foreign.once('listening', r));
  try {
    await expect(ports.claim(owners.net, spec('net', '127.0.0.0', p, 8))).rejects.toMatchObject({ code: 'EADDRINUSE', message: `cannot listen on 0.0.0.0:${p}: address already in use` });
    expect(bound()).toEqual([`127.0.0.1|${p}`]);
    expect(await connect('127.0.0.1', p, accepted)).toBe('accepted');
  } finally {
    await new Promise((r) => foreign.close(r));
  }
});

it('says when a virtual\'s addresses cannot reach this host (no local address, no AnyIP route)', async () => {
  const p = await freePort();
  expect(await ports.claim(owners.net, spec('net', '127.0.7.0', p, 24))).toBeUndefined();
  expect(await ports.claim(owners.c, spec('far', '10.99.0.0', p, 24))).toMatch(/^no address of this host or AnyIP route covers 10\.99\.0\.0\/24 \(10\.99\.0\.1 is not local\)/);
  expect(await ports.claim(owners.a, spec('farhost', '10.99.0.7', p))).toMatch(/^10\.99\.0\.7 is not an address of this host/);
});

it('IPv6: the wildcard :: is IPv6-only, beside the IPv4 wildcard of the same port', async () => {
  const p = await freePort();
  await ports.claim(owners.a, spec('v4', '0.0.0.0', p, 0));
  await ports.claim(owners.b, spec('v6', '::', p, 0));
  expect(bound()).toEqual([`0.0.0.0|${p}`, `::|${p}`]);
  expect(await connect('::1', p, accepted)).toBe('accepted');
  expect(await connect('127.0.0.1', p, accepted)).toBe('accepted');
});
