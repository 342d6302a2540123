/**
 * Postfix's smtp-sink, a real and very fast SMTP server that accepts everything, as a pool
 * member for end-to-end tests. Runs `/usr/sbin/smtp-sink -u nobody -c [-d DIR/msg.] 127.0.0.1:PORT`.
 *
 * Pitfalls: smtp-sink cannot bind port 0, so the port comes from freePort() (retried if taken);
 * running as root it must drop privileges (`-u nobody`), so the dump directory belongs to nobody;
 * `-c` writes `sess=N quit=N mesg=N` records separated by CR (not LF) to stdout, unbuffered;
 * `sess` counts finished sessions, `mesg` accepted messages.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForListen } from './ports';

export interface SinkCounters {
  /** Sessions that have ended. */
  sessions: number;
  /** Sessions that ended with QUIT. */
  quits: number;
  /** Messages accepted (end of DATA answered 250). */
  messages: number;
}

/** One dumped message (with `dump: true`). */
export interface SinkMessage {
  clientAddress: string;
  helo: string;
  /** Envelope sender as the client sent it, without brackets. */
  sender: string;
  recipients: string[];
  /** Headers and body, after smtp-sink's own X-* and Received: lines. */
  content: string;
  file: string;
}

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** The latest counters smtp-sink printed (all zero before the first event). */
  counters(): SinkCounters;
  /** Resolves when `messages` reaches `count`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<SinkCounters>;
  /** Dumped messages, oldest first (needs `dump: true`). */
  dumps(): SinkMessage[];
  /** Kills smtp-sink and removes its dump directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Write every message to a file (smtp-sink -d); read back with dumps(). */
  dump?: boolean;
  /** Extra smtp-sink options (`-L` LMTP, `-w 2` delay, `-q` / `-r` commands to hard-reject). */
  args?: readonly string[];
  /** Where to listen (default 127.0.0.1; the cluster test uses its bridge address, which its network namespaces reach). */
  host?: string;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dumpDir = options.dump ? mkdtempSync(join(tmpdir(), 'openltm-sink-')) : undefined;
    if (dumpDir) {
      chmodSync(dumpDir, 0o755);
      chownSync(dumpDir, nobodyUid(), 0);
    }
    const args = ['-u', 'nobody', '-c', ...(dumpDir ? ['-d', join(dumpDir, 'msg.')] : []), ...(options.args ?? []), `${options.host ?? '127.0.0.1'}:${port}`, '64'];
    const child = spawn('/usr/sbin/smtp-sink', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let exited = false;
    let stderr = '';
    child.on('exit', () => (exited = true));
    child.on('error', (e) => {
      exited = true;
      stderr += String(e);
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    try {
      await waitForListen(port, { timeoutMs: 5000, alive: () => !exited, host: options.host });
      return sink(child, port, dumpDir, options.host);
    } catch (e) {
      lastError = new Error(`${(e as Error).message}: ${stderr}`);
      child.kill('SIGKILL');
      if (dumpDir) rmSync(dumpDir, { recursive: true, force: true });
    }
  }
  throw lastError;
}

function sink(child: ChildProcess, port: number, dumpDir: string | undefined, host = '127.0.0.1'): SmtpSink {
  let current: SinkCounters = { sessions: 0, quits: 0, messages: 0 };
  let pending = '';
  child.stdout!.on('data', (b: Buffer) => {
    pending += b.toString();
    const records = pending.split('\r');
    pending = records.pop() ?? '';
    for (const rec of records) {
      const m = /sess=(\d+) quit=(\d+) mesg=(\d+)/.exec(rec);
      if (m) current = { sessions: Number(m[1]), quits: Number(m[2]), messages: Number(m[3]) };
    }
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopped = false;
  return {
    host,
    port,
    pid: child.pid!,
    counters: () => ({ ...current }),
    async waitForMessages(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (current.messages < count) {
        if (Date.now() > deadline) throw new Error(`smtp-sink: expected ${count} message(s), counted ${current.messages}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return { ...current };
    },
    dumps() {
      if (!dumpDir) throw new Error('smtp-sink was started without dump: true');
      return readdirSync(dumpDir)
        .map((name) => join(dumpDir, name))
        .map((file) => parseDump(file))
        .sort((a, b) => a.mtime - b.mtime)
        .map((d) => d.message);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(force);
      if (dumpDir) rmSync(dumpDir, { recursive: true, force: true });
    },
  };
}

function parseDump(file: string): { mtime: number; message: SinkMessage } {
  const text = readFileSync(file, 'utf8');
  const lines = text.split(/\r?\n/);
  const message: SinkMessage = { clientAddress: '', helo: '', sender: '', recipients: [], content: '', file };
  let i = 0;
  for (; i < lines.length; i++) {
    const m = /^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args): ?(.*)$/.exec(lines[i]);
    if (!m) break;
    // Mail-Args / Rcpt-Args hold the whole argument (`<a@x> SIZE=12`): keep the address.
    const addr = /<([^>]*)>/.exec(m[2])?.[1] ?? m[2];
    if (m[1] === 'Client-Addr') message.clientAddress = m[2];
    else if (m[1] === 'Helo-Args') message.helo = m[2];
    else if (m[1] === 'Mail-Args') message.sender = addr;
    else if (m[1] === 'Rcpt-Args') message.recipients.push(addr);
  }
  message.content = lines.slice(i).join('\n');
  return { mtime: statSync(file).mtimeMs, message };
}

function nobodyUid(): number {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  return line ? Number(line.split(':')[2]) : 65534;
}
