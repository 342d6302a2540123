/**
 * The primary's sum of its workers' counters. Each worker reports cumulative counters since it
 * started; a worker that exits leaves its last report behind (current connections dropped), so
 * totals stay cumulative across worker replacement.
 */
import type { MemberStats, VirtualStats } from '@openltm/model';
import { addStats, zeroVirtualStats } from '../reconcile/virtual-stats';
import { zeroMemberStats } from '../pool/pool-runtime';

export interface WorkerCounters {
  virtuals: Record<string, VirtualStats>;
  members: Record<string, MemberStats>;
}

function addMember(a: MemberStats, b: MemberStats, live: boolean): MemberStats {
  return {
    curConns: a.curConns + (live ? b.curConns : 0),
    maxConns: Math.max(a.maxConns, b.maxConns),
    totConns: a.totConns + b.totConns,
    bytesIn: a.bytesIn + b.bytesIn,
    bytesOut: a.bytesOut + b.bytesOut,
  };
}

export class StatsTotals {
  private readonly live = new Map<number, WorkerCounters>();
  private retired: WorkerCounters = { virtuals: {}, members: {} };

  /** A worker's latest cumulative counters, for the virtuals and members that changed since its last report. */
  report(worker: number, counters: WorkerCounters): void {
    const known = this.live.get(worker);
    if (!known) {
      this.live.set(worker, { virtuals: { ...counters.virtuals }, members: { ...counters.members } });
      return;
    }
    Object.assign(known.virtuals, counters.virtuals);
    Object.assign(known.members, counters.members);
  }

  /** The worker exited: keep what it counted, without its (now closed) connections. */
  retire(worker: number): void {
    const last = this.live.get(worker);
    this.live.delete(worker);
    if (!last) return;
    for (const [name, s] of Object.entries(last.virtuals)) this.retired.virtuals[name] = addStats(this.retired.virtuals[name] ?? zeroVirtualStats(), s, false);
    for (const [key, s] of Object.entries(last.members)) this.retired.members[key] = addMember(this.retired.members[key] ?? zeroMemberStats(), s, false);
  }

  virtual(name: string): VirtualStats {
    let total = { ...(this.retired.virtuals[name] ?? zeroVirtualStats()) };
    for (const w of this.live.values()) {
      const s = w.virtuals[name];
      if (s) total = addStats(total, s, true);
    }
    return total;
  }

  member(key: string): MemberStats {
    let total = { ...(this.retired.members[key] ?? zeroMemberStats()) };
    for (const w of this.live.values()) {
      const s = w.members[key];
      if (s) total = addMember(total, s, true);
    }
    return total;
  }

  /** Drops counters of virtuals and members no longer configured. */
  forget(virtuals: ReadonlySet<string>, members: ReadonlySet<string>): void {
    for (const w of [this.retired, ...this.live.values()]) {
      for (const name of Object.keys(w.virtuals)) if (!virtuals.has(name)) delete w.virtuals[name];
      for (const key of Object.keys(w.members)) if (!members.has(key)) delete w.members[key];
    }
  }
}
