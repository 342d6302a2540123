/**
 * `show ltm persistence persist-records [all-properties]`: the records the data plane last
 * reported, in BIG-IP's layout (`Sys::Persistent Connections`, one line per record: mode, value,
 * virtual address, node address; with all-properties, a block per record with its age, virtual,
 * pool and client). BIG-IP ends each line with the TMM that holds the record; openltm keeps one
 * table for every worker, so the line ends with the record's age instead. A record past its
 * timeout is not shown even if the daemon has not swept it yet.
 */
import type { PersistRecordStatus } from '@openltm/model';
import type { ExecContext } from './executor';
import type { ExecuteResult } from './session';

export interface PersistRecordJson extends PersistRecordStatus {
  /** Seconds since the record was last used. */
  age: number;
}

/** BIG-IP's filters: `client-addr`, `node-addr`, `node-port`, `pool`, `virtual`, `mode`. */
export type PersistFilters = Partial<Record<'client-addr' | 'node-addr' | 'node-port' | 'pool' | 'virtual' | 'mode', string>>;

function matches(r: PersistRecordStatus, f: PersistFilters, folder: string): boolean {
  const node = /^(.*)[:.](\d+)$/.exec(r.nodeAddr);
  const path = (name: string) => (name.startsWith('/') ? name : `${folder === '/' ? '/Common' : folder}/${name}`);
  if (f['client-addr'] !== undefined && f['client-addr'] !== r.clientAddr) return false;
  if (f['node-addr'] !== undefined && f['node-addr'] !== node?.[1]) return false;
  if (f['node-port'] !== undefined && f['node-port'] !== node?.[2]) return false;
  if (f.pool !== undefined && path(f.pool) !== r.pool) return false;
  if (f.virtual !== undefined && path(f.virtual) !== r.virtual) return false;
  return f.mode === undefined || f.mode === r.mode;
}

export function showPersistRecords(ctx: ExecContext, allProperties: boolean, filters: PersistFilters = {}, now = Date.now()): ExecuteResult {
  const reported = ctx.status.persistence();
  const live: PersistRecordJson[] = (reported?.records ?? [])
    .filter((r) => (r.timeout === 0 || now - r.lastUsed < r.timeout * 1000) && matches(r, filters, ctx.session.folder))
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
