/**
 * `show ltm virtual|pool|node [names] [members] [raw]` and `reset-stats`: configuration plus the
 * status and counters the data plane reported (minus reset-stats baselines). Before any report,
 * availability is `unknown`.
 */
import { errors, type MemberStats, type VirtualStats } from '@openltm/model';
import type { CommandStatement } from '@openltm/parser';
import type { ExecContext } from './executor';
import { selectTargets } from './list-command';
import { formatMonitorRule, parseMonitorRule } from './monitor-rule';
import { relativeName } from './names';
import type { ObjectRecord } from './object-repository';
import type { ExecuteResult } from './session';
import { isProps, type StoredProps } from './stored-value';
import { counterTable, statusBlock, title } from './format/show-format';
import { formatDestinationForShow } from './format/values';
import { memberNode } from './validate/references';

const NO_REPORT = 'No status reported yet: the data plane is not running or has not applied this configuration';
const ZERO_MEMBER: MemberStats = { curConns: 0, maxConns: 0, totConns: 0, bytesIn: 0, bytesOut: 0 };

/** Counters minus the reset-stats baseline (a restarted data plane counting from 0 ignores it). */
function sinceReset<T extends object>(stats: T, base: Record<string, number> | undefined): T {
  if (!base) return stats;
  const out = { ...stats } as Record<string, number>;
  for (const [k, v] of Object.entries(stats as Record<string, number>)) {
    if (k === 'curConns' || k === 'clientCurConns' || typeof v !== 'number') continue;
    const b = base[k] ?? 0;
    out[k] = v >= b ? v - b : v;
  }
  return out as T;
}

function memberStats(ctx: ExecContext, pool: string, member: string): { stats: MemberStats; availability: string; monitorStatus: string; reason: string } {
  const m = ctx.status.member(pool, member);
  const stats = sinceReset(m?.stats ?? ZERO_MEMBER, ctx.status.baseline('member', `${pool} ${member}`));
  return { stats, availability: m?.availability ?? 'unknown', monitorStatus: m?.monitorStatus ?? 'unknown', reason: m?.reason ?? NO_REPORT };
}

function sum(list: MemberStats[]): MemberStats {
  return list.reduce((a, s) => ({
    curConns: a.curConns + s.curConns, maxConns: Math.max(a.maxConns, s.maxConns), totConns: a.totConns + s.totConns,
    bytesIn: a.bytesIn + s.bytesIn, bytesOut: a.bytesOut + s.bytesOut,
  }), { ...ZERO_MEMBER });
}

function serverSideRows(s: MemberStats): [string, number][] {
  return [
    ['Bits In', s.bytesIn * 8], ['Bits Out', s.bytesOut * 8],
    ['Current Connections', s.curConns], ['Maximum Connections', s.maxConns], ['Total Connections', s.totConns],
  ];
}

function showVirtual(rec: ObjectRecord, ctx: ExecContext, raw: boolean): string[] {
  const eff = ctx.ops.effective(rec);
  const st = ctx.status.virtual(rec.path);
  const zero: VirtualStats = {
    clientCurConns: 0, clientMaxConns: 0, clientTotConns: 0, clientBytesIn: 0, clientBytesOut: 0, starttlsOffered: 0,
    starttlsUpgraded: 0, refusedBeforeTls: 0, tlsHandshakeFailures: 0, pipelinedDiscarded: 0, smugglingBlocked: 0,
    connectionLimitRejected: 0, rateLimitRejected: 0, sourceLimitRejected: 0, sessionTimeouts: 0, messages: 0, authRefusedBeforeTls: 0, earlyTalkers: 0,
    clientCertValid: 0, clientCertInvalid: 0, clientCertNone: 0,
  };
  const s = sinceReset(st?.stats ?? zero, ctx.status.baseline('virtual', rec.path));
  const state = eff.enabled === 'disabled' ? 'disabled' : 'enabled';
  const dash = '-';
  return [
    ...title('Ltm::Virtual Server', relativeName(rec.path, ctx.session.folder), 66),
    ...statusBlock('Status', [
      ['Availability', st?.availability ?? 'unknown'],
      ['State', st?.state ?? state],
      ['Reason', st?.reason ?? NO_REPORT],
      ['CMP', 'enabled'],
      ['CMP Mode', 'all-cpus'],
      ['Destination', formatDestinationForShow(String(eff.destination))],
    ], '', 16),
    '',
    ...counterTable('Traffic', ['ClientSide', 'Ephemeral', 'General'], [
      ['Bits In', s.clientBytesIn * 8, 0, dash],
      ['Bits Out', s.clientBytesOut * 8, 0, dash],
      ['Current Connections', s.clientCurConns, 0, dash],
      ['Maximum Connections', s.clientMaxConns, 0, dash],
      ['Total Connections', s.clientTotConns, 0, dash],
      ['Total Requests', dash, dash, s.messages],
    ], { raw }),
    '',
    ...counterTable('SMTP STARTTLS', ['Total'], [
      ['STARTTLS Offered', s.starttlsOffered],
      ['STARTTLS Upgraded', s.starttlsUpgraded],
      ['Refused Before TLS', s.refusedBeforeTls],
      ['AUTH Refused Before TLS', s.authRefusedBeforeTls ?? 0],
      ['TLS Handshake Failures', s.tlsHandshakeFailures],
      ['Pipelined Bytes Discarded', s.pipelinedDiscarded],
      ['Smuggling Attempts Blocked', s.smugglingBlocked],
    ], { raw }),
    '',
    ...counterTable('Admission and Timeouts', ['Total'], [
      ['Connection Limit Rejections', s.connectionLimitRejected],
      ['Early Talkers Refused', s.earlyTalkers ?? 0],
      ['Rate Limit Rejections', s.rateLimitRejected ?? 0],
      ['Source Limit Rejections', s.sourceLimitRejected ?? 0],
      ['Session Timeouts', s.sessionTimeouts ?? 0],
    ], { raw }),
    '',
    ...counterTable('Client Certificates', ['Total'], [
      ['Verified', s.clientCertValid],
      ['Failed Verification', s.clientCertInvalid],
      ['Not Presented', s.clientCertNone],
    ], { raw }),
  ];
}

function members(rec: ObjectRecord): [string, StoredProps][] {
  const m = rec.props.members;
  return isProps(m) ? (Object.entries(m) as [string, StoredProps][]).sort(([a], [b]) => (a < b ? -1 : 1)) : [];
}

function showPool(rec: ObjectRecord, ctx: ExecContext, raw: boolean, withMembers: boolean): string[] {
  const eff = ctx.ops.effective(rec);
  const folder = ctx.session.folder;
  const list = members(rec).map(([key, e]) => ({ key, e, ...memberStats(ctx, rec.path, key) }));
  const available = list.filter((m) => m.availability === 'available').length;
  const availability = available > 0 ? 'available' : list.length && list.every((m) => m.availability === 'offline') ? 'offline' : 'unknown';
  const reason = availability === 'available' ? 'The pool is available' : availability === 'offline' ? "The children pool member(s) are down" : list.length ? NO_REPORT : 'The pool has no members';
  const monitor = formatMonitorRule(parseMonitorRule(String(eff.monitor ?? 'none')), (m) => relativeName(m, folder));
  const lines = [
    ...title('Ltm::Pool', relativeName(rec.path, folder), 69),
    ...statusBlock('Status', [['Availability', availability], ['State', 'enabled'], ['Reason', reason], ['Monitor', monitor]]),
    `  Minimum Active Members : ${String(eff['min-active-members'] ?? 0)}`,
    `  Current Active Members : ${available}`,
    `       Available Members : ${available}`,
    `           Total Members : ${list.length}`,
    `        Current Sessions : ${sum(list.map((m) => m.stats)).curConns}`,
    '',
    ...counterTable('Traffic', ['ServerSide'], serverSideRows(sum(list.map((m) => m.stats))), { raw, labelWidth: 33 }),
  ];
  if (!withMembers) return lines;
  for (const m of list) {
    const own = typeof m.e.monitor === 'string' ? parseMonitorRule(m.e.monitor) : undefined;
    const memberMonitor = own && !own.isDefault ? `${formatMonitorRule(own, (x) => relativeName(x, folder))} (member monitor)` : monitor === 'none' ? 'none' : `${monitor} (pool monitor)`;
    lines.push(
      '',
      '  -------------------------------------------',
      `  | Ltm::Pool Member: ${relativeName(m.key, folder)}`,
      '  -------------------------------------------',
      ...statusBlock('Status', [
        ['Availability', m.availability],
        ['State', m.e.session === 'user-disabled' || m.e.state === 'user-down' ? 'disabled' : 'enabled'],
        ['Reason', m.reason],
        ['Monitor', memberMonitor],
        ['Monitor Status', m.e.state === 'user-down' ? 'user-down' : m.monitorStatus],
        ['Session Status', m.e.session === 'user-disabled' ? 'user-disabled' : 'enabled'],
      ], '  | '),
      '  |',
      ...counterTable('Traffic', ['ServerSide'], serverSideRows(m.stats), { raw, labelWidth: 29, prefix: '  | ' }),
    );
  }
  return lines;
}

function showNode(rec: ObjectRecord, ctx: ExecContext, raw: boolean): string[] {
  const stats: MemberStats[] = [];
  let availability = 'unknown';
  for (const pool of ctx.ops.repo.all('ltm pool')) {
    for (const [key] of members(pool)) {
      if (memberNode(key).node !== rec.path) continue;
      const m = memberStats(ctx, pool.path, key);
      stats.push(m.stats);
      if (m.availability === 'available') availability = 'available';
      else if (m.availability === 'offline' && availability === 'unknown') availability = 'offline';
    }
  }
  const reason = availability === 'available' ? 'Node address is available' : availability === 'offline' ? 'Node address is down' : NO_REPORT;
  return [
    ...title('Ltm::Node', `${relativeName(rec.path, ctx.session.folder)} (${String(rec.props.address)})`, 69),
    ...statusBlock('Status', [
      ['Availability', availability],
      ['State', rec.props.session === 'user-disabled' || rec.props.state === 'user-down' ? 'disabled' : 'enabled'],
      ['Reason', reason],
    ]),
    '',
    ...counterTable('Traffic', ['ServerSide'], serverSideRows(sum(stats)), { raw, labelWidth: 33 }),
  ];
}

export function showCommand(s: CommandStatement, ctx: ExecContext): ExecuteResult {
  const typeKey = s.typeKey!;
  const raw = s.options.raw === true;
  const recs = selectTargets(ctx.ops, typeKey, s.targets, ctx.session.folder, s.pos, s.options.recursive === true);
  const blocks: string[][] = [];
  for (const rec of recs) {
    if (typeKey === 'ltm virtual') blocks.push(showVirtual(rec, ctx, raw));
    else if (typeKey === 'ltm pool') blocks.push(showPool(rec, ctx, raw, s.options.members === true || s.options.detail === true));
    else if (typeKey === 'ltm node') blocks.push(showNode(rec, ctx, raw));
    else throw errors.syntax(`"show ${typeKey}" is not supported; show ltm virtual, ltm pool or ltm node`, s.pos);
  }
  return { output: blocks.map((b) => b.join('\n') + '\n').join('\n') };
}

export function resetStats(s: CommandStatement, ctx: ExecContext): ExecuteResult {
  const typeKey = s.typeKey!;
  const recs = selectTargets(ctx.ops, typeKey, s.targets, ctx.session.folder, s.pos);
  for (const rec of recs) {
    if (typeKey === 'ltm virtual') {
      const st = ctx.status.virtual(rec.path);
      ctx.status.setBaseline('virtual', rec.path, { ...(st?.stats ?? {}) } as unknown as Record<string, number>);
    } else if (typeKey === 'ltm pool') {
      for (const [key] of members(rec)) {
        const m = ctx.status.member(rec.path, key);
        ctx.status.setBaseline('member', `${rec.path} ${key}`, { ...(m?.stats ?? {}) } as unknown as Record<string, number>);
      }
    } else throw errors.syntax(`"reset-stats ${typeKey}" is not supported; reset-stats ltm virtual or ltm pool`, s.pos);
  }
  return { output: '' };
}
