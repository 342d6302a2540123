/**
 * `show ltm persistence persist-records [all-properties]`: the records the data plane last
 * reported, in BIG-IP's layout (`Sys::Persistent Connections`, one line per record: mode, value,
 * virtual address, node address; with all-properties, a block per record with its age, virtual,
 * pool and client). BIG-IP ends each line with the TMM that holds the record; openltm keeps one
 * table for every worker, so the line ends with the record's age instead. A record past its
 * timeout is not shown even if the daemon has not swept it yet, nor one a `delete ltm persistence
 * persist-records` removed (the daemon reports its table again within a second).
 */
import { flushRemoves, persistRecordMatches, type PersistRecordFilters, type PersistRecordStatus } from '@openltm/model';
import type { ExecContext } from './executor';
import type { ExecuteResult } from './session';

export interface PersistRecordJson extends PersistRecordStatus {
  /** Seconds since the record was last used. */
  age: number;
}

export function showPersistRecords(ctx: ExecContext, allProperties: boolean, filters: PersistRecordFilters = {}, now = Date.now()): ExecuteResult {
  const reported = ctx.status.persistence();
  const flushes = ctx.status.persistFlushes();
  const deleted = (r: PersistRecordStatus) => r.created !== undefined && flushes.some((f) => flushRemoves(f, r, r.created));
  const live: PersistRecordJson[] = (reported?.records ?? [])
    .filter((r) => (r.timeout === 0 || now - r.lastUsed < r.timeout * 1000) && persistRecordMatches(r, filters) && !deleted(r))
    .map((r) => ({ ...r, age: Math.max(0, Math.floor((now - r.lastUsed) / 1000)) }));
  const lines = ['Sys::Persistent Connections'];
  for (const r of live) {
    if (!allProperties) {
      lines.push(`${r.mode}  ${r.value}  ${r.virtualAddr}  ${r.nodeAddr}  (age: ${r.age})`);
      continue;
    }
    const title = `Sys::Persistent Connections: ${r.mode} - ${r.value} - ${r.virtualAddr} - ${r.nodeAddr}`;
    const rule = '-'.repeat(Math.max(77, title.length));
    const rows: [string, string][] = [
      ['Mode', r.mode], ['Value', r.value], ['Age (sec.)', String(r.age)], ['Timeout (sec.)', r.timeout === 0 ? 'indefinite' : String(r.timeout)],
      ['Virtual Name', r.virtual], ['Virtual Addr', r.virtualAddr], ['Node Addr', r.nodeAddr], ['Pool Name', r.pool], ['Pool Member', r.member], ['Client Addr', r.clientAddr],
    ];
    lines.push(rule, title, rule, ...rows.map(([k, v]) => `  ${k.padEnd(15)} ${v}`));
  }
  const hidden = reported && reported.total > reported.records.length ? ` (the newest ${reported.records.length} of ${reported.total} are listed)` : '';
  lines.push(`Total records returned: ${live.length}${hidden}`);
  return { output: lines.join('\n') + '\n', data: live };
}
