/**
 * Runs the real openltm for end-to-end tests: `bin/tmsh -c` against a temporary store, and
 * `bin/openltm daemon` as a child process. Needs a build (`npm run build`; CI builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, type ProcessResult } from './run-process';

const ROOT = join(__dirname, '..', '..');
const TMSH = join(ROOT, 'bin', 'tmsh');
const OPENLTM = join(ROOT, 'bin', 'openltm');

export interface OpenltmInstance {
  dir: string;
  storePath: string;
  /** `tmsh -c LINE` on this store; resolves with exit code and output (does not throw). */
  tmsh(line: string): Promise<ProcessResult>;
  /** Like tmsh, but throws with the stderr when the command fails. */
  tmshOk(line: string): Promise<string>;
  /** Starts `openltm daemon` on the store (once); `args` are extra daemon flags. */
  startDaemon(args?: readonly string[]): Promise<void>;
  /** Logs the daemon wrote to stderr so far. */
  daemonLog(): string;
  /** Stops the daemon (SIGTERM, waits for exit); the store stays. */
  stopDaemon(): Promise<void>;
  /** Stops the daemon (SIGTERM, waits for exit) and removes the store. */
  stop(): Promise<void>;
}

export function ensureBuilt(): void {
  if (!existsSync(join(ROOT, 'packages', 'cli', 'dist', 'entry.js'))) {
    throw new Error('openltm is not built: run `npm run build` before the end-to-end tests');
  }
}

export function createOpenltm(): OpenltmInstance {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'openltm-e2e-'));
  const storePath = join(dir, 'config.db');
  const env = { ...process.env, OPENLTM_STORE: storePath, HOME: dir, OPENLTM_LOG_LEVEL: 'info' };
  let daemon: ChildProcess | undefined;
  let log = '';

  const tmsh = (line: string) => runProcess(process.execPath, [TMSH, '-c', line], { env });
  return {
    dir,
    storePath,
    tmsh,
    async tmshOk(line) {
      const r = await tmsh(line);
      if (r.code !== 0) throw new Error(`tmsh -c "${line}" failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    },
    async startDaemon(args = []) {
      if (daemon) return;
      // Make sure the store exists (with its built-ins) before the daemon opens it.
      await tmsh('list ltm pool');
      daemon = spawn(process.execPath, [OPENLTM, 'daemon', '--drain-timeout', '3', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      daemon.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      const started = Date.now();
      while (!log.includes('openltm daemon running')) {
        if (daemon.exitCode !== null) throw new Error(`daemon exited: ${log}`);
        if (Date.now() - started > 10000) throw new Error(`daemon did not start: ${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    daemonLog: () => log,
    async stopDaemon() {
      const d = daemon;
      daemon = undefined;
      if (d && d.exitCode === null) {
        const exited = new Promise((r) => d.once('exit', r));
        d.kill('SIGTERM');
        const timer = setTimeout(() => d.kill('SIGKILL'), 8000);
        await exited;
        clearTimeout(timer);
      }
    },
    async stop() {
      await this.stopDaemon();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` passes or `timeoutMs` runs out; returns the last value. */
export async function eventually<T>(check: () => Promise<T> | T, accept: (v: T) => boolean, timeoutMs = 5000, stepMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (accept(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
