/**
 * Source-address persistence: the record table (expiry, refresh on use, its bound), the key's mask,
 * member choice with a persisted member, and through a real DataPlane over real sockets the
 * profile's match-across-virtuals, match-across-services, match-across-pools and
 * override-connection-limit. Clients bind to loopback aliases to be distinct addresses.
 */
import { connect, type Socket } from 'node:net';
import pino from 'pino';
import { DataPlane, PersistTable, RemotePersistence, maskedAddress, selectMember, servePersistence, initialSelectionState } from '@openltm/dataplane';
import type { MemberSpec, MemberView, PersistEntry, PersistSpec, VirtualSpec } from '@openltm/dataplane';
import { CaptureSink, FakeSource, virtual } from '../helpers/fake-plane';
import { TestBackend } from '../helpers/smtp-backend';
import { freePort } from '../helpers/sockets';

const entry = (key: string, member: string, timeout = 180): PersistEntry => ({
  key, mode: 'source-address', value: key, virtual: '/Common/vs', virtualAddr: '127.0.0.1:25', pool: '/Common/p', member, nodeAddr: member, clientAddr: key, timeout,
});

describe('PersistTable', () => {
  let now = 1_000_000;
  const clock = () => now;

  it('keeps a record for timeout seconds after its last use; each lookup refreshes it', () => {
    const t = new PersistTable(clock);
    t.record(entry('a', 'm1', 2));
    now += 1900;
    expect(t.lookup('a')).toBe('m1');
    now += 1900; // 3.8 s after it was made, 1.9 s after its last use
    expect(t.lookup('a')).toBe('m1');
    now += 2000;
    expect(t.lookup('a')).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('a record is replaced by a new one for the same key; report() drops expired ones and gives ages from lastUsed', () => {
    const t = new PersistTable(clock);
    t.record(entry('a', 'm1', 2));
    t.record(entry('b', 'm2', 0));
    t.record(entry('a', 'm3', 2));
    now += 5000;
    const r = t.report();
    expect(r.total).toBe(1);
    expect(r.records.map((x) => [x.value, x.member])).toEqual([['b', 'm2']]);
    expect(r.records[0].lastUsed).toBe(now - 5000);
    expect(t.lookup('b')).toBe('m2'); // timeout 0: until its member is unavailable
  });

  it('hands out the same report while nothing changed (the status writer skips it), a new one after a use', () => {
    const t = new PersistTable(clock);
    t.record(entry('a', 'm1', 0));
    const first = t.report();
    expect(t.report()).toBe(first);
    t.lookup('a');
    expect(t.report()).not.toBe(first);
  });

  it('is bounded: past its size, the least recently used record gives way', () => {
    const t = new PersistTable(clock, 3);
    for (const k of ['a', 'b', 'c']) t.record(entry(k, `m-${k}`));
    t.lookup('a');
    t.record(entry('d', 'm-d'));
    expect([t.lookup('a'), t.lookup('b'), t.lookup('c'), t.lookup('d')]).toEqual(['m-a', undefined, 'm-c', 'm-d']);
  });
});

describe('mask', () => {
  it.each([
    ['127.0.0.5', 'none', '127.0.0.5'],
    ['127.0.0.5', '255.255.255.0', '127.0.0.0'],
    ['::ffff:10.1.2.3', '255.255.0.0', '10.1.0.0'],
    ['2001:db8:1:2:3:4:5:6', 'ffff:ffff:ffff:ffff::', '2001:db8:1:2::'],
    ['2001:db8::7', '255.255.255.0', '2001:db8::7'],
    ['10.1.2.3', 'ffff:ffff::', '10.1.2.3'],
  ])('%s under mask %s is keyed %s', (client, mask, key) => {
    expect(maskedAddress(client, mask)).toBe(key);
  });
});

describe('member choice with a persisted member', () => {
  const view = (name: string, over: Partial<MemberView> = {}): MemberView => ({ name, ratio: 1, priorityGroup: 0, connectionLimit: 0, curConns: 0, usable: true, ...over });
  const choose = (members: MemberView[], prefer: { member: string; overrideLimit: boolean }, tried?: Set<string>) =>
    selectMember({ mode: 'round-robin', minActiveMembers: 0, members, state: initialSelectionState, prefer, ...(tried ? { tried } : {}) });

  it('the persisted member is chosen while it is available, and the round-robin position does not move', () => {
    const r = choose([view('a'), view('b'), view('c')], { member: 'c', overrideLimit: false });
    expect(r.chosen).toBe(2);
    expect(r.state).toBe(initialSelectionState);
  });

  it.each([
    ['down (monitor or user-down)', { usable: false, persistable: false }],
    ['marked down after a failed connection', { passiveDown: true }],
    ['at its connection limit', { connectionLimit: 1, curConns: 1 }],
  ])('a persisted member %s gives way to the mode\'s choice', (_why, over) => {
    expect(choose([view('a'), view('b', over)], { member: 'b', overrideLimit: false }).chosen).toBe(0);
  });

  it('a user-disabled member (no new clients) still takes the clients persisted to it, as on BIG-IP', () => {
    expect(choose([view('a'), view('b', { usable: false, persistable: true })], { member: 'b', overrideLimit: false }).chosen).toBe(1);
  });

  it('override-connection-limit: the persisted member is chosen at its limit, but never when tried or not in the pool', () => {
    expect(choose([view('a'), view('b', { connectionLimit: 1, curConns: 1 })], { member: 'b', overrideLimit: true }).chosen).toBe(1);
    expect(choose([view('a'), view('b')], { member: 'b', overrideLimit: true }, new Set(['b'])).chosen).toBe(0);
    expect(choose([view('a'), view('b')], { member: 'zz', overrideLimit: true }).chosen).toBe(0);
  });
});

/** Connects from `localAddress` and resolves at the member's greeting; the session stays open. */
function openSession(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress });
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (/^220 .*\r\n/.test(buf)) resolve(s);
      else if (/^\d{3} .*\r\n/.test(buf)) reject(new Error(`no session: ${buf.trim()}`));
    });
    s.on('error', reject);
  });
}

async function shortSession(port: number, localAddress: string): Promise<void> {
  const s = await openSession(port, localAddress);
  await new Promise<void>((resolve) => {
    s.on('close', () => resolve());
    s.end('QUIT\r\n');
  });
}

const member = (port: number, over: Partial<MemberSpec> = {}): MemberSpec => ({
  name: `/Common/127.0.0.1:${port}`, address: '127.0.0.1', port, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled', ...over,
});

const persist = (over: Partial<PersistSpec> = {}): PersistSpec => ({
  profile: '/Common/sa', timeout: 180, mask: 'none', matchAcrossPools: false, matchAcrossServices: false, matchAcrossVirtuals: false, overrideConnectionLimit: false, ...over,
});

describe('persistence through the data plane (real sockets)', () => {
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

  /** Round-robin pools p1 (and p2) of members A and B, and the given virtuals. */
  async function start(virtuals: VirtualSpec[], members: MemberSpec[] = [member(a.port), member(b.port)]): Promise<FakeSource> {
    const source = new FakeSource();
    source.edit((s) => {
      for (const name of ['/Common/p1', '/Common/p2']) s.pools.push({ name, loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: { monitors: [], minimum: 'all' }, members });
      s.virtuals.push(...virtuals);
    });
    plane = new DataPlane({ source, sink: new CaptureSink(), logger: pino({ level: 'silent' }), drainTimeoutMs: 200, statusIntervalMs: 100 });
    await plane.start();
    return source;
  }
  /** Waits (event by event, no fixed sleep) until `check` passes. */
  async function until(check: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const counts = () => [a.connections, b.connections];

  it('a delete request in a new snapshot: the client whose record it names is load-balanced afresh, another client keeps its member', async () => {
    const port = await freePort();
    const source = await start([virtual('v1', port, { pool: '/Common/p1', persist: persist() })]);
    await shortSession(port, '127.0.0.6'); // round-robin: A
    await shortSession(port, '127.0.0.5'); // round-robin: B; the next choice would be A
    expect(counts()).toEqual([1, 1]);
    source.edit((s) => (s.persistFlushes = [{ seq: 1, at: Date.now(), filters: { 'client-addr': '127.0.0.5' } }]));
    // Wait for the snapshot to be applied: the record is gone from the table.
    await until(() => !plane!.status().persistence!.records.some((r) => r.clientAddr === '127.0.0.5'));
    await shortSession(port, '127.0.0.5'); // chosen afresh: A
    await shortSession(port, '127.0.0.6'); // round-robin would say B: its record holds it on A
    expect(counts()).toEqual([3, 1]);
    expect(plane!.status().persistence!.records.map((r) => [r.clientAddr, r.nodeAddr]).sort()).toEqual([['127.0.0.5', `127.0.0.1:${a.port}`], ['127.0.0.6', `127.0.0.1:${a.port}`]]);
  });

  it.each([
    ['match-across-virtuals enabled: a record made on one virtual is used on the other', { matchAcrossVirtuals: true }, [2, 0]],
    ['match-across-virtuals disabled: each virtual keeps its own record', {}, [1, 1]],
  ])('%s', async (_name, over, expected) => {
    const [p1, p2] = [await freePort(), await freePort()];
    await start([virtual('v1', p1, { pool: '/Common/p1', persist: persist(over) }), virtual('v2', p2, { pool: '/Common/p1', persist: persist(over) })]);
    await shortSession(p1, '127.0.0.5'); // round-robin: A
    await shortSession(p2, '127.0.0.5'); // round-robin would say B
    expect(counts()).toEqual(expected);
  });

  it('match-across-services: virtuals on the same address share records, a virtual on another address does not', async () => {
    const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
    const spec = persist({ matchAcrossServices: true });
    await start([
      virtual('v1', p1, { pool: '/Common/p1', persist: spec }),
      virtual('v2', p2, { pool: '/Common/p1', persist: spec }),
      virtual('v3', p3, { address: '127.0.0.2', pool: '/Common/p1', persist: spec }),
    ]);
    await shortSession(p1, '127.0.0.5'); // A
    await shortSession(p2, '127.0.0.5'); // same address: A again
    expect(counts()).toEqual([2, 0]);
    const s = connect({ host: '127.0.0.2', port: p3, localAddress: '127.0.0.5' });
    await new Promise<void>((resolve) => s.once('data', () => resolve()));
    s.destroy();
    expect(counts()).toEqual([2, 1]); // another address: its own record, round-robin chose B
  });

  it.each([
    ['match-across-pools enabled: a record made for one pool is used by another pool with the same member', { matchAcrossVirtuals: true, matchAcrossPools: true }, [3, 0]],
    ['match-across-pools disabled: the other pool chooses for itself', { matchAcrossVirtuals: true }, [2, 1]],
  ])('%s', async (_name, over, expected) => {
    const [p1, p2] = [await freePort(), await freePort()];
    await start([virtual('v1', p1, { pool: '/Common/p1', persist: persist(over) }), virtual('v2', p2, { pool: '/Common/p2', persist: persist(over) })]);
    await shortSession(p2, '127.0.0.6'); // p2's round-robin: A (so its next is B)
    await shortSession(p1, '127.0.0.5'); // p1's round-robin: A, recorded for 127.0.0.5
    await shortSession(p2, '127.0.0.5'); // p2 alone would choose B
    expect(counts()).toEqual(expected);
  });

  it('an IPv6 client is keyed on its address under an IPv6 mask, and sticks', async () => {
    const port = await freePort();
    await start([virtual('v6', port, { address: '::1', pool: '/Common/p1', persist: persist({ mask: 'ffff:ffff:ffff:ffff::' }) })]);
    for (let i = 0; i < 3; i++) {
      const s = connect({ host: '::1', port });
      await new Promise<void>((resolve) => s.once('data', () => resolve()));
      await new Promise<void>((resolve) => {
        s.on('close', () => resolve());
        s.end('QUIT\r\n');
      });
    }
    expect(counts()).toEqual([3, 0]);
    expect(plane!.status().persistence!.records.map((r) => [r.value, r.clientAddr, r.virtualAddr])).toEqual([['::', '::1', `::1.${port}`]]);
  });

  it.each([
    ['override-connection-limit enabled: the persisted member takes the session over its connection limit', true, [2, 0]],
    ['override-connection-limit disabled: the member at its limit gives way, and the record moves', false, [1, 1]],
  ])('%s', async (_name, override, expected) => {
    const port = await freePort();
    await start([virtual('v1', port, { pool: '/Common/p1', persist: persist({ overrideConnectionLimit: override }) })], [member(a.port, { connectionLimit: 1 }), member(b.port)]);
    open.push(await openSession(port, '127.0.0.5')); // A, held open: A is at its limit
    open.push(await openSession(port, '127.0.0.5'));
    expect(counts()).toEqual(expected);
    const records = plane!.status().persistence!.records;
    expect(records.map((r) => [r.clientAddr, r.nodeAddr])).toEqual([['127.0.0.5', `127.0.0.1:${override ? a.port : b.port}`]]);
  });
});

describe('RemotePersistence (a worker asking the primary)', () => {
  it('answers come back by id; a primary that never answers, or goes away, is a miss', async () => {
    const table = new PersistTable();
    table.record(entry('k', 'm1'));
    const sent: unknown[] = [];
    let mute = false;
    let timeouts = 0;
    const remote: RemotePersistence = new RemotePersistence((message, cb) => {
      sent.push(message);
      cb(null);
      if (!mute) setImmediate(() => servePersistence(table, message, (answer) => remote.answer(answer)));
    }, () => true, 50, () => timeouts++);
    expect(await remote.lookup('k')).toBe('m1');
    expect(await remote.lookup('other')).toBeUndefined();
    remote.record(entry('other', 'm2'));
    await new Promise((r) => setImmediate(r));
    expect(await remote.lookup('other')).toBe('m2');
    mute = true;
    expect(await remote.lookup('k')).toBeUndefined(); // timed out
    expect(timeouts).toBe(1);
    const waiting = remote.lookup('k');
    remote.abandon();
    expect(await waiting).toBeUndefined();
    expect(sent.filter((m) => (m as { type: string }).type === 'persist-lookup')).toHaveLength(5);
  });
});
