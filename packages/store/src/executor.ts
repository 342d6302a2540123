/**
 * One executor for the shell, one-shot commands and batch files: a parsed statement in, the
 * text tmsh would print out. Runs inside the transaction the Store opened for it.
 */
import { ConfigError, OBJECT_TYPES, allPaths, errors, nextPathWords, typeOf, type SourcePosition } from '@openltm/model';
import { showSysVersion } from './sys-version';
import type { CommandStatement, ObjectStatement, Statement } from '@openltm/parser';
import { listObjects, selectTargets } from './list-command';
import { COMMON, fullPath } from './names';
import { folderExists, folderSteps } from './folders';
import { listPreserved, preservedCommand, preservedHere } from './preserved-command';
import { KEPT_KEY, isKept, isPreservedType } from './preserved';
import type { ObjectOperations } from './object-operations';
import type { ObjectRecord } from './object-repository';
import { clearUserConfig, formatLoadSummary, loadConfig, saveConfig } from './save-load';
import type { ExecuteResult, Session } from './session';
import type { StatusStore } from './status';
import { showCommand, resetStats } from './show-command';
import { storedOnlyMonitorWarnings, storedOnlyWarnings } from './stored-only';
import { propertyWarnings } from './property-warnings';
import { jsonValues } from './format/json-values';
import { enabledMembers } from './member-resume';
import { persistenceKind, persistenceWarnings } from './persistence-in-force';
import { showPersistRecords } from './persist-records-show';
import { deletePersistRecords } from './persist-records-delete';
import { resolvePersistFilters } from './persist-filters';

export interface ExecContext {
  ops: ObjectOperations;
  session: Session;
  /** Where `save sys config` without `file` writes. */
  defaultConfigFile: string;
  status: StatusStore;
}

/** Statements that only read (run in a read transaction, allowed while the store is busy writing). */
export function isReadOnly(s: Statement): boolean {
  return s.kind === 'command' && ['list', 'show', 'cd', 'help'].includes(s.verb) && !(s.verb === 'list' && s.typeKey === 'cli transaction');
}

/** Create/modify/delete of objects: what a cli transaction queues. */
export function isQueueable(s: Statement): s is CommandStatement {
  return s.kind === 'command' && s.isObjectType && ['create', 'modify', 'delete'].includes(s.verb);
}

function unsupported(s: CommandStatement): ConfigError {
  // tmsh names the word no type path continues with (`create ltm poool p` -> "poool" unknown
  // property), as the parser does for a single command; the choices are openltm's help.
  for (let i = 0; i < s.path.length; i++) {
    const next = i === 0 ? [...new Set(allPaths().map((p) => p[0]))].sort() : nextPathWords(s.path.slice(0, i));
    if (next.length && !next.includes(s.path[i])) return errors.syntax(`"${s.path[i]}" unknown property (expected ${next.join(', ')})`, s.pos);
  }
  const what = [s.verb, ...s.path].join(' ');
  return errors.syntax(`"${what}" is not supported here`, s.pos);
}

/** Words that name no type openltm implements and no type of a loaded object: tmsh's wording. */
function unknownType(s: CommandStatement): ConfigError {
  const last = s.path[s.path.length - 1];
  const known = nextPathWords(s.path.slice(0, -1));
  return errors.syntax(`"${last}" unknown property${known.length ? ` (expected ${known.join(', ')})` : ''}`, s.pos);
}

function oneName(s: CommandStatement): string {
  const t = s.targets[0];
  if (!t) throw errors.syntax('one or more configuration identifiers must be provided', s.pos);
  if (t.kind !== 'name' || s.targets.length > 1) throw errors.syntax(`"${s.verb}" takes one object name`, t.pos);
  return t.name;
}

function withWarnings(result: ExecuteResult, warnings: ConfigError[]): ExecuteResult {
  return warnings.length ? { ...result, warnings } : result;
}

/** A virtual whose persist or fallback-persistence names a kind openltm does not act on: said at once, when set. */
function virtualPersistWarnings(typeKey: string, rec: ObjectRecord, s: CommandStatement, ctx: ExecContext): ConfigError[] {
  if (typeKey !== 'ltm virtual' || !s.properties.some((p) => p.name === 'persist' || p.name === 'fallback-persistence')) return [];
  const fresh = ctx.ops.repo.get(typeKey, rec.path) ?? rec;
  return persistenceWarnings(rec.path, ctx.ops.effective(fresh), persistenceKind(ctx.ops.repo), s.pos);
}

/** A record kept as it came cannot be modified: it is not first-class (promote-preserved.ts). */
function keptError(rec: ObjectRecord, pos?: SourcePosition): ConfigError {
  return errors.configError(`The ${typeOf(rec.type).kindName} (${rec.path}) is kept as it came from an earlier openltm and cannot be modified: ${String(rec.props[KEPT_KEY])} Load a corrected definition (load sys config merge) or delete it.`, pos);
}

function objectCommand(s: CommandStatement, ctx: ExecContext): ExecuteResult {
  const typeKey = s.typeKey!;
  const folder = ctx.session.folder;
  const opCtx = { folder, position: s.pos, mode: s.verb === 'create' ? ('create' as const) : ('modify' as const) };
  switch (s.verb) {
    case 'create': {
      const rec = ctx.ops.create(typeKey, oneName(s), s.properties, opCtx);
      return withWarnings({ output: '', changed: true }, [
        ...propertyWarnings(typeKey, s.properties, s.pos),
        ...storedOnlyWarnings(typeKey, rec.path, s.properties, s.pos),
        ...virtualPersistWarnings(typeKey, rec, s, ctx),
        ...storedOnlyMonitorWarnings(ctx.ops.repo, rec, s.properties, s.pos),
      ]);
    }
    case 'modify': {
      if (!s.targets.length) throw errors.syntax('one or more configuration identifiers must be provided', s.pos);
      if (!s.properties.length) throw errors.syntax('"modify" requires at least one property', s.pos);
      const warnings = propertyWarnings(typeKey, s.properties, s.pos);
      for (const rec of selectTargets(ctx.ops, typeKey, s.targets, folder, s.pos, s.options.recursive === true)) {
        if (isKept(rec)) throw keptError(rec, s.pos);
        ctx.ops.modify(rec, s.properties, opCtx);
        if (typeKey === 'ltm pool') for (const m of enabledMembers(s.properties, folder)) ctx.status.markResumed(rec.path, m);
        warnings.push(...storedOnlyWarnings(typeKey, rec.path, s.properties, s.pos), ...virtualPersistWarnings(typeKey, rec, s, ctx), ...storedOnlyMonitorWarnings(ctx.ops.repo, rec, s.properties, s.pos));
      }
      return withWarnings({ output: '', changed: true }, warnings);
    }
    case 'delete': {
      if (!s.targets.length) throw errors.syntax('one or more configuration identifiers must be provided', s.pos);
      // Named built-ins are refused by delete; globs and `all` pass over them, as on BIG-IP.
      const recs = new Map<number, ObjectRecord>();
      for (const t of s.targets) {
        for (const r of selectTargets(ctx.ops, typeKey, [t], folder, s.pos, s.options.recursive === true)) if (t.kind === 'name' || !r.builtin) recs.set(r.id, r);
      }
      ctx.ops.delete([...recs.values()], s.pos);
      return { output: '', changed: recs.size > 0 };
    }
    case 'list': {
      const recs = selectTargets(ctx.ops, typeKey, s.targets, folder, s.pos, s.options.recursive === true);
      const output = listObjects(ctx.ops, typeKey, recs, {
        folder,
        allProperties: s.options['all-properties'] === true,
        nonDefault: s.options['non-default-properties'] === true,
        oneLine: s.options['one-line'] === true,
        recursive: s.options.recursive === true,
        select: s.select,
        memberStatus: (pool, member) => ctx.status.memberState(pool, member),
      });
      // Structured data (for --json) is computed only when asked for: list must stay fast.
      const result: ExecuteResult = { output };
      let data: unknown;
      Object.defineProperty(result, 'data', {
        enumerable: true,
        get: () =>
          (data ??= recs.map((r) =>
            // A record kept as it came has no effective values: say it is kept, and why.
            isKept(r) ? { type: typeKey, name: r.path, kept: String(r.props[KEPT_KEY]) } : { type: typeKey, name: r.path, properties: jsonValues(typeOf(typeKey).properties, ctx.ops.effective(r)) },
          )),
      });
      return result;
    }
    case 'show':
      return showCommand(s, ctx);
    case 'reset-stats':
      return resetStats(s, ctx);
    default:
      throw unsupported(s);
  }
}

function sysConfig(s: CommandStatement, ctx: ExecContext): ExecuteResult {
  const file = typeof s.options.file === 'string' ? s.options.file : undefined;
  if (s.verb === 'save') {
    const target = file ?? ctx.defaultConfigFile;
    const r = saveConfig(ctx.ops, target);
    return { output: `Saving running configuration...\n  ${target}\n`, data: { file: target, objects: r.objects } };
  }
  if (s.verb === 'load') {
    if (s.options.default === true) {
      clearUserConfig(ctx.ops);
      return { output: 'Reset to the default configuration (built-in objects only).\n', changed: true };
    }
    if (!file) throw errors.syntax('"load sys config" needs "file PATH" or "default" (openltm keeps no separate stored configuration)', s.pos);
    const summary = loadConfig(ctx.ops, file, { merge: s.options.merge === true, skipUnknown: s.options['skip-unknown'] === true });
    if (s.options.verify === true) {
      return { output: `${formatLoadSummary(summary)}Verified only: nothing was changed.\n`, data: summary, rollback: true };
    }
    return { output: formatLoadSummary(summary), data: summary, changed: true };
  }
  throw unsupported(s);
}

/** `cd /P`, `cd /P/F`, `cd F` (relative), `cd ..`, `cd ../..`, `cd /`, `cd ~` (/Common): to a partition or folder that exists. */
function cd(s: CommandStatement, ctx: ExecContext): ExecuteResult {
  const session = ctx.session;
  const arg = s.args[0] ?? s.targets.map((t) => (t.kind === 'name' ? t.name : ''))[0] ?? COMMON;
  const steps = folderSteps(session.folder, arg);
  const missing = steps.find((f) => !folderExists(ctx.ops.repo, f));
  if (missing) throw errors.notFound('folder', missing, s.pos);
  session.folder = steps[steps.length - 1];
  return { output: '' };
}

function cliTransaction(s: CommandStatement, session: Session): ExecuteResult {
  switch (s.verb) {
    case 'create':
      if (session.transaction) throw errors.configError('a cli transaction is already open: submit or delete it first.', s.pos);
      session.transaction = [];
      return { output: '' };
    case 'delete':
      if (!session.transaction) throw errors.configError('there is no cli transaction to delete.', s.pos);
      session.transaction = undefined;
      return { output: '' };
    case 'list': {
      const q = session.transaction;
      if (!q) throw errors.configError('there is no cli transaction: create cli transaction first.', s.pos);
      return { output: q.map((c, i) => `${i + 1}: ${c.text.trim()}\n`).join(''), data: q.map((c) => c.text.trim()) };
    }
    default:
      throw unsupported(s);
  }
}

/** `list ltm` / `list ltm profile`: every object of every type under the path. */
function listSubtree(s: CommandStatement, ctx: ExecContext): ExecuteResult {
  const prefix = s.path.length ? `${s.path.join(' ')} ` : '';
  const types = OBJECT_TYPES.map((d) => d.key).filter((k) => k.startsWith(prefix)).sort();
  const preserved = ctx.ops.repo.types().filter((t) => isPreservedType(t) && t.startsWith(prefix));
  // No type openltm implements and no loaded object has: tmsh's wording for the unknown word.
  if (!types.length && !preserved.length) throw unknownType(s);
  if (s.targets.length) throw errors.syntax(`name an object type to list objects by name: ${types.map((k) => `list ${k} NAME`).slice(0, 3).join(', ')}`, s.targets[0].pos);
  const opts = {
    folder: ctx.session.folder,
    allProperties: s.options['all-properties'] === true,
    nonDefault: s.options['non-default-properties'] === true,
    oneLine: s.options['one-line'] === true,
    recursive: s.options.recursive === true,
    memberStatus: (pool: string, member: string) => ctx.status.memberState(pool, member),
  };
  const recursive = opts.recursive;
  const kept = preserved.map((t) => listPreserved(t, preservedHere(ctx, t, recursive), ctx.session.folder, opts));
  return { output: types.map((k) => listObjects(ctx.ops, k, selectTargets(ctx.ops, k, [], ctx.session.folder, s.pos, recursive), opts)).join('') + kept.join('') };
}

/** A bigip.conf block typed or pasted into a script: created, or replaced when it exists. */
function objectStatement(s: ObjectStatement, ctx: ExecContext): ExecuteResult {
  const ctxOp = { folder: ctx.session.folder, position: s.pos, mode: 'load' as const };
  const existing = ctx.ops.repo.get(s.typeKey, fullPath(s.name, ctx.session.folder));
  if (existing) ctx.ops.replace(existing, s.properties, ctxOp);
  else ctx.ops.create(s.typeKey, s.name, s.properties, ctxOp);
  return { output: '', changed: true };
}

/** Runs one statement (the Store has opened the transaction and runs the checks after it). */
export function runStatement(s: Statement, ctx: ExecContext): ExecuteResult {
  if (s.kind === 'object') return objectStatement(s, ctx);
  if (s.kind === 'raw-object') throw errors.syntax(`"${s.path.join(' ')}" is not an object type openltm implements`, s.pos);
  if (s.verb === 'cd') return cd(s, ctx);
  if (s.typeKey === 'sys config') return sysConfig(s, ctx);
  if (s.typeKey === 'cli transaction') return cliTransaction(s, ctx.session);
  if (s.typeKey === 'ltm persistence persist-records') {
    const filters = resolvePersistFilters(s.options, ctx.session.folder, s.pos);
    if (s.verb === 'show') return showPersistRecords(ctx, s.options['all-properties'] === true, filters);
    return deletePersistRecords(ctx, filters);
  }
  if (s.typeKey === 'sys version' && s.verb === 'show') return showSysVersion();
  if (s.isObjectType && s.typeKey) {
    typeOf(s.typeKey);
    return objectCommand(s, ctx);
  }
  if (!s.typeKey && s.path.length) {
    const r = preservedCommand(s, ctx);
    if (r) return r;
  }
  if (s.verb === 'list' && !s.typeKey) return listSubtree(s, ctx);
  if (!s.typeKey && s.path.length) throw unknownType(s);
  throw unsupported(s);
}

/** The same error with the statement's position when it had none. */
export function withPosition(err: unknown, position: SourcePosition | undefined): unknown {
  if (!ConfigError.is(err) || err.position || !position) return err;
  const e = new ConfigError(err.code, err.message, { position, severity: err.severity, related: err.related });
  return e;
}

