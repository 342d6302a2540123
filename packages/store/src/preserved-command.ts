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
import { fullPath, globMatcher, inFolder, relativeName, subtreeName } from './names';
import type { ObjectRecord } from './object-repository';
import type { ExecuteResult } from './session';
import { formatPreserved, isPreservedType, rawPropertyLine, PRESERVED_KEY } from './preserved';
import type { StoredValue } from './stored-value';
import { isInternalType } from './unresolved';

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
  if (type === FOLDER_TYPE && folder === '/' && !name.startsWith('/')) return `/${name}`;
  return fullPath(name, folder);
}

/**
 * The folders there are: `/`, `/Common` and each partition's root folder always (BIG-IP lists
 * them; openltm keeps no record for them unless a loaded file had one), and every `sys folder`.
 */
function allFolders(ctx: ExecContext): ObjectRecord[] {
  const stored = ctx.ops.repo.all(FOLDER_TYPE);
  const roots = ['/', '/Common', ...ctx.ops.repo.all(PARTITION_TYPE).map((p) => `/${p.path}`)];
  const implicit = roots.filter((f) => !stored.some((r) => r.path === f)).map((f, i) => ({ id: -1 - i, type: FOLDER_TYPE, path: f, props: { [PRESERVED_KEY]: [] }, builtin: true }));
  return [...implicit, ...stored].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The partitions: Common always (BIG-IP lists it), and every `auth partition` made or loaded. */
function allPartitions(ctx: ExecContext): ObjectRecord[] {
  const stored = ctx.ops.repo.all(PARTITION_TYPE);
  if (stored.some((r) => r.path === 'Common')) return stored;
  return [{ id: -1, type: PARTITION_TYPE, path: 'Common', props: { [PRESERVED_KEY]: [] }, builtin: true }, ...stored];
}

/** Whether a record belongs to the current folder's listing (sub-folders too with `recursive`). */
function listedHere(type: string, path: string, folder: string, recursive: boolean): boolean {
  if (type === PARTITION_TYPE || !path.startsWith('/')) return true; // partitions and singletons (`sys ntp`) are everywhere
  // A folder lists itself and the folders in it (all beneath it with recursive).
  if (type === FOLDER_TYPE) return path === folder || inFolder(path, folder, recursive);
  return inFolder(path, folder, recursive);
}

function select(s: CommandStatement, ctx: ExecContext, type: string, targets: Target[]): ObjectRecord[] {
  const folder = ctx.session.folder;
  const recursive = s.options.recursive === true;
  // Implicit folders are never deleted by a glob; `delete auth partition Common` is refused by name.
  const all = type === PARTITION_TYPE ? allPartitions(ctx) : type === FOLDER_TYPE && s.verb !== 'delete' ? allFolders(ctx) : ctx.ops.repo.all(type);
  const here = () => all.filter((r) => listedHere(type, r.path, folder, recursive));
  if (targets.length === 0) return here();
  const out = new Map<number, ObjectRecord>();
  for (const t of targets) {
    if (t.kind === 'all') for (const r of here()) out.set(r.id, r);
    else if (t.kind === 'glob') {
      // Partition names are bare words, not paths.
      const match = type === PARTITION_TYPE ? globMatcher(`/${t.pattern.replace(/^\//, '')}`, '/') : globMatcher(t.pattern, folder, recursive);
      for (const r of all) if (match(type === PARTITION_TYPE ? `/${r.path}` : r.path)) out.set(r.id, r);
    } else {
      const r = all.find((x) => x.path === t.name) ?? all.find((x) => x.path === pathOf(type, t.name, folder));
      if (!r) throw errors.notFound(type, pathOf(type, t.name, folder), t.pos ?? s.pos);
      out.set(r.id, r);
    }
  }
  return [...out.values()];
}

/** How `list` names a preserved object: relative to the current folder (sub-folders too with `recursive`); folders by full path. */
function listedName(type: string, path: string, folder: string, recursive: boolean): string {
  if (type === FOLDER_TYPE || type === PARTITION_TYPE || !path.startsWith('/')) return path;
  return recursive ? subtreeName(path, folder) : relativeName(path, folder);
}

/** `list` of preserved records in BIG-IP's layout. */
export function listPreserved(type: string, recs: readonly ObjectRecord[], folder: string, opts: { oneLine?: boolean; recursive?: boolean }): string {
  return recs.map((r) => formatPreserved(type, r.path, r.props, { oneLine: opts.oneLine, name: listedName(type, r.path, folder, opts.recursive === true) }) + '\n').join('');
}

/** The preserved records of `type` a plain `list` (`list net`, `list ltm`) shows from `folder`. */
export function preservedHere(ctx: ExecContext, type: string, recursive: boolean): ObjectRecord[] {
  return ctx.ops.repo.all(type).filter((r) => listedHere(type, r.path, ctx.session.folder, recursive));
}

/** Every object in a partition or folder (a folder that holds objects cannot be deleted). */
function contents(ctx: ExecContext, rec: ObjectRecord): ObjectRecord | undefined {
  const prefix = rec.type === PARTITION_TYPE ? `/${rec.path}/` : `${rec.path}/`;
  for (const t of ctx.ops.repo.types().filter((x) => !isInternalType(x))) {
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
  // `list ltm`, `list net`: the executor lists every type under the words, modelled and preserved.
  if (!found) return undefined;
  const { type, targets } = found;
  switch (s.verb) {
    case 'create':
      return create(s, ctx, type, targets, s.pos);
    case 'list':
      return { output: listPreserved(type, select(s, ctx, type, targets), ctx.session.folder, { oneLine: s.options['one-line'] === true, recursive: s.options.recursive === true }) };
    case 'show': {
      const recs = select(s, ctx, type, targets);
      const what = NAMESPACES.includes(type)
        ? 'a partition or folder: it holds objects and is not a traffic object.'
        : 'stored only: openltm does not implement this type. It is kept as it came (list shows it, save writes it back) and nothing acts on it.';
      return { output: recs.map((r) => `${type} ${r.path}: ${what}\n`).join('') };
    }
    case 'delete': {
      if (!targets.length) throw errors.syntax('one or more configuration identifiers must be provided', s.pos);
      // A glob or `all` passes over Common, as delete passes over built-ins; by name it is refused.
      const named = new Set(targets.flatMap((t) => (t.kind === 'name' ? [t.name.replace(/^\//, '')] : [])));
      const recs = select(s, ctx, type, targets).filter((r) => r.id >= 0 || named.has(r.path));
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
