/**
 * Member choice for failover, without sockets: a session walks every available member in the
 * mode's order before it gives up, a failed connection marks a member down passively at once,
 * its monitor lifts the mark, and configuration edits keep the accounting.
 */
import { PoolSet, PASSIVE_HOLD_MS, selectMember, initialSelectionState } from '@openltm/dataplane';
import type { CheckState, MemberSpec, MemberView, PoolSpec, SelectionState } from '@openltm/dataplane';
import { captureLogger } from '../helpers/smtp-backend';

const view = (name: string, over: Partial<MemberView> = {}): MemberView => ({
  name, ratio: 1, priorityGroup: 0, connectionLimit: 0, curConns: 0, usable: true, ...over,
});

/** What one session does: choose, fail, choose again with the failed member in `tried`, until nothing is left. */
function walk(mode: string, members: MemberView[], state: SelectionState = initialSelectionState, minActiveMembers = 0): { order: string[]; state: SelectionState } {
  const tried = new Set<string>();
  const order: string[] = [];
  for (;;) {
    const r = selectMember({ mode, minActiveMembers, members, state, tried });
    state = r.state;
    if (r.chosen === undefined) return { order, state };
    const name = members[r.chosen].name;
    if (tried.has(name)) throw new Error(`${name} chosen twice`);
    tried.add(name);
    order.push(name);
  }
}

describe('selectMember with the members a session already tried', () => {
  test.each(['round-robin', 'ratio-member', 'least-connections-member'])('%s: a session reaches every usable member once, then none', (mode) => {
    const members = [view('a'), view('b', { usable: false }), view('c', { ratio: 3 }), view('d', { curConns: 2 }), view('e', { connectionLimit: 1, curConns: 1 })];
    const { order } = walk(mode, members);
    expect([...order].sort()).toEqual(['a', 'c', 'd']);
  });

  test('round-robin: the retry order continues the rotation, so concurrent sessions do not all retry the same member', () => {
    const members = [view('a'), view('b'), view('c')];
    let state = initialSelectionState;
    const orders: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const first = selectMember({ mode: 'round-robin', minActiveMembers: 0, members, state });
      state = first.state;
      const tried = new Set([members[first.chosen!].name]);
      const second = selectMember({ mode: 'round-robin', minActiveMembers: 0, members, state, tried });
      state = second.state;
      orders.push([members[first.chosen!].name, members[second.chosen!].name]);
    }
    expect(orders).toEqual([['a', 'b'], ['c', 'a'], ['b', 'c']]);
  });

  test('a tried member of the highest priority group activates the next group for the retry', () => {
    const members = [view('hi', { priorityGroup: 10 }), view('lo', { priorityGroup: 1 })];
    expect(walk('round-robin', members, initialSelectionState, 1).order).toEqual(['hi', 'lo']);
  });

  test('a passively marked member is chosen only when no other member can take the session', () => {
    const members = [view('a', { passiveDown: true }), view('b'), view('c', { passiveDown: true })];
    const firsts = [0, 1, 2, 3].map(() => members[selectMember({ mode: 'round-robin', minActiveMembers: 0, members, state: initialSelectionState }).chosen!].name);
    expect(firsts).toEqual(['b', 'b', 'b', 'b']);
    // ...but it is still tried before the session is refused.
    expect(walk('round-robin', members).order).toEqual(['b', 'c', 'a']);
  });

  test('a member marked down by its monitor or the user is never a last resort', () => {
    const members = [view('a', { usable: false }), view('b', { passiveDown: true })];
    expect(walk('round-robin', members).order).toEqual(['b']);
  });
});

const member = (n: number, over: Partial<MemberSpec> = {}): MemberSpec => ({
  name: `/Common/10.0.0.${n}:25`, address: `10.0.0.${n}`, port: 25, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled', ...over,
});
const pool = (over: Partial<PoolSpec> = {}): PoolSpec => ({
  name: '/Common/p', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: { monitors: ['/Common/tcp'], minimum: 'all' }, members: [member(1), member(2)], ...over,
});
const M1 = '/Common/10.0.0.1:25';
const M2 = '/Common/10.0.0.2:25';

/** A PoolSet over a hand-held health table and clock. */
function poolSet() {
  let now = 1_000_000;
  const checks = new Map<string, CheckState>();
  const check = (address: string, over: Partial<CheckState> = {}): void => {
    const prev = checks.get(address) ?? { monitor: '/Common/tcp', address, port: 25, status: 'up', since: 0, lastSuccessAt: 0 };
    checks.set(address, { ...prev, ...over });
  };
  check('10.0.0.1');
  check('10.0.0.2');
  const { logger, lines } = captureLogger();
  const pools = new PoolSet(logger, (_mon, address) => checks.get(address), () => now);
  pools.configure([pool()]);
  const pick = (tried?: Set<string>): string | undefined => {
    const lease = pools.acquire('/Common/p', tried);
    lease?.release();
    return lease?.member;
  };
  const fail = (name: string): void => {
    const lease = pools.acquire('/Common/p', new Set([M1, M2].filter((m) => m !== name)))!;
    expect(lease.member).toBe(name);
    lease.failed('ECONNREFUSED');
    lease.release();
  };
  const status = (name: string) => pools.memberStatuses().find((m) => m.member === name)!;
  return { pools, check, pick, fail, status, lines, advance: (ms: number) => (now += ms), now: () => now };
}

describe('passive mark-down in PoolSet', () => {
  test('one failed connection sends new sessions to the other member at once, and status says why', () => {
    const t = poolSet();
    t.fail(M1);
    expect([t.pick(), t.pick(), t.pick()]).toEqual([M2, M2, M2]);
    expect(t.status(M1)).toMatchObject({ availability: 'offline', reason: expect.stringContaining('marked down after a failed connection (ECONNREFUSED)') });
    expect(t.status(M2).availability).toBe('available');
    expect(t.lines.map((l) => l.msg)).toContain(`Pool /Common/p member ${M1} marked down after a failed connection (ECONNREFUSED); new sessions go to other members until its monitor sees it up`);
  });

  test('with every member marked, a session still gets one (never refused while the monitor says up)', () => {
    const t = poolSet();
    t.fail(M1);
    t.fail(M2);
    expect(t.pick()).toBeDefined();
    expect(t.pick(new Set([M1]))).toBe(M2);
    expect(t.pick(new Set([M1, M2]))).toBeUndefined();
  });

  test('a probe that succeeds after the failure lifts the mark; one from before does not', () => {
    const t = poolSet();
    t.advance(10);
    t.check('10.0.0.1', { lastSuccessAt: t.now() - 5 });
    t.fail(M1);
    expect([t.pick(), t.pick()]).toEqual([M2, M2]);
    t.advance(500);
    t.check('10.0.0.1', { lastSuccessAt: t.now() });
    expect(new Set([t.pick(), t.pick()])).toEqual(new Set([M1, M2]));
    expect(t.status(M1).availability).toBe('available');
    expect(t.lines.map((l) => l.msg)).toContain(`Pool /Common/p member ${M1} passive mark-down lifted: its monitor saw it up after the failure`);
  });

  test('the monitor marking it down takes over; coming up again lifts nothing twice', () => {
    const t = poolSet();
    t.fail(M1);
    t.advance(100);
    t.check('10.0.0.1', { status: 'down', since: t.now() });
    t.pools.refreshHealth();
    expect(t.status(M1).reason).toBe('Pool member has been marked down by a monitor');
    t.advance(100);
    t.check('10.0.0.1', { status: 'up', since: t.now(), lastSuccessAt: t.now() });
    t.pools.refreshHealth();
    expect(new Set([t.pick(), t.pick()])).toEqual(new Set([M1, M2]));
  });

  test('without news from the monitor the mark holds PASSIVE_HOLD_MS, then the member is tried again', () => {
    const t = poolSet();
    t.fail(M1);
    t.advance(PASSIVE_HOLD_MS - 1);
    expect([t.pick(), t.pick()]).toEqual([M2, M2]);
    t.advance(1);
    expect(new Set([t.pick(), t.pick()])).toEqual(new Set([M1, M2]));
  });

  test('a configuration edit while a connection is in flight keeps its failure, the mark and the log rate limit', () => {
    const t = poolSet();
    const lease = t.pools.acquire('/Common/p')!;
    expect(lease.member).toBe(M1);
    t.pools.configure([pool({ members: [member(1, { ratio: 4 }), member(2)], loadBalancingMode: 'ratio-member' })]);
    lease.failed('connect timeout');
    lease.release();
    expect([t.pick(), t.pick(), t.pick()]).toEqual([M2, M2, M2]);
    // A second failure within the second is counted in the next report line, not logged again.
    t.advance(100);
    t.pools.configure([pool({ members: [member(1, { ratio: 2 }), member(2)] })]);
    const again = t.pools.acquire('/Common/p', new Set([M2]))!;
    again.failed('ECONNREFUSED');
    again.release();
    const failures = t.lines.filter((l) => String(l.msg).includes('connection failed'));
    expect(failures.map((l) => l.failures)).toEqual([1]);
    t.advance(1000);
    t.fail(M1);
    const last = t.lines.filter((l) => String(l.msg).includes('connection failed')).pop()!;
    expect(last).toMatchObject({ failures: 3, msg: `Pool /Common/p member ${M1} connection failed: ECONNREFUSED (1 more since the last report)` });
  });
});
