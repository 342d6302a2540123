/**
 * `bin/openltm daemon` as a child process whose JSON log lines a test can wait for, including
 * the lines of a replacement daemon it starts on SIGUSR2 (which inherits the same stderr).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt } from './openltm';

const OPENLTM = join(__dirname, '..', '..', 'bin', 'openltm');

export interface LogLine {
  pid: number;
  msg: string;
  level: number;
  [key: string]: unknown;
}

export interface DaemonProcess {
  child: ChildProcess;
  lines: LogLine[];
  /** Resolves with the first line (already seen or to come) that matches. */
  waitForLine(match: (l: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  /** Every line that matches, so far. */
  matching(match: (l: LogLine) => boolean): LogLine[];
  text(): string;
}

/** `wrap` runs the daemon through another command (`ip netns exec NS`), which must exec it in place. */
export function spawnDaemon(storePath: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, wrap: readonly string[] = []): DaemonProcess {
  ensureBuilt();
  const argv = [OPENLTM, 'daemon', '--store', storePath, ...args];
  const child = spawn(wrap[0] ?? process.execPath, wrap.length ? [...wrap.slice(1), process.execPath, ...argv] : argv, {
    env: { ...process.env, OPENLTM_LOG_FILE: '', OPENLTM_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: LogLine[] = [];
  let raw = '';
  let partial = '';
  const waiters: Array<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  child.stderr!.on('data', (b: Buffer) => {
    raw += b.toString();
    partial += b.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) {
      let line: LogLine;
      try {
        line = JSON.parse(p) as LogLine;
      } catch {
        continue;
      }
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  return {
    child,
    lines,
    text: () => raw,
    matching: (match) => lines.filter(match),
    waitForLine(match, what, timeoutMs = 20_000) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no log line "${what}" within ${timeoutMs} ms; log:\n${raw.slice(-4000)}`)), timeoutMs);
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until the process is gone (it need not be our child). */
export async function waitForExit(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** SIGTERM, wait, SIGKILL if it does not go: for cleanup. */
export async function terminate(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  try {
    await waitForExit(pid, 15_000);
  } catch {
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 5000);
  }
}
