/**
 * Status on a shared key/value store: every host's data plane publishes its own rows
 *
 *   status/<host>/report            { generation, at, cmp? }
 *   status/<host>/virtual/<name>    VirtualStatus
 *   status/<host>/member/<pool> <member>   MemberStatus
 *
 * (bound to a lease, so a host that dies disappears), and `show` reads the sum over the hosts:
 * counters add up, a virtual is available when any host has it available, and the reason says
 * which hosts disagree. Resume tokens and reset-stats baselines are shared by all hosts.
 */
import type { Availability, MemberStatus, PersistFlush, PersistRecordFilters, PersistRecordStatus, StatusReport, VirtualStatus } from '@openltm/model';
import type { KvRepository } from './kv-repository';
import { flushesToPrune } from './persist-flushes';
import type { ReportInfo, StatusStore } from './status';

const STATUS = 'status/';
const FLUSH = 'persist-flush/';

/** One host's view of an object. */
export interface HostStatus<T> {
  host: string;
  status: T;
}

/** Adds the numeric fields of `b` into `a` (counters add up across hosts; maxima are summed too). */
function addNumbers<T extends object>(a: T, b: T): T {
  const out = { ...a } as Record<string, unknown>;
  for (const [k, v] of Object.entries(b)) if (typeof v === 'number') out[k] = ((out[k] as number | undefined) ?? 0) + v;
  return out as T;
}

function combinedAvailability(list: readonly Availability[]): Availability {
  if (list.includes('available')) return 'available';
  if (list.length && list.every((a) => a === 'offline')) return 'offline';
  return list.includes('offline') ? 'offline' : 'unknown';
}

/** "available on 2 of 3 hosts; h3: <reason>" when hosts disagree; the common reason when they agree. */
function combinedReason<T extends { availability: Availability; reason: string }>(hosts: ReadonlyArray<HostStatus<T>>): string {
  const reasons = new Set(hosts.map((h) => h.status.reason));
  if (reasons.size === 1) return hosts[0].status.reason;
  const up = hosts.filter((h) => h.status.availability === 'available');
  const others = hosts.filter((h) => h.status.availability !== 'available').map((h) => `${h.host}: ${h.status.reason}`);
  return [`available on ${up.length} of ${hosts.length} hosts`, ...others].join('; ');
}

export class KvStatus implements StatusStore {
  /** `<kind>\0<name>` -> host -> JSON, for rows under status/. */
  private readonly rows = new Map<string, Map<string, string>>();
  /** What this host last published, by key (so a report writes only what changed). */
  private written = new Map<string, string>();
  private objects = new Map<string, object>();

  constructor(
    private readonly repo: KvRepository,
    /** This host's name (its status keys are status/<host>/...). */
    readonly host: string,
  ) {
    repo.onOther = (key, value) => this.index(key, value);
  }

  private index(key: string, value: string | undefined): void {
    if (!key.startsWith(STATUS)) return;
    const rest = key.slice(STATUS.length);
    const h = rest.indexOf('/');
    const host = rest.slice(0, h);
    const after = rest.slice(h + 1);
    const k = after.indexOf('/');
    const id = k < 0 ? `${after}\u0000` : `${after.slice(0, k)}\u0000${after.slice(k + 1)}`;
    let m = this.rows.get(id);
    if (value === undefined) {
      m?.delete(host);
      if (m?.size === 0) this.rows.delete(id);
      return;
    }
    if (!m) this.rows.set(id, (m = new Map()));
    m.set(host, value);
  }

  /** Every host's row of an object, by host name. */
  hosts<T>(kind: string, name: string): Array<HostStatus<T>> {
    const m = this.rows.get(`${kind}\u0000${name}`);
    if (!m) return [];
    return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([host, json]) => ({ host, status: JSON.parse(json) as T }));
  }

  virtual(name: string): VirtualStatus | undefined {
    const hosts = this.hosts<VirtualStatus>('virtual', name);
    if (!hosts.length) return undefined;
    const first = hosts[0].status;
    return {
      ...first,
      availability: combinedAvailability(hosts.map((h) => h.status.availability)),
      reason: combinedReason(hosts),
      stats: hosts.slice(1).reduce((sum, h) => addNumbers(sum, h.status.stats), first.stats),
    };
  }

  member(pool: string, member: string): MemberStatus | undefined {
    const hosts = this.hosts<MemberStatus>('member', `${pool} ${member}`);
    if (!hosts.length) return undefined;
    const first = hosts[0].status;
    const states = new Set(hosts.map((h) => h.status.monitorStatus));
    return {
      ...first,
      availability: combinedAvailability(hosts.map((h) => h.status.availability)),
      // Hosts that disagree (a monitor flapping on one of them): up if any host sees it up.
      monitorStatus: states.size === 1 ? first.monitorStatus : states.has('up') ? 'up' : first.monitorStatus,
      reason: combinedReason(hosts),
      stats: hosts.slice(1).reduce((sum, h) => addNumbers(sum, h.status.stats), first.stats),
    };
  }

  memberState(pool: string, member: string): string | undefined {
    const m = this.member(pool, member);
    return m?.monitorStatus === 'down-manual-resume' ? 'down' : m?.monitorStatus;
  }

  /** Each host's own status of a virtual, with the generation and time of that host's last report. */
  virtualHosts(name: string): Array<{ host: string; status: VirtualStatus; generation?: number; at?: number }> {
    const reports = new Map(this.reports().map((r) => [r.host, r.status]));
    return this.hosts<VirtualStatus>('virtual', name).map((h) => ({ ...h, generation: reports.get(h.host)?.generation, at: reports.get(h.host)?.at }));
  }

  memberHosts(pool: string, member: string): Array<{ host: string; status: MemberStatus }> {
    return this.hosts<MemberStatus>('member', `${pool} ${member}`);
  }

  /** Every host's persistence records (each host keeps its own, as each BIG-IP's TMMs do). */
  persistence(): { total: number; records: PersistRecordStatus[] } | undefined {
    const hosts = this.hosts<{ total: number; records: PersistRecordStatus[] }>('persist', '');
    if (!hosts.length) return undefined;
    return { total: hosts.reduce((n, h) => n + h.status.total, 0), records: hosts.flatMap((h) => h.status.records) };
  }

  /** The most recent report of any host. */
  reportInfo(): ReportInfo | undefined {
    const reports = this.hosts<ReportInfo>('report', '');
    return reports.map((r) => r.status).sort((a, b) => b.at - a.at)[0];
  }

  /** Each host's last report, by host name. */
  reports(): Array<HostStatus<ReportInfo>> {
    return this.hosts<ReportInfo>('report', '');
  }

  markResumed(pool: string, member: string): void {
    const key = `resume/${pool} ${member}`;
    const token = Number(this.repo.getOther(key) ?? 0);
    this.repo.setOther(key, JSON.stringify(token + 1));
  }

  resumeTokens(): Record<string, number> {
    return Object.fromEntries(this.repo.otherKeys('resume/').map((k) => [k.slice('resume/'.length), Number(this.repo.getOther(k))]));
  }

  /** Shared by all hosts: each host's daemon applies every request to its own records. */
  persistFlushes(): PersistFlush[] {
    return this.repo.otherKeys(FLUSH).map((k) => JSON.parse(this.repo.getOther(k)!) as PersistFlush).sort((a, b) => a.seq - b.seq);
  }

  addPersistFlush(filters: PersistRecordFilters, at: number): PersistFlush {
    const kept = this.persistFlushes();
    // The newest request is never pruned, so the highest sequence number only grows.
    const flush: PersistFlush = { seq: (kept[kept.length - 1]?.seq ?? 0) + 1, at, filters };
    this.repo.setOther(`${FLUSH}${flush.seq}`, JSON.stringify(flush));
    for (const old of flushesToPrune([...kept, flush], at)) this.repo.deleteOther(`${FLUSH}${old.seq}`);
    return flush;
  }

  baseline(kind: string, name: string): Record<string, number> | undefined {
    const data = this.repo.getOther(`baseline/${kind}/${name}`);
    return data === undefined ? undefined : (JSON.parse(data) as Record<string, number>);
  }

  setBaseline(kind: string, name: string, counters: Record<string, number>): void {
    this.repo.setOther(`baseline/${kind}/${name}`, JSON.stringify(counters));
  }

  /**
   * This host's rows for a report: only what changed since the last one, and deletes for objects
   * no longer reported. The first report also removes rows an earlier run of this host left.
   */
  diff(report: StatusReport): { puts: Array<[string, string]>; deletes: string[] } {
    const base = `${STATUS}${this.host}/`;
    const rows = new Map<string, string>();
    const objects = new Map<string, object>();
    const row = (key: string, obj: object): void => {
      const same = this.objects.get(key) === obj;
      rows.set(key, same ? this.written.get(key)! : JSON.stringify(obj));
      objects.set(key, obj);
    };
    for (const v of report.virtuals) row(`${base}virtual/${v.name}`, v);
    for (const m of report.members) row(`${base}member/${m.pool} ${m.member}`, m);
    if (report.persistence) row(`${base}persist`, report.persistence);
    const info: ReportInfo = { generation: report.generation, at: report.at, ...(report.cmp ? { cmp: report.cmp } : {}) };
    rows.set(`${base}report`, JSON.stringify(info));
    const before = this.written.size ? this.written : new Map(this.repo.otherKeys(base).map((k) => [k, this.repo.getOther(k) ?? '']));
    const puts: Array<[string, string]> = [];
    const deletes: string[] = [];
    for (const key of before.keys()) if (!rows.has(key)) deletes.push(key);
    for (const [key, data] of rows) if (before.get(key) !== data) puts.push([key, data]);
    this.written = rows;
    this.objects = objects;
    return { puts, deletes };
  }

  /** After a lease was lost everything is written again. */
  forget(): void {
    this.written = new Map();
    this.objects = new Map();
  }
}
