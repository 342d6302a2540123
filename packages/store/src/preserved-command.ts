/**
 * Commands on types openltm does not model (`list ltm rule`, `delete ltm profile http p`,
 * `show net vlan`) and on partitions and folders (`create auth partition P`, `create sys folder
 * /P/F`, `list sys folder`). The parser keeps the words; the type is the longest stored type
 * (or partition / folder) they start with.
 */
import { errors, type SourcePosition } from '@openltm/model';
import type { CommandStatement, RawProperty, Target } from '@openltm/parser';
import type { ExecContext } from './executor';
import { FOLDER_TYPE, PARTITION_TYPE, folderExists, folderOf } from './folders';
import { fullPath, globMatcher } from './names';
import type { ObjectRecord } from './object-repository';
import type { ExecuteResult } from './session';
import { formatPreserved, isPreservedType, rawPropertyLine, PRESERVED_KEY } from './preserved';
import type { StoredValue } from './stored-value';

const NAMESPACES = [PARTITION_TYPE, FOLDER_TYPE];

/** The type a command names and the targets left after its type words, or undefined. */
function typeOfCommand(s: CommandStatement, stored: readonly string[]): { type: string; targets: Target[] } | undefined {
  const words = [...s.path];
  for (const t of s.targets) {
    if (t.kind !== 'name') break;
    words.push(t.name);
  }
  let best: string | undefined;
  for (const t of new Set([...stored, ...NAMESPACES])) {
    const tw = t.split(' ');
    if (tw.length >= s.path.length && tw.length <= words.length && tw.every((w, i) => words[i] === w) && (!best || tw.length > best.split(' ').length)) best = t;
  }
  return best ? { type: best, targets: s.targets.slice(best.split(' ').length - s.path.length) } : undefined;
}

/** The name a target means for a type: partitions are bare names, folders and objects full paths. */
function pathOf(type: string, name: string, folder: string): string {
  if (type === PARTITION_TYPE) return name.replace(/^\//, '');
  return name.startsWith('/') || folder === '/' ? name : fullPath(name, folder);
}

function select(s: CommandStatement, ctx: ExecContext, type: string, targets: Target[]): ObjectRecord[] {
  const all = ctx.ops.repo.all(type);
  if (targets.length === 0) return all;
  const out = new Map<number, ObjectRecord>();
  for (const t of targets) {
    if (t.kind === 'all') for (const r of all) out.set(r.id, r);
    else if (t.kind === 'glob') {
      const match = globMatcher(t.pattern, ctx.session.folder);
      for (const r of all) if (match(r.path)) out.set(r.id, r);
    } else {
      const r = ctx.ops.repo.get(type, t.name) ?? ctx.ops.repo.get(type, pathOf(type, t.name, ctx.session.folder));
      if (!r) throw errors.notFound(type, pathOf(type, t.name, ctx.session.folder), t.pos ?? s.pos);
      out.set(r.id, r);
    }
  }
  return [...out.values()];
}

/** Every object in a partition or folder (a folder that holds objects cannot be deleted). */
function contents(ctx: ExecContext, rec: ObjectRecord): ObjectRecord | undefined {
  const prefix = rec.type === PARTITION_TYPE ? `/${rec.path}/` : `${rec.path}/`;
  for (const t of ctx.ops.repo.types()) {
    for (const r of ctx.ops.repo.all(t)) if (r.path.startsWith(prefix) && r.id !== rec.id) return r;
  }
  return undefined;
}

function create(s: CommandStatement, ctx: ExecContext, type: string, targets: Target[], pos: SourcePosition): ExecuteResult {
  if (!NAMESPACES.includes(type)) {
    throw errors.syntax(`"${type}" is not a type openltm implements: objects of it are kept as they come from a loaded file (load sys config merge file F), not created`, pos);
  }
  const t = targets[0];
  if (!t || t.kind !== 'name' || targets.length > 1) throw errors.syntax('one or more configuration identifiers must be provided', pos);
  const path = pathOf(type, t.name, ctx.session.folder);
  const valid = type === PARTITION_TYPE ? /^[A-Za-z0-9_.-]{1,64}$/.test(path) : /^(\/[A-Za-z0-9_.-]+){2,}$/.test(path);
  if (!valid) throw errors.invalidValue('name', t.name, type === PARTITION_TYPE ? 'a partition name (letters, digits, _ . -)' : 'a folder path /Partition/Folder', t.pos);
  if (ctx.ops.repo.get(type, path)) throw errors.alreadyExists(type === PARTITION_TYPE ? 'partition' : 'folder', path, 'Common', t.pos);
  if (type === FOLDER_TYPE && !folderExists(ctx.ops.repo, folderOf(path))) throw errors.notFound('folder', folderOf(path), t.pos);
  const lines = s.properties.map((p) => rawPropertyLine(p as RawProperty));
  ctx.ops.repo.insert(type, path, { [PRESERVED_KEY]: lines as unknown as StoredValue });
  return { output: '', changed: true };
}

/** Runs a command on a preserved type, a partition or a folder; undefined when the words name none. */
export function preservedCommand(s: CommandStatement, ctx: ExecContext): ExecuteResult | undefined {
  const stored = ctx.ops.repo.types().filter(isPreservedType);
  const found = typeOfCommand(s, stored);
  if (!found) {
    if (s.verb !== 'list' || s.targets.length) return undefined;
    // `list net`: every stored type under the words.
    const prefix = `${s.path.join(' ')} `;
    const under = stored.filter((t) => t.startsWith(prefix));
    if (!under.length) return undefined;
    const oneLine = s.options['one-line'] === true;
    return { output: under.flatMap((t) => ctx.ops.repo.all(t).map((r) => formatPreserved(t, r.path, r.props, { oneLine }) + '\n')).join('') };
  }
  const { type, targets } = found;
  switch (s.verb) {
    case 'create':
      return create(s, ctx, type, targets, s.pos);
    case 'list': {
      const oneLine = s.options['one-line'] === true;
      return { output: select(s, ctx, type, targets).map((r) => formatPreserved(type, r.path, r.props, { oneLine }) + '\n').join('') };
    }
    case 'show': {
      const recs = select(s, ctx, type, targets);
      const what = NAMESPACES.includes(type)
        ? 'a partition or folder: it holds objects and is not a traffic object.'
        : 'stored only: openltm does not implement this type. It is kept as it came (list shows it, save writes it back) and nothing acts on it.';
      return { output: recs.map((r) => `${type} ${r.path}: ${what}\n`).join('') };
    }
    case 'delete': {
      if (!targets.length) throw errors.syntax('one or more configuration identifiers must be provided', s.pos);
      const recs = select(s, ctx, type, targets);
      for (const r of recs) {
        if (r.type === PARTITION_TYPE && r.path === 'Common') throw errors.configError('The partition Common cannot be deleted.', s.pos);
        const inside = NAMESPACES.includes(type) ? contents(ctx, r) : undefined;
        if (inside) throw errors.configError(`The ${type === PARTITION_TYPE ? 'partition' : 'folder'} (${r.path}) cannot be deleted because it holds ${inside.type} ${inside.path}.`, s.pos);
      }
      ctx.ops.delete(recs, s.pos);
      return { output: '', changed: recs.length > 0 };
    }
    default:
      throw errors.syntax(`"${s.verb}" is not available for "${type}": openltm keeps objects of this type as they came`, s.pos);
  }
}
