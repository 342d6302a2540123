/**
 * One daemon per store: `<store>.daemon.lock` beside the store holds the daemon's pid. A second
 * daemon is refused with a message naming the running one; a lock left by a dead process (kill -9,
 * a crash) is taken over. Creating the file is atomic (O_EXCL); after a takeover the lock is read
 * back, so of two daemons racing for a stale lock only one goes on.
 */
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { ConfigError, ErrorCodes } from '@openltm/model';
import { fsReason } from '../store-path';

export interface StoreLock {
  file: string;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
  // A killed daemon whose parent has not reaped it yet (a zombie) still answers kill(0) but holds
  // no socket and no store: a supervisor restarting it at once must not be refused.
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false; // no procfs: trust kill(0)
  }
}

function holder(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ConfigError(ErrorCodes.FILE, `Cannot lock the configuration store: cannot create ${file}: ${fsReason(err)}.`);
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Takes the store's daemon lock or throws a ConfigError naming the daemon that holds it.
 * `takeoverFrom`: the pid of the daemon this one replaces in a seamless restart (SIGUSR2), whose
 * lock it takes while that daemon drains (the old one's release leaves a lock not its own alone).
 */
export function acquireStoreLock(storePath: string, takeoverFrom?: number): StoreLock {
  const file = `${storePath}.daemon.lock`;
  if (takeoverFrom !== undefined && holder(file) === takeoverFrom) {
    const next = `${file}.${process.pid}`;
    writeFileSync(next, `${process.pid}\n`, { mode: 0o600 });
    renameSync(next, file); // atomic: the lock names the old daemon, then this one, never nobody
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    if (holder(file) === process.pid) {
      return { file, release: () => (holder(file) === process.pid ? unlinkSync(file) : undefined) };
    }
    if (tryCreate(file) && holder(file) === process.pid) {
      return { file, release: () => (holder(file) === process.pid ? unlinkSync(file) : undefined) };
    }
    const pid = holder(file);
    if (pid !== undefined && pid !== process.pid && isAlive(pid)) {
      throw new ConfigError(
        ErrorCodes.BUSY,
        `Another openltm daemon (pid ${pid}) is running on the configuration store ${storePath}: stop it first (lock ${file}).`,
      );
    }
    // Stale (its process is gone) or unreadable: take it over.
    try {
      unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(ErrorCodes.FILE, `Cannot take over the stale lock ${file}: ${fsReason(err)}.`);
    }
  }
  throw new ConfigError(ErrorCodes.BUSY, `Cannot lock the configuration store ${storePath}: another daemon is starting at the same time.`);
}
