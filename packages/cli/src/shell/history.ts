import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** How many entries the shell keeps across runs. */
export const HISTORY_SIZE = 1000;

/** Reads the history file, newest entry first (readline's order). A missing file is an empty history. */
export function loadHistory(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').reverse().slice(0, HISTORY_SIZE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Writes the history (given newest first) oldest first, one entry a line, readable only by the user. */
export function saveHistory(path: string, newestFirst: readonly string[]): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const lines = newestFirst.slice(0, HISTORY_SIZE).reverse();
  writeFileSync(path, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
}

/**
 * Readline records every physical line; a multi-line entry should come back as one. Replaces the
 * newest entries that are the entry's lines with the whole entry joined on one line.
 */
export function foldEntry(history: string[], lines: readonly string[]): void {
  const physical = lines.filter((l) => l.trim() !== '');
  if (physical.length < 2) return;
  for (let i = physical.length - 1; i >= 0 && history[0] === physical[i]; i--) history.shift();
  history.unshift(physical.map((l) => l.trim()).join(' '));
}
