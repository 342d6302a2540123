/**
 * Object names: `/Partition[/Folder...]/name` full paths, names relative to the current folder,
 * globs. `/Common` always exists; other partitions and folders are records (folders.ts).
 */
import { ConfigError, ErrorCodes, errors, type SourcePosition } from '@openltm/model';
import { folderExists, folderOf } from './folders';
import type { ObjectRepository } from './object-repository';

export const COMMON = '/Common';

const NAME_RE = /^[A-Za-z0-9_.:%-][A-Za-z0-9_.:%-]*$/;

/** The full path of `name` typed in `folder` (`p1` in /Common -> `/Common/p1`). */
export function fullPath(name: string, folder: string = COMMON): string {
  if (name.startsWith('/')) return name;
  const base = folder === '/' ? COMMON : folder;
  return `${base}/${name}`;
}

/** How `list` prints a full path from `folder`: relative inside it, full elsewhere. */
export function relativeName(path: string, folder: string = COMMON): string {
  if (folder !== '/' && path.startsWith(folder + '/')) {
    const rest = path.slice(folder.length + 1);
    if (!rest.includes('/')) return rest;
  }
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

/** A matcher for a tmsh glob (`vs_*`, `p?`), applied to the name relative to the folder and to the full path. */
export function globMatcher(pattern: string, folder: string): (path: string) => boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
  );
  return (path) => re.test(path) || re.test(relativeName(path, folder));
}
