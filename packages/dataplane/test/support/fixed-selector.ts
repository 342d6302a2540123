/** A BackendSelector over fixed test backends: round robin, every lease recorded. */
import type { BackendLease, BackendSelector } from '../../src/contracts';
import type { MemberStats } from '../../src/desired-state';

export interface FixedMember {
  address: string;
  port: number;
}

export class FixedSelector implements BackendSelector {
  private next = 0;
  readonly failures: Array<{ member: string; reason: string }> = [];
  readonly stats = new Map<string, MemberStats>();
  acquired = 0;
  released = 0;

  constructor(private readonly members: FixedMember[]) {}

  acquire(pool: string): BackendLease | undefined {
    if (this.members.length === 0) return undefined;
    const m = this.members[this.next++ % this.members.length];
    const member = `/Common/${m.address}:${m.port}`;
    let stats = this.stats.get(member);
    if (!stats) this.stats.set(member, (stats = { curConns: 0, maxConns: 0, totConns: 0, bytesIn: 0, bytesOut: 0 }));
    stats.curConns++;
    stats.totConns++;
    this.acquired++;
    let done = false;
    return {
      pool, member, address: m.address, port: m.port, stats,
      failed: (reason) => this.failures.push({ member, reason }),
      release: () => {
        if (done) throw new Error('lease released twice');
        done = true;
        stats!.curConns--;
        this.released++;
      },
    };
  }
}
