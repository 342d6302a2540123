/**
 * Status and statistics written by the data plane (one row per object, JSON) and the baselines
 * `reset-stats` records, so `show` prints counters minus the baseline while the data plane keeps
 * counting.
 */
import type { MemberStatus, PersistRecordStatus, StatusReport, VirtualStatus } from '@openltm/model';
import type { Db } from './database';

export interface StatusView {
  virtual(name: string): VirtualStatus | undefined;
  member(pool: string, member: string): MemberStatus | undefined;
  /** `up`, `down`, `unchecked`, `checking` for `list`'s member `state`, when known. */
  memberState(pool: string, member: string): string | undefined;
  baseline(kind: string, name: string): Record<string, number> | undefined;
  /** The generation the last report reflected, when it was made, and the process model that made it. */
  reportInfo(): ReportInfo | undefined;
  /** Manual-resume tokens by `<pool> <member>`: each administrator resume moves one. */
  resumeTokens(): Record<string, number>;
  /** The persistence records the data plane last reported. */
  persistence(): { total: number; records: PersistRecordStatus[] } | undefined;
}

/** The status a command reads and the two writes commands make (inside their transaction). */
export interface StatusStore extends StatusView {
  /** Records an administrator's resume of a member. */
  markResumed(pool: string, member: string): void;
  setBaseline(kind: string, name: string, counters: Record<string, number>): void;
}

export interface ReportInfo {
  generation: number;
  at: number;
  cmp?: { workers: number; cpus: number };
  /** Connections reset because no serving virtual matched, by local port. */
  unmatched?: Record<string, number>;
}

export class StatusTable implements StatusStore {
  private readonly st;
  /** What this writer last committed per row, so a report writes only the rows that changed. */
  private written?: Map<string, string>;
  /** The row objects last written: a writer that hands the same object again (unchanged) costs no JSON. */
  private objects = new Map<string, object>();

  constructor(private readonly db: Db) {
    this.st = {
      put: db.prepare('INSERT OR REPLACE INTO status (kind, name, data) VALUES (?, ?, ?)'),
      get: db.prepare('SELECT data FROM status WHERE kind = ? AND name = ?').pluck(),
      keys: db.prepare("SELECT kind, name FROM status WHERE kind IN ('virtual', 'member', 'persist')"),
      del: db.prepare('DELETE FROM status WHERE kind = ? AND name = ?'),
      putBase: db.prepare('INSERT OR REPLACE INTO stats_baseline (kind, name, data) VALUES (?, ?, ?)'),
      getBase: db.prepare('SELECT data FROM stats_baseline WHERE kind = ? AND name = ?').pluck(),
      resumes: db.prepare("SELECT name, data FROM status WHERE kind = 'resume'"),
    };
  }

  /**
   * Makes the status match a new report (one transaction; does not bump the generation). Only
   * rows that changed since this writer's last report are written, and rows of objects no longer
   * reported are deleted: with thousands of idle virtuals a report costs a few row writes.
   */
  write(report: StatusReport): void {
    const rows = new Map<string, string>();
    const objects = new Map<string, object>();
    const row = (key: string, obj: object): void => {
      const same = this.written && this.objects.get(key) === obj;
      rows.set(key, same ? this.written!.get(key)! : JSON.stringify(obj));
      objects.set(key, obj);
    };
    for (const v of report.virtuals) row(`virtual\0${v.name}`, v);
    for (const m of report.members) row(`member\0${m.pool} ${m.member}`, m);
    if (report.persistence) row('persist\0', report.persistence);
    const info: ReportInfo = { generation: report.generation, at: report.at, ...(report.cmp ? { cmp: report.cmp } : {}), ...(report.unmatched ? { unmatched: report.unmatched } : {}) };
    this.db.transaction(() => {
      // The first report of this writer also removes rows a previous daemon left behind.
      const before = this.written ?? new Map((this.st.keys.all() as Array<{ kind: string; name: string }>).map((r) => [`${r.kind}\0${r.name}`, '']));
      for (const key of before.keys()) {
        if (!rows.has(key)) this.st.del.run(...splitKey(key));
      }
      for (const [key, data] of rows) {
        if (before.get(key) !== data) this.st.put.run(...splitKey(key), data);
      }
      this.st.put.run('report', '', JSON.stringify(info));
    }).immediate();
    this.written = rows;
    this.objects = objects;
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

  persistence(): { total: number; records: PersistRecordStatus[] } | undefined {
    return this.read('persist', '');
  }

  reportInfo(): ReportInfo | undefined {
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

function splitKey(key: string): [string, string] {
  const i = key.indexOf('\0');
  return [key.slice(0, i), key.slice(i + 1)];
}
