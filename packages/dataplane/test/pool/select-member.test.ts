import { IMPLEMENTED_LOAD_BALANCING_MODES } from '@openltm/model';
import { selectMember, initialSelectionState, SUPPORTED_MODES, RESPONSE_SAMPLE_TTL_MS, recentResponse, sampleResponse } from '@openltm/dataplane';
import type { MemberView, SelectionState } from '@openltm/dataplane';

function member(name: string, over: Partial<MemberView> = {}): MemberView {
  return { name, ratio: 1, priorityGroup: 0, connectionLimit: 0, curConns: 0, usable: true, ...over };
}

/** Runs `n` choices, counting sessions per member; `hold` keeps each chosen session open. */
function run(mode: string, members: MemberView[], n: number, opts: { minActiveMembers?: number; hold?: boolean } = {}): Record<string, number> {
  let state: SelectionState = initialSelectionState;
  const counts: Record<string, number> = Object.fromEntries(members.map((m) => [m.name, 0]));
  for (let k = 0; k < n; k++) {
    const r = selectMember({ mode, minActiveMembers: opts.minActiveMembers ?? 0, members, state });
    state = r.state;
    if (r.chosen === undefined) continue;
    const m = members[r.chosen];
    counts[m.name]++;
    if (opts.hold) members[r.chosen] = { ...m, curConns: m.curConns + 1 };
  }
  return counts;
}

describe('selectMember', () => {
  test.each([
    ['round-robin takes turns', 'round-robin', [member('a'), member('b'), member('c')], 6, { a: 2, b: 2, c: 2 }],
    ['round-robin skips an unusable member', 'round-robin', [member('a'), member('b', { usable: false }), member('c')], 4, { a: 2, b: 0, c: 2 }],
    ['round-robin skips a member at its connection limit', 'round-robin', [member('a', { connectionLimit: 2, curConns: 2 }), member('b')], 3, { a: 0, b: 3 }],
    ['an unimplemented mode runs as round-robin', 'observed-member', [member('a'), member('b')], 4, { a: 2, b: 2 }],
  ])('%s', (_title, mode, members, n, expected) => {
    expect(run(mode as string, members as MemberView[], n as number)).toEqual(expected);
  });

  test('no member usable: nothing chosen, state kept', () => {
    const members = [member('a', { usable: false }), member('b', { connectionLimit: 1, curConns: 1 })];
    const r = selectMember({ mode: 'round-robin', minActiveMembers: 0, members, state: { last: 1, credits: {} } });
    expect(r.chosen).toBeUndefined();
    expect(r.state.last).toBe(1);
  });

  test('empty pool: nothing chosen', () => {
    expect(selectMember({ mode: 'ratio-member', minActiveMembers: 1, members: [], state: initialSelectionState }).chosen).toBeUndefined();
  });

  test('ratio-member over 1,000 choices splits within 5% of the ratios', () => {
    const members = [member('a', { ratio: 1 }), member('b', { ratio: 3 }), member('c', { ratio: 6 })];
    const counts = run('ratio-member', members, 1000);
    expect(counts.a).toBeGreaterThanOrEqual(95);
    expect(counts.a).toBeLessThanOrEqual(105);
    expect(counts.b).toBeGreaterThanOrEqual(285);
    expect(counts.b).toBeLessThanOrEqual(315);
    expect(counts.c).toBeGreaterThanOrEqual(570);
    expect(counts.c).toBeLessThanOrEqual(630);
  });

  test('ratio-member interleaves instead of sending bursts', () => {
    const members = [member('a', { ratio: 2 }), member('b', { ratio: 1 })];
    let state: SelectionState = initialSelectionState;
    const order: string[] = [];
    for (let k = 0; k < 6; k++) {
      const r = selectMember({ mode: 'ratio-member', minActiveMembers: 0, members, state });
      state = r.state;
      order.push(members[r.chosen!].name);
    }
    expect(order.join('')).toBe('abaaba');
  });

  test('ratio-member redistributes when a member goes down', () => {
    const members = [member('a', { ratio: 1 }), member('b', { ratio: 1, usable: false }), member('c', { ratio: 3 })];
    const counts = run('ratio-member', members, 400);
    expect(counts).toEqual({ a: 100, b: 0, c: 300 });
  });

  test('least-connections-member favours the member with fewer long-running sessions', () => {
    // a already holds 10 long sessions; new ones go to b and c until they catch up.
    const members = [member('a', { curConns: 10 }), member('b', { curConns: 4 }), member('c')];
    const counts = run('least-connections-member', members, 12, { hold: true });
    // c takes 4 alone (0->4), then b and c share up to 10 each: 4 + 6 + 6 = 16 > 12.
    expect(counts.a).toBe(0);
    expect(counts.c).toBe(8);
    expect(counts.b).toBe(4);
  });

  test('least-connections-member spreads ties round-robin', () => {
    expect(run('least-connections-member', [member('a'), member('b'), member('c')], 6)).toEqual({ a: 2, b: 2, c: 2 });
  });

  test('least-sessions sends new sessions away from the member holding long ones', () => {
    // a holds 3 long SMTP sessions: the next 3 go to b, then they alternate.
    const counts = run('least-sessions', [member('a', { curConns: 3 }), member('b')], 5, { hold: true });
    expect(counts).toEqual({ a: 1, b: 4 });
  });

  test('least-sessions spreads short sessions evenly', () => {
    expect(run('least-sessions', [member('a'), member('b'), member('c')], 9)).toEqual({ a: 3, b: 3, c: 3 });
  });

  test('ratio-least-connections-member fills members in proportion to their ratio', () => {
    const counts = run('ratio-least-connections-member', [member('a', { ratio: 3 }), member('b', { ratio: 1 })], 8, { hold: true });
    expect(counts).toEqual({ a: 6, b: 2 });
  });

  test('ratio-least-connections-member prefers the member with the fewest connections per ratio unit', () => {
    // a: 4 of ratio 4 (1 per unit); b: 2 of ratio 1 (2 per unit): a is less loaded.
    const r = selectMember({ mode: 'ratio-least-connections-member', minActiveMembers: 0, members: [member('a', { ratio: 4, curConns: 4 }), member('b', { ratio: 1, curConns: 2 })], state: initialSelectionState });
    expect(r.chosen).toBe(0);
  });

  test('weighted-least-connections-member fills members in proportion to their connection limits', () => {
    const members = [member('a', { connectionLimit: 30 }), member('b', { connectionLimit: 10 })];
    expect(run('weighted-least-connections-member', members, 20, { hold: true })).toEqual({ a: 15, b: 5 });
  });

  test('weighted-least-connections-member stops at the limits', () => {
    const members = [member('a', { connectionLimit: 2 }), member('b', { connectionLimit: 1 })];
    expect(run('weighted-least-connections-member', members, 5, { hold: true })).toEqual({ a: 2, b: 1 });
  });

  test('fastest-app-response measures every member first, then sends sessions to the fastest', () => {
    const members = [member('a', { responseMs: 40 }), member('b'), member('c', { responseMs: 5 })];
    expect(run('fastest-app-response', members, 1)).toEqual({ a: 0, b: 1, c: 0 });
    members[1] = { ...members[1], responseMs: 20 };
    expect(run('fastest-app-response', members, 4)).toEqual({ a: 0, b: 0, c: 4 });
  });

  test('fastest-app-response skips the fastest member when it is down', () => {
    const members = [member('a', { responseMs: 40 }), member('b', { responseMs: 20 }), member('c', { responseMs: 5, usable: false })];
    expect(run('fastest-app-response', members, 3)).toEqual({ a: 0, b: 3, c: 0 });
  });

  test('response times: a moving average, forgotten after RESPONSE_SAMPLE_TTL_MS so a slow member is measured again', () => {
    let r = sampleResponse(undefined, 100, 0);
    r = sampleResponse(r, 10, 1000);
    expect(r.ms).toBeCloseTo(73);
    expect(recentResponse(r, 1000 + RESPONSE_SAMPLE_TTL_MS)).toBeCloseTo(73);
    expect(recentResponse(r, 1001 + RESPONSE_SAMPLE_TTL_MS)).toBeUndefined();
    expect(sampleResponse(r, 10, 1001 + RESPONSE_SAMPLE_TTL_MS).ms).toBe(10); // a stale average restarts
  });

  test('SUPPORTED_MODES is exactly what the model calls implemented (the store refuses the rest)', () => {
    expect([...SUPPORTED_MODES].sort()).toEqual([...IMPLEMENTED_LOAD_BALANCING_MODES].sort());
  });

  describe('priority groups (min-active-members > 0)', () => {
    const pool = (upHigh: boolean[]): MemberView[] => [
      member('h1', { priorityGroup: 10, usable: upHigh[0] }),
      member('h2', { priorityGroup: 10, usable: upHigh[1] }),
      member('l1', { priorityGroup: 5 }),
      member('l2', { priorityGroup: 5 }),
    ];

    test('traffic stays in the highest group while it has enough members', () => {
      expect(run('round-robin', pool([true, true]), 8, { minActiveMembers: 2 })).toEqual({ h1: 4, h2: 4, l1: 0, l2: 0 });
    });

    test('fails over: the next group is added when the highest drops below the minimum', () => {
      expect(run('round-robin', pool([true, false]), 9, { minActiveMembers: 2 })).toEqual({ h1: 3, h2: 0, l1: 3, l2: 3 });
    });

    test('fails over fully when the highest group is down, and back when it returns', () => {
      expect(run('round-robin', pool([false, false]), 4, { minActiveMembers: 1 })).toEqual({ h1: 0, h2: 0, l1: 2, l2: 2 });
      expect(run('round-robin', pool([true, false]), 4, { minActiveMembers: 1 })).toEqual({ h1: 4, h2: 0, l1: 0, l2: 0 });
    });

    test('a member at its connection limit counts as inactive', () => {
      const members = pool([true, true]);
      members[0] = { ...members[0], connectionLimit: 1, curConns: 1 };
      expect(run('round-robin', members, 6, { minActiveMembers: 2 })).toEqual({ h1: 0, h2: 2, l1: 2, l2: 2 });
    });

    test('min-active-members 0 ignores priority groups', () => {
      expect(run('round-robin', pool([true, true]), 8)).toEqual({ h1: 2, h2: 2, l1: 2, l2: 2 });
    });

    test('priority groups combine with ratio-member', () => {
      const members = [member('h', { priorityGroup: 2, ratio: 3 }), member('h2', { priorityGroup: 2, ratio: 1 }), member('l', { priorityGroup: 1, ratio: 9 })];
      expect(run('ratio-member', members, 8, { minActiveMembers: 1 })).toEqual({ h: 6, h2: 2, l: 0 });
    });
  });
});
