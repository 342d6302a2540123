/**
 * `show ltm rule` and `show ltm data-group internal`. BIG-IP prints each iRule event's
 * executions, failures, aborts and CPU cycles; openltm never executes iRules, so it prints the
 * events the Tcl declares (`when EVENT [priority N]`) as not executed, never counters of zero, and
 * which virtual servers list the rule (they are served without it).
 */
import type { ExecContext } from './executor';
import type { ObjectRecord } from './object-repository';
import type { ShowBlock } from './show-data';
import { names, ownNotActedOn, referrersOf, statusBlock } from './show-uses';
import { isProps } from './stored-value';

export interface RuleEvent {
  event: string;
  /** BIG-IP runs an event's handlers by priority, 500 when none is given. */
  priority: number;
}

/** The events an iRule's Tcl declares: each `when EVENT [timing on|off] [priority N] {` at the start of a line. */
export function ruleEvents(tcl: string): RuleEvent[] {
  const out: RuleEvent[] = [];
  for (const line of tcl.split('\n')) {
    const m = /^\s*when\s+([A-Za-z0-9_:]+)((?:\s+(?:timing\s+\S+|priority\s+\d+))*)\s*\{/.exec(line);
    if (!m) continue;
    const p = /priority\s+(\d+)/.exec(m[2]);
    out.push({ event: m[1], priority: p ? Number(p[1]) : 500 });
  }
  return out;
}

function storedOnlyBlock(rec: ObjectRecord, ctx: ExecContext, kind: string, reason: string, rows: ShowBlock['status']): ShowBlock {
  const why = [reason, ...ownNotActedOn(rec)];
  return statusBlock(rec, ctx, kind, [
    { label: 'State', field: 'status.enabled-state', value: 'stored only' },
    { label: 'Reason', field: 'status.status-reason', value: `Not acted on: ${why.join(' ')}` },
    ...rows,
  ]);
}

export function showRule(rec: ObjectRecord, ctx: ExecContext): ShowBlock {
  const events = ruleEvents(String(ctx.ops.effective(rec).definition ?? ''));
  const b = storedOnlyBlock(rec, ctx, 'Rule', 'openltm does not execute iRules: the Tcl text is kept as it came (list shows it, save writes it back), and the virtual servers listing it are served without it.', [
    { label: 'Virtual Servers', field: 'virtual-servers', value: names(referrersOf(ctx, rec, 'ltm virtual'), ctx.session.folder) },
    ...(events.length ? [] : [{ label: 'Events', field: 'events', value: 'none (no "when EVENT" in its text)' }]),
  ]);
  if (events.length) {
    b.sections = [{
      heading: 'Events',
      // An event declared twice (two priorities) gets a second field: `events.HTTP_REQUEST.2`.
      rows: events.map((e, i) => {
        const nth = events.slice(0, i).filter((x) => x.event === e.event).length;
        return { label: e.event, field: `events.${e.event}${nth ? `.${nth + 1}` : ''}`, value: `priority ${e.priority}, not executed` };
      }),
    }];
  }
  return b;
}

export function showDataGroup(rec: ObjectRecord, ctx: ExecContext): ShowBlock {
  const eff = ctx.ops.effective(rec);
  const records = isProps(eff.records) ? Object.keys(eff.records).length : 0;
  return storedOnlyBlock(rec, ctx, 'Data Group', 'a lookup table for iRules, and openltm does not execute iRules: nothing reads it.', [
    { label: 'Type', field: 'type', value: String(eff.type ?? 'string') },
    { label: 'Records', field: 'records', value: records },
  ]);
}
