/** The store lock in a seamless restart: the new daemon takes it from the one it replaces, and only from that one. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireStoreLock } from '../src/daemon/store-lock';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'openltm-lock-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a daemon replacing a running one takes its lock; anyone else is refused', () => {
  const store = join(dir, 'config.db');
  // A live process (the test runner's parent) holds the lock, as the old daemon would.
  writeFileSync(`${store}.daemon.lock`, `${process.ppid}\n`);
  expect(() => acquireStoreLock(store)).toThrow(/Another openltm daemon \(pid \d+\) is running/);
  expect(() => acquireStoreLock(store, process.ppid + 1)).toThrow(/Another openltm daemon/);
  const lock = acquireStoreLock(store, process.ppid);
  expect(readFileSync(lock.file, 'utf8').trim()).toBe(String(process.pid));
  lock.release();
  expect(() => readFileSync(lock.file)).toThrow();
});
