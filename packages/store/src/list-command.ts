/**
 * `list <type> [names|glob|all] [properties...] [all-properties|non-default-properties|one-line]`:
 * what each object sets (plus what BIG-IP always prints), or its effective values.
 */
import { ConfigError, ErrorCodes, errors, typeOf, type ObjectTypeDef, type SourcePosition } from '@openltm/model';
import type { Target } from '@openltm/parser';
import { tableDefaults } from './inheritance';
import { fullPath, globMatcher, inFolder, relativeName, subtreeName } from './names';
import { formatPreserved, isKept } from './preserved';
import type { ObjectRecord } from './object-repository';
import type { ObjectOperations } from './object-operations';
import { parseMonitorRule } from './monitor-rule';
import { isProps, sameValue, type StoredProps } from './stored-value';
import { formatBlock, itemsOf } from './format/list-format';
import type { NameStyle } from './format/values';

export interface ListOptions {
  folder: string;
  allProperties?: boolean;
  nonDefault?: boolean;
  oneLine?: boolean;
  /** `recursive`: names are printed relative to the folder, sub-folders included (`F/p2`). */
  recursive?: boolean;
  select?: readonly string[];
  /** Pool member monitor status (`up`, `down`, ...) from the data plane, when known. */
  memberStatus?: (pool: string, member: string) => string | undefined;
}

/**
 * Resolves targets to records: names must exist; globs and `all` may match nothing. Built-ins
 * included. No target (or `all`) means the objects of the current folder; with `recursive`, of
 * it and its sub-folders (`cd /; list ltm pool recursive` is every partition). At `/` a plain
 * `list ltm pool` shows nothing, as on BIG-IP. A full path or a glob of full paths names any folder.
 */
export function selectTargets(ops: ObjectOperations, typeKey: string, targets: readonly Target[], folder: string, position?: SourcePosition, recursive = false): ObjectRecord[] {
  const here = () => ops.repo.all(typeKey).filter((r) => inFolder(r.path, folder, recursive));
  if (targets.length === 0) return here();
  const out = new Map<number, ObjectRecord>();
  for (const t of targets) {
    if (t.kind === 'all') for (const r of here()) out.set(r.id, r);
    else if (t.kind === 'glob') {
      const match = globMatcher(t.pattern, folder, recursive);
      for (const r of ops.repo.all(typeKey)) if (match(r.path)) out.set(r.id, r);
    } else {
      const r = ops.repo.get(typeKey, fullPath(t.name, folder));
      if (!r) throw errors.notFound(typeOf(typeKey).kindName, fullPath(t.name, folder), t.pos ?? position);
      out.set(r.id, r);
    }
  }
  return [...out.values()];
}

/** Props printed by `list` (or written by `save`): own values plus the always-listed ones. */
export function listedProps(ops: ObjectOperations, def: ObjectTypeDef, rec: ObjectRecord, opts: { allProperties?: boolean; nonDefault?: boolean; save?: boolean }): StoredProps {
  const eff = ops.effective(rec);
  let props: StoredProps;
  if (opts.allProperties) props = eff;
  else if (opts.nonDefault) {
    const defaults = tableDefaults(def.properties);
    props = Object.fromEntries(Object.entries(eff).filter(([k, v]) => !sameValue(v, defaults[k])));
  } else {
    props = { ...rec.props };
    for (const [name, p] of Object.entries(def.properties)) {
      if (p.alwaysList && props[name] === undefined && eff[name] !== undefined) props[name] = eff[name];
    }
  }
  if (props['defaults-from'] === 'none') delete props['defaults-from'];
  if (opts.save && def.key.startsWith('sys file ')) {
    for (const [name, p] of Object.entries(def.properties)) if (p.readOnly) delete props[name];
  }
  return props;
}

/** BIG-IP lists a member's session and state as status words (`monitor-enabled`, `up`). */
function decorateMembers(rec: ObjectRecord, props: StoredProps, eff: StoredProps, opts: ListOptions): StoredProps {
  const members = props.members;
  if (!isProps(members)) return props;
  const poolMonitored = parseMonitorRule(String(eff.monitor ?? 'none')).monitors.length > 0;
  const out: StoredProps = {};
  for (const [key, value] of Object.entries(members)) {
    const e = { ...(value as StoredProps) };
    const own = typeof e.monitor === 'string' ? parseMonitorRule(e.monitor) : undefined;
    const monitored = own && !own.isDefault ? own.monitors.length > 0 : poolMonitored;
    if (e.session !== 'user-disabled') e.session = monitored ? 'monitor-enabled' : 'user-enabled';
    if (e.state !== 'user-down') e.state = opts.memberStatus?.(rec.path, key) ?? (monitored ? 'checking' : 'unchecked');
    out[key] = e;
  }
  return { ...props, members: out };
}

export function listObjects(ops: ObjectOperations, typeKey: string, recs: readonly ObjectRecord[], opts: ListOptions): string {
  const def = typeOf(typeKey);
  const style: NameStyle & { oneLine?: boolean; recursive?: boolean } = { mode: 'list', folder: opts.folder, oneLine: opts.oneLine, recursive: opts.recursive };
  for (const s of opts.select ?? []) {
    if (!def.properties[s]) throw new ConfigError(ErrorCodes.SYNTAX, `"${s}" unknown property`);
  }
  const blocks: string[] = [];
  for (const rec of recs) {
    if (isKept(rec)) {
      // Kept as it came (an older openltm's record that does not validate): listed verbatim.
      blocks.push(formatPreserved(typeKey, rec.path, rec.props, { oneLine: opts.oneLine, name: opts.recursive ? subtreeName(rec.path, opts.folder) : relativeName(rec.path, opts.folder) }));
      continue;
    }
    let props = listedProps(ops, def, rec, opts);
    if (typeKey === 'ltm pool') props = decorateMembers(rec, props, ops.effective(rec), opts);
    if (opts.select?.length) {
      const eff = ops.effective(rec);
      props = Object.fromEntries(opts.select.map((s) => [s, props[s] ?? eff[s]]).filter(([, v]) => v !== undefined));
    }
    blocks.push(formatBlock(def, rec.path, itemsOf(def.properties, props, style), style, opts.select?.length ? undefined : props));
  }
  return blocks.length ? blocks.join('\n') + '\n' : '';
}
