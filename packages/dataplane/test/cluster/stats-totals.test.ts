import { StatsTotals } from '../../src/cluster/stats-totals';
import { zeroVirtualStats } from '../../src/reconcile/virtual-stats';

const vs = (cur: number, tot: number, messages: number) => ({ ...zeroVirtualStats(), clientCurConns: cur, clientMaxConns: cur, clientTotConns: tot, messages });
const member = (cur: number, tot: number) => ({ curConns: cur, maxConns: cur, totConns: tot, bytesIn: tot * 10, bytesOut: tot * 20 });

describe('the primary\'s sum of worker counters', () => {
  it('sums live workers; a worker that exits keeps its totals but not its connections', () => {
    const t = new StatsTotals();
    t.report(0, { virtuals: { '/Common/vs': vs(2, 10, 7) }, members: { 'p m': member(2, 10) } });
    t.report(1, { virtuals: { '/Common/vs': vs(1, 5, 4) }, members: { 'p m': member(1, 5) } });
    expect(t.virtual('/Common/vs')).toMatchObject({ clientCurConns: 3, clientTotConns: 15, messages: 11 });
    t.retire(0);
    // Its replacement starts counting from zero under the same index.
    t.report(0, { virtuals: { '/Common/vs': vs(1, 1, 0) }, members: { 'p m': member(1, 1) } });
    expect(t.virtual('/Common/vs')).toMatchObject({ clientCurConns: 2, clientTotConns: 16, messages: 11 });
    expect(t.member('p m')).toEqual({ curConns: 2, maxConns: 2, totConns: 16, bytesIn: 160, bytesOut: 320 });
  });

  it('forgets the retired counters of deleted virtuals and members', () => {
    const t = new StatsTotals();
    t.report(0, { virtuals: { '/Common/vs': vs(0, 3, 3) }, members: { 'p m': member(0, 3) } });
    t.retire(0);
    t.forget(new Set(), new Set());
    expect(t.virtual('/Common/vs').clientTotConns).toBe(0);
    expect(t.member('p m').totConns).toBe(0);
  });
});
