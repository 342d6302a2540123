/**
 * `load-balancing-mode` over real sockets: a DataPlane with a real listener in front of two real
 * SMTP backends. Sessions held open are the "long sessions"; the backends count what reached them.
 */
import { connect, type Socket } from 'node:net';
import pino from 'pino';
import { DataPlane } from '@openltm/dataplane';
import type { MemberSpec } from '@openltm/dataplane';
import { CaptureSink, FakeSource, virtual } from '../helpers/fake-plane';
import { TestBackend } from '../helpers/smtp-backend';
import { freePort } from '../helpers/sockets';

/** Connects through the proxy and resolves once the member's 220 greeting arrives; the session stays open. */
function openSession(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (/^220 .*\r\n/.test(buf)) resolve(s);
      else if (/^\d{3} .*\r\n/.test(buf)) reject(new Error(`no session: ${buf.trim()}`));
    });
    s.on('error', reject);
  });
}

/** A whole short session: greeting, QUIT, wait for the close. */
async function shortSession(port: number): Promise<void> {
  const s = await openSession(port);
  await new Promise<void>((resolve) => {
    s.on('close', () => resolve());
    s.end('QUIT\r\n');
  });
}

const member = (port: number, over: Partial<MemberSpec> = {}): MemberSpec => ({
  name: `/Common/127.0.0.1:${port}`, address: '127.0.0.1', port, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled', ...over,
});

describe('load-balancing modes through the data plane', () => {
  let a: TestBackend;
  let b: TestBackend;
  let plane: DataPlane | undefined;
  const open: Socket[] = [];

  beforeEach(async () => {
    a = new TestBackend();
    b = new TestBackend();
    await a.start();
    await b.start();
  });
  afterEach(async () => {
    for (const s of open.splice(0)) s.destroy();
    await plane?.stop();
    plane = undefined;
    await a.stop();
    await b.stop();
  });

  async function start(mode: string, members: MemberSpec[]): Promise<number> {
    const port = await freePort();
    const source = new FakeSource();
    source.edit((s) => {
      s.pools.push({ name: '/Common/p', loadBalancingMode: mode, minActiveMembers: 0, monitor: { monitors: [], minimum: 'all' }, members });
      s.virtuals.push(virtual('vs', port));
    });
    plane = new DataPlane({ source, sink: new CaptureSink(), logger: pino({ level: 'silent' }), drainTimeoutMs: 200, statusIntervalMs: 100 });
    await plane.start();
    return port;
  }

  test('least-sessions: while member A holds a long session, every new session goes to B', async () => {
    const port = await start('least-sessions', [member(a.port), member(b.port)]);
    open.push(await openSession(port)); // the first choice is A (ties go in pool order)
    expect([a.connections, b.connections]).toEqual([1, 0]);
    for (let i = 0; i < 4; i++) await shortSession(port);
    expect([a.connections, b.connections]).toEqual([1, 4]);
    // Once A's session ends, short sessions alternate again.
    open.pop()!.destroy();
    while (plane!.status().members[0].stats.curConns !== 0) await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 4; i++) await shortSession(port);
    expect([a.connections, b.connections]).toEqual([3, 6]);
  });

  test('round-robin, for contrast: the long session on A does not steer new ones', async () => {
    const port = await start('round-robin', [member(a.port), member(b.port)]);
    open.push(await openSession(port));
    for (let i = 0; i < 4; i++) await shortSession(port);
    expect([a.connections, b.connections]).toEqual([3, 2]);
  });

  test('ratio-least-connections-member: held sessions fill A (ratio 3) and B (ratio 1) 3 to 1', async () => {
    const port = await start('ratio-least-connections-member', [member(a.port, { ratio: 3 }), member(b.port)]);
    for (let i = 0; i < 8; i++) open.push(await openSession(port));
    expect([a.connections, b.connections]).toEqual([6, 2]);
  });

  test('fastest-app-response: once both are measured, new sessions go to the member that greets fastest', async () => {
    a.greetDelayMs = 300; // a slow application
    const port = await start('fastest-app-response', [member(a.port), member(b.port)]);
    await shortSession(port); // unmeasured members are tried first: A, then B
    await shortSession(port);
    expect([a.connections, b.connections]).toEqual([1, 1]);
    for (let i = 0; i < 6; i++) await shortSession(port);
    expect([a.connections, b.connections]).toEqual([1, 7]);
  });

  test('weighted-least-connections-member: held sessions fill A (limit 30) and B (limit 10) 3 to 1', async () => {
    const port = await start('weighted-least-connections-member', [member(a.port, { connectionLimit: 30 }), member(b.port, { connectionLimit: 10 })]);
    for (let i = 0; i < 8; i++) open.push(await openSession(port));
    expect([a.connections, b.connections]).toEqual([6, 2]);
  });
});
