/**
 * Object names: `/Partition/name` full paths, names relative to the current folder, globs.
 * openltm has one partition, `/Common`, as a fresh BIG-IP does.
 */
import { ConfigError, ErrorCodes, errors, type SourcePosition } from '@openltm/model';

export const COMMON = '/Common';
export const PARTITIONS: readonly string[] = ['Common'];

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

/** Checks a new object's full path: a known partition and a legal name. */
export function checkNewName(kind: string, path: string, position?: SourcePosition): void {
  const parts = path.split('/');
  if (parts.length !== 3 || parts[0] !== '') {
    throw new ConfigError(ErrorCodes.INVALID_VALUE, `Invalid name "${path}" for a ${kind}: expected NAME or /Common/NAME.`, { position });
  }
  if (!PARTITIONS.includes(parts[1])) throw errors.notFound('folder', `/${parts[1]}`, position);
  if (!NAME_RE.test(parts[2]) || parts[2].length > 255) {
    throw new ConfigError(
      ErrorCodes.INVALID_VALUE,
      `Invalid name "${parts[2]}" for a ${kind}: use letters, digits and _ - . : (at most 255 characters).`,
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
