/**
 * Object names: `/Partition[/Folder...]/name` full paths, names relative to the current folder,
 * globs. `/Common` always exists; other partitions and folders are records (folders.ts).
 */
import { ConfigError, ErrorCodes, errors, type SourcePosition } from '@openltm/model';
import { folderExists, folderOf } from './folders';
import type { ObjectRepository } from './object-repository';

export const COMMON = '/Common';

const NAME_RE = /^[A-Za-z0-9_.:%-][A-Za-z0-9_.:%-]*$/;

/**
 * The full path of `name` typed in `folder` (`p1` in /Common -> `/Common/p1`, `F/p2` in /P1 ->
 * `/P1/F/p2`). At `/`, a name with a folder in it is relative to `/` (`Common/vs`, as `cd /; list
 * ... recursive` prints it, so scripts can feed it back); a bare name means /Common.
 */
export function fullPath(name: string, folder: string = COMMON): string {
  if (name.startsWith('/')) return name;
  if (folder === '/') return name.includes('/') ? `/${name}` : `${COMMON}/${name}`;
  return `${folder}/${name}`;
}

/**
 * How `list` prints a full path from `folder`: relative inside it and its sub-folders (`p1`,
 * `F/p2`, as tmsh prints `ltm policy Drafts/p`), full elsewhere.
 */
export function relativeName(path: string, folder: string = COMMON): string {
  if (folder !== '/' && path.startsWith(folder + '/')) return path.slice(folder.length + 1);
  return path;
}

/** The partition of a full path (`/Common/p1` -> `Common`). */
export function partitionOf(path: string): string {
  return path.split('/')[1] ?? '';
}

/** Checks a new object's full path: an existing partition and folder, and a legal name. */
export function checkNewName(kind: string, path: string, repo: ObjectRepository, position?: SourcePosition): void {
  const parts = path.split('/');
  if (parts.length < 3 || parts[0] !== '' || parts.slice(1, -1).some((p) => p === '')) {
    throw new ConfigError(ErrorCodes.INVALID_VALUE, `Invalid name "${path}" for a ${kind}: expected NAME or /Partition[/Folder]/NAME.`, { position });
  }
  if (!folderExists(repo, folderOf(path))) throw errors.notFound('folder', folderOf(path), position);
  const name = parts[parts.length - 1];
  if (!NAME_RE.test(name) || name.length > 255) {
    throw new ConfigError(
      ErrorCodes.INVALID_VALUE,
      `Invalid name "${name}" for a ${kind}: use letters, digits and _ - . : (at most 255 characters).`,
      { position },
    );
  }
}

/** True when `path` sits in `folder` itself or, with `recursive`, in one of its sub-folders too (`/` holds every partition). */
export function inFolder(path: string, folder: string, recursive = false): boolean {
  const base = folder === '/' ? '' : folder;
  if (!path.startsWith(`${base}/`)) return false;
  return recursive || path.lastIndexOf('/') === base.length;
}

/**
 * How `list ... recursive` names an object: relative to the current folder, sub-folders
 * included (`F/p2` from /P1; `Common/p` from `/`), as tmsh prints `cd /; list ltm pool recursive`.
 */
export function subtreeName(path: string, folder: string): string {
  return folder === '/' ? path.slice(1) : relativeName(path, folder);
}

/**
 * A matcher for a tmsh glob (`vs_*`, `p?`, `/P1/*`). `*` and `?` stay within one name, as in a
 * shell: `/P1/*` matches /P1/p1, not /P1/F/p2. An absolute pattern matches full paths; a relative
 * one the names in the current folder (with `recursive`, the own name of every object in the
 * current folder and its sub-folders).
 */
export function globMatcher(pattern: string, folder: string, recursive = false): (path: string) => boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
  );
  if (pattern.startsWith('/')) return (path) => re.test(path);
  if (pattern.includes('/')) return (path) => inFolder(path, folder, true) && re.test(subtreeName(path, folder));
  return (path) => inFolder(path, folder, recursive) && re.test(path.slice(path.lastIndexOf('/') + 1));
}
