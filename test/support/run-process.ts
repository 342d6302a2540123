import { spawn } from 'node:child_process';

/** What a finished command left behind. */
export interface ProcessResult {
  /** Exit code, or null when killed by a signal (e.g. our timeout). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the timeout killed it. */
  timedOut: boolean;
  /** Wall time in milliseconds. */
  ms: number;
}

export interface RunOptions {
  /** Written to stdin, then stdin is closed (so clients reading stdin see EOF). */
  input?: string | Buffer;
  /** Kill the process (SIGKILL) after this many ms; default 20 s. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Runs a program to completion and collects its output. Never rejects for a non-zero exit: the
 * caller asserts on the code. Rejects only when the program cannot be started at all (ENOENT),
 * with a message naming the missing command and how to install it.
 */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 20_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    // A client that exits before reading all of stdin makes the pipe fail with EPIPE; harmless.
    child.stdin.on('error', () => undefined);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        e.code === 'ENOENT'
          ? new Error(`${command} is not installed (run .ci/install-system-packages as root)`)
          : e,
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ms: Date.now() - started,
      });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Like runProcess, but rejects with the command's output when it exits non-zero. */
export async function runChecked(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  const r = await runProcess(command, args, options);
  if (r.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${r.timedOut ? 'timed out' : `exit ${r.code ?? r.signal}`}):\n${r.stdout}${r.stderr}`,
    );
  }
  return r;
}
