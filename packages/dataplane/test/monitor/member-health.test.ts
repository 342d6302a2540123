import { evaluateRule, memberHealth, poolAvailability } from '@openltm/dataplane';
import type { CheckState, MemberSpec, MonitorRule } from '@openltm/dataplane';

const check = (monitor: string, status: CheckState['status'], lastError?: string): CheckState => ({ monitor, address: '10.0.0.11', port: 25, status, since: 0, ...(lastError ? { lastError } : {}) });
const lookupOf = (...checks: CheckState[]) => (m: string): CheckState | undefined => checks.find((c) => c.monitor === m);
const member: MemberSpec = { name: '/Common/10.0.0.11:25', address: '10.0.0.11', port: 25, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled' };
const rule = (monitors: string[], minimum: MonitorRule['minimum'] = 'all'): MonitorRule => ({ monitors, minimum });

describe('evaluateRule', () => {
  test.each<[string, MonitorRule, CheckState[], string]>([
    ['no monitor: unchecked', rule([]), [], 'unchecked'],
    ['one monitor up', rule(['/Common/a']), [check('/Common/a', 'up')], 'up'],
    ['one monitor down', rule(['/Common/a']), [check('/Common/a', 'down')], 'down'],
    ['one monitor with no result yet', rule(['/Common/a']), [check('/Common/a', 'checking')], 'checking'],
    ['all: one of two down is down', rule(['/Common/a', '/Common/b']), [check('/Common/a', 'up'), check('/Common/b', 'down')], 'down'],
    ['all: one up, one checking is checking', rule(['/Common/a', '/Common/b']), [check('/Common/a', 'up'), check('/Common/b', 'checking')], 'checking'],
    ['min 1 of two: one up is up', rule(['/Common/a', '/Common/b'], 1), [check('/Common/a', 'down'), check('/Common/b', 'up')], 'up'],
    ['min 2 of three: two down is down', rule(['/Common/a', '/Common/b', '/Common/c'], 2), [check('/Common/a', 'down'), check('/Common/b', 'down'), check('/Common/c', 'up')], 'down'],
    ['min 2 of three: one down, one checking is checking', rule(['/Common/a', '/Common/b', '/Common/c'], 2), [check('/Common/a', 'down'), check('/Common/b', 'checking'), check('/Common/c', 'up')], 'checking'],
    ['a monitor that is not configured counts as down', rule(['/Common/gone']), [], 'down'],
  ])('%s', (_t, r, checks, expected) => {
    expect(evaluateRule(r, lookupOf(...checks)).status).toBe(expected);
  });

  test('the detail names each monitor and the last error of those down', () => {
    const { detail } = evaluateRule(rule(['/Common/a', '/Common/b']), lookupOf(check('/Common/a', 'up'), check('/Common/b', 'down', 'ECONNREFUSED')));
    expect(detail).toBe('/Common/a: up ; /Common/b: down; last error: ECONNREFUSED');
  });
});

describe('memberHealth', () => {
  const up = lookupOf(check('/Common/a', 'up'));
  const down = lookupOf(check('/Common/a', 'down'));
  test.each<[string, Partial<MemberSpec>, MonitorRule, ReturnType<typeof lookupOf>, object]>([
    ['monitored and up', {}, rule(['/Common/a']), up, { availability: 'available', reason: 'Pool member is available', usable: true, monitorStatus: 'up' }],
    ['marked down by a monitor', {}, rule(['/Common/a']), down, { availability: 'offline', reason: 'Pool member has been marked down by a monitor', usable: false }],
    ['unmonitored', {}, rule([]), up, { availability: 'unknown', reason: 'Pool member does not have service checking enabled', usable: true, monitorStatus: 'unchecked' }],
    ['user-down is forced offline even when the monitor is up', { state: 'user-down' }, rule(['/Common/a']), up, { availability: 'offline', usable: false }],
    ['user-disabled keeps its availability but takes no new sessions', { session: 'user-disabled' }, rule(['/Common/a']), up,
      { availability: 'available', reason: 'Pool member is available, user disabled', usable: false }],
    ["the member's own rule overrides the pool's", { monitor: rule([]) }, rule(['/Common/a']), down, { monitorStatus: 'unchecked', usable: true }],
  ])('%s', (_t, over, poolRule, lookup, expected) => {
    expect(memberHealth({ ...member, ...over }, poolRule, lookup)).toMatchObject(expected);
  });
});

describe('poolAvailability', () => {
  test.each<[string, string[], string, string]>([
    ['any member available', ['offline', 'available'], 'available', 'The pool is available'],
    ['every member offline', ['offline', 'offline'], 'offline', 'The children pool member(s) are down'],
    ['unmonitored members', ['unknown', 'offline'], 'unknown', "The children pool member(s) either don't have service checking enabled, or service check results are not available yet"],
    ['no members', [], 'unknown', 'The pool has no members'],
  ])('%s', (_t, members, availability, reason) => {
    expect(poolAvailability(members.map((a) => ({ availability: a as 'available' })))).toEqual({ availability, reason });
  });
});
