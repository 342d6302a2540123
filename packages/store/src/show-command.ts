/**
 * `show TYPE [names] [members] [raw] [field-fmt]` and `reset-stats`: configuration plus the
 * status and counters the data plane reported (minus reset-stats baselines). Before any report,
 * availability is `unknown`. Virtuals, pools and nodes are shown here; the other types in
 * show-virtual-address.ts, show-snat.ts and show-rule.ts (the model's SHOWN_TYPES says which).
 */
import { IMPLEMENTED_LOAD_BALANCING_MODES, MONITOR_TYPES, PROFILE_TYPES, RESETTABLE_TYPES, SHOWN_TYPES, errors, type MemberStats, type ResettableType, type ShownType, type VirtualStats } from '@openltm/model';
import type { CommandStatement } from '@openltm/parser';
import type { ExecContext } from './executor';
import { selectTargets } from './list-command';
import { formatMonitorRule, parseMonitorRule } from './monitor-rule';
import { relativeName } from './names';
import { KEPT_KEY, isKept } from './preserved';
import type { ObjectRecord } from './object-repository';
import { memberHostLines, virtualHostLines } from './show-hosts';
import type { ExecuteResult } from './session';
import { isProps, type StoredProps } from './stored-value';
import { renderBlock, renderFieldFmt } from './format/show-format';
import { toJson, type ShowBlock, type ShowCell, type ShowCounterRow, type ShowTable, type StoredOnlyInEffect } from './show-data';
import { storedOnlyInEffect } from './stored-only';
import { preservedItems } from './preserved';
import { notServedReasons } from './validate/rules';
import { formatDestinationForShow } from './format/values';
import { memberNode } from './validate/references';
import { persistenceInForce, persistenceKind } from './persistence-in-force';
import { virtualMatch } from './validate/virtual-destination';
import { NO_REPORT, sinceReset } from './show-counters';
import { addressCounters, showVirtualAddress } from './show-virtual-address';
import { showSnat, showSnatTranslation, showSnatpool } from './show-snat';
import { showDataGroup, showRule } from './show-rule';

/**
 * BIG-IP's CMP lines, from the process model the data plane reported: `all-cpus` only when a
 * worker runs on every CPU; one process serving everything is CMP disabled.
 */
function cmpLines(cmp: { workers: number; cpus: number } | undefined): Array<[string, string]> {
  if (!cmp) return [['CMP', 'unknown'], ['CMP Mode', 'unknown']];
  if (cmp.workers <= 1) return [['CMP', 'disabled'], ['CMP Mode', 'single']];
  return [['CMP', 'enabled'], ['CMP Mode', cmp.workers >= cmp.cpus ? 'all-cpus' : `${cmp.workers} of ${cmp.cpus} cpus`]];
}

const ZERO_MEMBER: MemberStats = { curConns: 0, maxConns: 0, totConns: 0, bytesIn: 0, bytesOut: 0 };

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

function serverSideTable(s: MemberStats, labelWidth: number): ShowTable {
  const cell = (field: string, value: number): ShowCell => ({ field: `serverside.${field}`, value });
  return {
    heading: 'Traffic',
    columns: ['ServerSide'],
    labelWidth,
    rows: [
      { label: 'Bits In', cells: [cell('bits-in', s.bytesIn * 8)] },
      { label: 'Bits Out', cells: [cell('bits-out', s.bytesOut * 8)] },
      { label: 'Current Connections', cells: [cell('cur-conns', s.curConns)] },
      { label: 'Maximum Connections', cells: [cell('max-conns', s.maxConns)] },
      { label: 'Total Connections', cells: [cell('tot-conns', s.totConns)] },
    ],
  };
}

/** The stored-only settings in effect on a virtual: its own, its profiles', its pool's and that pool's monitors'. */
function storedOnlyFor(rec: ObjectRecord, eff: StoredProps, ctx: ExecContext): StoredOnlyInEffect[] {
  const out: StoredOnlyInEffect[] = [];
  const add = (r: ObjectRecord, props: StoredProps) => {
    for (const s of storedOnlyInEffect(r.type, props)) out.push({ object: `${r.type} ${r.path}`, ...s });
    // Properties a loaded file set that openltm does not implement: kept as they came, not acted on.
    for (const item of preservedItems(r.props)) out.push({ object: `${r.type} ${r.path}`, property: item.key, value: item.value ?? (item.children ? '{ ... }' : '') });
  };
  add(rec, eff);
  const find = (types: readonly string[], path: string) => types.map((t) => ctx.ops.repo.get(t, path)).find((r): r is ObjectRecord => !!r);
  const persistence = persistenceInForce(eff, persistenceKind(ctx.ops.repo));
  for (const s of persistence.notActedOn) out.push({ object: `${rec.type} ${rec.path}`, ...s });
  const persistRec = persistence.profile ? ctx.ops.repo.get('ltm persistence source-addr', persistence.profile) : undefined;
  if (persistRec) add(persistRec, ctx.ops.effective(persistRec));
  for (const path of Object.keys(isProps(eff.profiles) ? eff.profiles : {})) {
    const p = find(PROFILE_TYPES, path);
    if (p) add(p, ctx.ops.effective(p));
  }
  const pool = typeof eff.pool === 'string' ? ctx.ops.repo.get('ltm pool', eff.pool) : undefined;
  if (pool) {
    const poolEff = ctx.ops.effective(pool);
    add(pool, poolEff);
    const rules = [String(poolEff.monitor ?? 'none'), ...members(pool).map(([, m]) => String(m.monitor ?? 'default'))];
    const monitors = new Set(rules.flatMap((r) => parseMonitorRule(r).monitors));
    for (const path of monitors) {
      const m = find(MONITOR_TYPES, path);
      if (m) add(m, ctx.ops.effective(m));
    }
  }
  return out;
}

function showVirtual(rec: ObjectRecord, ctx: ExecContext): ShowBlock {
  const eff = ctx.ops.effective(rec);
  const st = ctx.status.virtual(rec.path);
  const zero: VirtualStats = {
    clientCurConns: 0, clientMaxConns: 0, clientTotConns: 0, clientBytesIn: 0, clientBytesOut: 0, starttlsOffered: 0,
    starttlsUpgraded: 0, refusedBeforeTls: 0, tlsHandshakeFailures: 0, pipelinedDiscarded: 0, smugglingBlocked: 0,
    connectionLimitRejected: 0, rateLimitRejected: 0, sourceLimitRejected: 0, sessionTimeouts: 0, messages: 0, authRefusedBeforeTls: 0, earlyTalkers: 0,
    clientCertValid: 0, clientCertInvalid: 0, clientCertNone: 0,
  };
  const s = sinceReset(st?.stats ?? zero, ctx.status.baseline('virtual', rec.path));
  const match = virtualMatch(eff);
  const notServed = notServedReasons(rec.props);
  const state = eff.enabled === 'disabled' ? 'disabled' : 'enabled';
  const perHost = virtualHostLines(ctx.status, rec.path);
  const c = (field: string, value: number): ShowCell => ({ field, value });
  const traffic = (label: string, field: string, value: number): ShowCounterRow => ({ label, cells: [c(`clientside.${field}`, value), c(`ephemeral.${field}`, 0), null] });
  const one = (label: string, field: string, value: number): ShowCounterRow => ({ label, cells: [c(field, value)] });
  return {
    type: rec.type,
    name: rec.path,
    title: `Ltm::Virtual Server: ${relativeName(rec.path, ctx.session.folder)}`,
    titleWidth: 66,
    statusWidth: 16,
    status: [
      { label: 'Availability', field: 'status.availability-state', value: notServed.length ? 'offline' : st?.availability ?? 'unknown' },
      { label: 'State', field: 'status.enabled-state', value: st?.state ?? state },
      { label: 'Reason', field: 'status.status-reason', value: notServed.length ? `Not served by openltm (no listener): ${notServed.join(' ')}` : st?.reason ?? NO_REPORT },
      ...cmpLines(ctx.status.reportInfo()?.cmp).map(([label, value]) => ({ label, field: label === 'CMP' ? 'cmp-enabled' : 'cmp-mode', value })),
      { label: 'Destination', field: 'destination', value: showDestination(eff) },
      ...(match && match.source.prefix > 0 ? [{ label: 'Source', field: 'source', value: `${match.source.address}/${match.source.prefix}` }] : []),
      ...perHost.lines,
    ],
    tables: [
      ...(perHost.table ? [perHost.table] : []),
      {
        heading: 'Traffic',
        columns: ['ClientSide', 'Ephemeral', 'General'],
        rows: [
          traffic('Bits In', 'bits-in', s.clientBytesIn * 8),
          traffic('Bits Out', 'bits-out', s.clientBytesOut * 8),
          traffic('Current Connections', 'cur-conns', s.clientCurConns),
          traffic('Maximum Connections', 'max-conns', s.clientMaxConns),
          traffic('Total Connections', 'tot-conns', s.clientTotConns),
          { label: 'Total Requests', cells: [null, null, c('total-requests', s.messages)] },
        ],
      },
      {
        heading: 'SMTP STARTTLS',
        columns: ['Total'],
        rows: [
          one('STARTTLS Offered', 'starttls.offered', s.starttlsOffered),
          one('STARTTLS Upgraded', 'starttls.upgraded', s.starttlsUpgraded),
          one('Refused Before TLS', 'starttls.refused-before-tls', s.refusedBeforeTls),
          one('AUTH Refused Before TLS', 'starttls.auth-refused-before-tls', s.authRefusedBeforeTls ?? 0),
          one('TLS Handshake Failures', 'starttls.handshake-failures', s.tlsHandshakeFailures),
          one('Pipelined Bytes Discarded', 'starttls.pipelined-bytes-discarded', s.pipelinedDiscarded),
          one('Smuggling Attempts Blocked', 'starttls.smuggling-blocked', s.smugglingBlocked),
          one('XCLIENT Sent', 'identity.xclient-sent', s.xclientSent ?? 0),
          one('XCLIENT Not Taken', 'identity.xclient-fallbacks', s.xclientFallbacks ?? 0),
        ],
      },
      {
        heading: 'Admission and Timeouts',
        columns: ['Total'],
        rows: [
          one('Connection Limit Rejections', 'admission.connection-limit-rejections', s.connectionLimitRejected),
          one('Early Talkers Refused', 'admission.early-talkers-refused', s.earlyTalkers ?? 0),
          one('Rate Limit Rejections', 'admission.rate-limit-rejections', s.rateLimitRejected ?? 0),
          one('Source Limit Rejections', 'admission.source-limit-rejections', s.sourceLimitRejected ?? 0),
          one('Session Timeouts', 'session-timeouts', s.sessionTimeouts ?? 0),
          // Per port, since the daemon started: a connection no virtual matched belongs to no
          // virtual, so every virtual of the port shows it (reset-stats of one virtual keeps it).
          one('Port Resets: No Virtual Matched', 'port.no-virtual-matched', (match && ctx.status.reportInfo()?.unmatched?.[String(match.destination.port)]) ?? 0),
        ],
      },
      {
        heading: 'Client Certificates',
        columns: ['Total'],
        rows: [
          one('Verified', 'client-cert.verified', s.clientCertValid ?? 0),
          one('Failed Verification', 'client-cert.failed-verification', s.clientCertInvalid ?? 0),
          one('Not Presented', 'client-cert.not-presented', s.clientCertNone ?? 0),
        ],
      },
    ],
    storedOnly: storedOnlyFor(rec, eff, ctx),
  };
}

/** `10.0.0.1:25`, a network as `10.0.0.0/24:25`, the wildcard as `any:25` / `any6.25`. */
function showDestination(eff: StoredProps): string {
  const text = formatDestinationForShow(String(eff.destination));
  const m = virtualMatch(eff);
  if (!m || m.prefix === (m.destination.family === 4 ? 32 : 128)) return text;
  const sep = m.destination.family === 4 ? ':' : '.';
  const host = m.prefix === 0 ? (m.destination.family === 4 ? 'any' : 'any6') : `${text.slice(0, text.lastIndexOf(sep))}/${m.prefix}`;
  return `${host}${sep}${m.destination.port}`;
}

function members(rec: ObjectRecord): [string, StoredProps][] {
  const m = rec.props.members;
  return isProps(m) ? (Object.entries(m) as [string, StoredProps][]).sort(([a], [b]) => (a < b ? -1 : 1)) : [];
}

/** The mode the data plane runs: a store written before unimplemented modes were refused may still list one. */
function modeInForce(mode: string): string {
  return (IMPLEMENTED_LOAD_BALANCING_MODES as readonly string[]).includes(mode) ? mode : `round-robin (${mode} is not implemented)`;
}

function showPool(rec: ObjectRecord, ctx: ExecContext, withMembers: boolean): ShowBlock {
  const eff = ctx.ops.effective(rec);
  const folder = ctx.session.folder;
  const list = members(rec).map(([key, e]) => ({ key, e, ...memberStats(ctx, rec.path, key) }));
  const available = list.filter((m) => m.availability === 'available').length;
  const availability = available > 0 ? 'available' : list.length && list.every((m) => m.availability === 'offline') ? 'offline' : 'unknown';
  const notServed = notServedReasons(rec.props);
  const reason = notServed.length
    ? `Not served by openltm (no data-plane pool): ${notServed.join(' ')}`
    : availability === 'available' ? 'The pool is available' : availability === 'offline' ? "The children pool member(s) are down" : list.length ? NO_REPORT : 'The pool has no members';
  const monitor = formatMonitorRule(parseMonitorRule(String(eff.monitor ?? 'none')), (m) => relativeName(m, folder));
  const block: ShowBlock = {
    type: rec.type,
    name: rec.path,
    title: `Ltm::Pool: ${relativeName(rec.path, folder)}`,
    titleWidth: 69,
    status: [
      { label: 'Availability', field: 'status.availability-state', value: notServed.length ? 'offline' : availability },
      { label: 'State', field: 'status.enabled-state', value: 'enabled' },
      { label: 'Reason', field: 'status.status-reason', value: reason },
      { label: 'Monitor', field: 'monitor-rule', value: monitor },
    ],
    summary: [
      { label: 'Load Balancing Mode', field: 'load-balancing-mode', value: modeInForce(String(eff['load-balancing-mode'] ?? 'round-robin')) },
      { label: 'Minimum Active Members', field: 'min-active-members', value: Number(eff['min-active-members'] ?? 0) },
      { label: 'Current Active Members', field: 'active-member-cnt', value: available },
      { label: 'Available Members', field: 'available-member-cnt', value: available },
      { label: 'Total Members', field: 'member-cnt', value: list.length },
      { label: 'Current Sessions', field: 'cur-sessions', value: sum(list.map((m) => m.stats)).curConns },
    ],
    tables: [serverSideTable(sum(list.map((m) => m.stats)), 33)],
  };
  if (!withMembers) return block;
  block.members = list.map((m) => {
    const own = typeof m.e.monitor === 'string' ? parseMonitorRule(m.e.monitor) : undefined;
    const memberMonitor = own && !own.isDefault ? `${formatMonitorRule(own, (x) => relativeName(x, folder))} (member monitor)` : monitor === 'none' ? 'none' : `${monitor} (pool monitor)`;
    return {
      type: 'ltm pool member',
      name: m.key,
      title: `Ltm::Pool Member: ${relativeName(m.key, folder)}`,
      titleWidth: 43,
      status: [
        { label: 'Availability', field: 'status.availability-state', value: m.availability },
        { label: 'State', field: 'status.enabled-state', value: m.e.session === 'user-disabled' || m.e.state === 'user-down' ? 'disabled' : 'enabled' },
        { label: 'Reason', field: 'status.status-reason', value: m.reason },
        { label: 'Monitor', field: 'monitor-rule', value: memberMonitor },
        { label: 'Monitor Status', field: 'monitor-status', value: m.e.state === 'user-down' ? 'user-down' : m.monitorStatus },
        { label: 'Session Status', field: 'session-status', value: m.e.session === 'user-disabled' ? 'user-disabled' : 'enabled' },
        ...memberHostLines(ctx.status, rec.path, m.key),
      ],
      tables: [serverSideTable(m.stats, 29)],
    };
  });
  return block;
}

function showNode(rec: ObjectRecord, ctx: ExecContext): ShowBlock {
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
  // An FQDN node kept from a loaded file: openltm does not resolve names, so nothing reaches it.
  const fqdn = typeof rec.props.address !== 'string';
  const reason = fqdn
    ? 'FQDN node: openltm does not resolve names; its pool members take no traffic'
    : availability === 'available' ? 'Node address is available' : availability === 'offline' ? 'Node address is down' : NO_REPORT;
  if (fqdn) availability = 'offline';
  return {
    type: rec.type,
    name: rec.path,
    title: `Ltm::Node: ${relativeName(rec.path, ctx.session.folder)} (${fqdn ? 'fqdn, not resolved' : String(rec.props.address)})`,
    titleWidth: 69,
    status: [
      { label: 'Availability', field: 'status.availability-state', value: availability },
      { label: 'State', field: 'status.enabled-state', value: rec.props.session === 'user-disabled' || rec.props.state === 'user-down' ? 'disabled' : 'enabled' },
      { label: 'Reason', field: 'status.status-reason', value: reason },
    ],
    tables: [serverSideTable(sum(stats), 33)],
  };
}

function render(block: ShowBlock, raw: boolean, fieldFmt: boolean, folder: string): string {
  if (fieldFmt) return renderFieldFmt(block, folder).join('\n') + '\n';
  const lines = renderBlock(block, raw);
  for (const m of block.members ?? []) lines.push('', ...renderBlock(m, raw, '  | '));
  return lines.join('\n') + '\n';
}

const baseline = (stats: object | undefined): Record<string, number> => ({ ...(stats ?? {}) }) as Record<string, number>;

type Show = (rec: ObjectRecord, ctx: ExecContext, s: CommandStatement) => ShowBlock;
type Reset = (rec: ObjectRecord, ctx: ExecContext) => void;

/** How `show` prints each type the model says it shows (SHOWN_TYPES); the others answer with that list. */
const SHOW: Readonly<Record<ShownType, Show>> = {
  'ltm virtual': (rec, ctx) => showVirtual(rec, ctx),
  'ltm virtual-address': showVirtualAddress,
  'ltm pool': (rec, ctx, s) => showPool(rec, ctx, s.options.members === true || s.options.detail === true),
  'ltm node': (rec, ctx) => showNode(rec, ctx),
  'ltm snatpool': showSnatpool,
  'ltm snat-translation': showSnatTranslation,
  'ltm snat': showSnat,
  'ltm rule': showRule,
  'ltm data-group internal': showDataGroup,
};

/** reset-stats: records the baseline show subtracts (only types with counters of their own: RESETTABLE_TYPES). */
const RESET: Readonly<Record<ResettableType, Reset>> = {
  'ltm virtual': (rec, ctx) => ctx.status.setBaseline('virtual', rec.path, baseline(ctx.status.virtual(rec.path)?.stats)),
  'ltm virtual-address': (rec, ctx) => ctx.status.setBaseline('virtual-address', rec.path, baseline(addressCounters(ctx, rec))),
  'ltm pool': (rec, ctx) => {
    for (const [key] of members(rec)) ctx.status.setBaseline('member', `${rec.path} ${key}`, baseline(ctx.status.member(rec.path, key)?.stats));
  },
};

const isShown = (t: string): t is ShownType => (SHOWN_TYPES as readonly string[]).includes(t);
const isResettable = (t: string): t is ResettableType => (RESETTABLE_TYPES as readonly string[]).includes(t);

export function showCommand(s: CommandStatement, ctx: ExecContext): ExecuteResult {
  const typeKey = s.typeKey!;
  if (!isShown(typeKey)) throw errors.syntax(`"show ${typeKey}" is not supported; show ${SHOWN_TYPES.join(', ')}`, s.pos);
  const raw = s.options.raw === true;
  const fieldFmt = s.options['field-fmt'] === true;
  const folder = ctx.session.folder;
  const recs = selectTargets(ctx.ops, typeKey, s.targets, folder, s.pos, s.options.recursive === true);
  // A record kept as it came is not first-class: said plainly, with why.
  const kept = recs.filter(isKept).map((r) => `${typeKey} ${r.path}: stored only: kept as it came from an earlier openltm, not acted on, because it does not validate: ${String(r.props[KEPT_KEY])}\n`);
  const blocks = recs.filter((r) => !isKept(r)).map((rec) => SHOW[typeKey](rec, ctx, s));
  return { output: kept.join('') + blocks.map((b) => render(b, raw, fieldFmt, folder)).join(fieldFmt ? '' : '\n'), data: blocks.map(toJson) };
}

export function resetStats(s: CommandStatement, ctx: ExecContext): ExecuteResult {
  const typeKey = s.typeKey!;
  if (!isResettable(typeKey)) throw errors.syntax(`"reset-stats ${typeKey}" is not supported: openltm keeps counters for ${RESETTABLE_TYPES.join(', ')}`, s.pos);
  for (const rec of selectTargets(ctx.ops, typeKey, s.targets, ctx.session.folder, s.pos)) RESET[typeKey](rec, ctx);
  return { output: '' };
}
