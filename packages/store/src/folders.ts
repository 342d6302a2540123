/**
 * Partitions and folders: `/Partition[/Folder...]/name` is every object's identity. `/Common`
 * always exists; other partitions are `auth partition NAME` records and sub-folders `sys folder
 * /P/F` records (generic records, stored like preserved objects: a driver needs nothing special).
 */
import type { ObjectRepository } from './object-repository';

export const PARTITION_TYPE = 'auth partition';
export const FOLDER_TYPE = 'sys folder';

export function partitionExists(repo: ObjectRepository, name: string): boolean {
  return name === 'Common' || repo.get(PARTITION_TYPE, name) !== undefined;
}

/** `/`, `/Common`, `/P` (a partition) or `/P/F/...` (a sys folder). */
export function folderExists(repo: ObjectRepository, folder: string): boolean {
  if (folder === '/') return true;
  const parts = folder.split('/');
  if (parts[0] !== '' || parts.some((p, i) => i > 0 && p === '')) return false;
  if (!partitionExists(repo, parts[1])) return false;
  return parts.length === 2 || repo.get(FOLDER_TYPE, folder) !== undefined;
}

/**
 * The folders `cd ARG` passes through from `current`, the last being where it goes: `/`, `~`
 * (/Common), or an absolute or relative path whose `..` and `.` steps are followed and whose
 * trailing `/` is ignored (`cd ../..`, `cd F/`). Each must exist, as in a shell (`cd /nope/..` fails).
 */
export function folderSteps(current: string, arg: string): string[] {
  if (arg === '~') return ['/Common'];
  const parts = arg.startsWith('/') ? [] : current.split('/').filter(Boolean);
  const steps: string[] = [];
  for (const step of arg.split('/')) {
    if (step === '' || step === '.') continue;
    if (step === '..') parts.pop();
    else parts.push(step);
    steps.push(`/${parts.join('/')}`);
  }
  return steps.length ? steps : [`/${parts.join('/')}`];
}

/** The folder an object path sits in: `/foo/app/vs` -> `/foo/app`, `/Common/p` -> `/Common`. */
export function folderOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * Creates the partition and folders `folder` needs, returning what was created (a loaded
 * partition file whose bigip_base.conf is not loaded still has its folders; the load says so).
 */
export function ensureFolder(repo: ObjectRepository, folder: string): string[] {
  const created: string[] = [];
  const parts = folder.split('/');
  if (parts.length < 2 || parts[0] !== '' || parts[1] === '') return created;
  if (!partitionExists(repo, parts[1])) {
    repo.insert(PARTITION_TYPE, parts[1], { '~preserved': [] });
    created.push(`auth partition ${parts[1]}`);
  }
  for (let n = 3; n <= parts.length; n++) {
    const f = parts.slice(0, n).join('/');
    if (!repo.get(FOLDER_TYPE, f)) {
      repo.insert(FOLDER_TYPE, f, { '~preserved': [] });
      created.push(`sys folder ${f}`);
    }
  }
  return created;
}
