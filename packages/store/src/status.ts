/**
 * Status and statistics written by the data plane (one row per object, JSON) and the baselines
 * `reset-stats` records, so `show` prints counters minus the baseline while the data plane keeps
 * counting.
 */
import type { MemberStatus, StatusReport, VirtualStatus } from '@openltm/model';
import type { Db } from './database';

export interface StatusView {
  virtual(name: string): VirtualStatus | undefined;
  member(pool: string, member: string): MemberStatus | undefined;
  /** `up`, `down`, `unchecked`, `checking` for `list`'s member `state`, when known. */
  memberState(pool: string, member: string): string | undefined;
  baseline(kind: string, name: string): Record<string, number> | undefined;
  /** The generation the last report reflected, and when it was made. */
  reportInfo(): { generation: number; at: number } | undefined;
  /** Manual-resume tokens by `<pool> <member>`: each administrator resume moves one. */
  resumeTokens(): Record<string, number>;
}

export class StatusTable implements StatusView {
  private readonly st;

  constructor(private readonly db: Db) {
    this.st = {
      put: db.prepare('INSERT OR REPLACE INTO status (kind, name, data) VALUES (?, ?, ?)'),
      get: db.prepare('SELECT data FROM status WHERE kind = ? AND name = ?').pluck(),
      clear: db.prepare("DELETE FROM status WHERE kind IN ('virtual', 'member')"),
      putBase: db.prepare('INSERT OR REPLACE INTO stats_baseline (kind, name, data) VALUES (?, ?, ?)'),
      getBase: db.prepare('SELECT data FROM stats_baseline WHERE kind = ? AND name = ?').pluck(),
      resumes: db.prepare("SELECT name, data FROM status WHERE kind = 'resume'"),
    };
  }

  /** Replaces the status with a new report (one transaction; does not bump the generation). */
  write(report: StatusReport): void {
    this.db.transaction(() => {
      this.st.clear.run();
      for (const v of report.virtuals) this.st.put.run('virtual', v.name, JSON.stringify(v));
      for (const m of report.members) this.st.put.run('member', `${m.pool} ${m.member}`, JSON.stringify(m));
      this.st.put.run('report', '', JSON.stringify({ generation: report.generation, at: report.at }));
    }).immediate();
  }

  private read<T>(kind: string, name: string): T | undefined {
    const data = this.st.get.get(kind, name) as string | undefined;
    return data === undefined ? undefined : (JSON.parse(data) as T);
  }

  virtual(name: string): VirtualStatus | undefined {
    return this.read<VirtualStatus>('virtual', name);
  }

  member(pool: string, member: string): MemberStatus | undefined {
    return this.read<MemberStatus>('member', `${pool} ${member}`);
  }

  memberState(pool: string, member: string): string | undefined {
    const m = this.member(pool, member);
    // `list` prints the state word BIG-IP lists (and `load` reads back): a held member is down.
    return m?.monitorStatus === 'down-manual-resume' ? 'down' : m?.monitorStatus;
  }

  /** Records an administrator's resume of a member (inside the command's transaction). */
  markResumed(pool: string, member: string): void {
    const name = `${pool} ${member}`;
    const token = this.read<number>('resume', name) ?? 0;
    this.st.put.run('resume', name, JSON.stringify(token + 1));
  }

  resumeTokens(): Record<string, number> {
    const rows = this.st.resumes.all() as { name: string; data: string }[];
    return Object.fromEntries(rows.map((r) => [r.name, JSON.parse(r.data) as number]));
  }

  reportInfo(): { generation: number; at: number } | undefined {
    return this.read('report', '');
  }

  baseline(kind: string, name: string): Record<string, number> | undefined {
    const data = this.st.getBase.get(kind, name) as string | undefined;
    return data === undefined ? undefined : (JSON.parse(data) as Record<string, number>);
  }

  setBaseline(kind: string, name: string, counters: Record<string, number>): void {
    this.st.putBase.run(kind, name, JSON.stringify(counters));
  }
}
