/**
 * A private Postfix smtpd on 127.0.0.1, for end-to-end tests against real mail software.
 *
 * Each instance lives in its own temp directory: `etc/` (main.cf, master.cf), `queue/`,
 * `data/` and `maillog`. Mail is accepted from 127.0.0.0/8 for any recipient and, by default,
 * put on HOLD at end of data, so it stays in the queue where `messages()` finds it; nothing is
 * ever delivered. With `relayTo`, mail is relayed to another SMTP server instead (an smtp-sink).
 *
 * Pitfalls met on the way (Postfix 3.7, Debian 12, running as root without systemd):
 * - Postfix waits (300 ms at a time) until main.cf has not changed for a second: a freshly
 *   written config made every start take ~2 s. We backdate main.cf/master.cf (start ~0.3 s).
 * - `postfix check` is a slow shell script; `postfix start` already runs its fatal checks, so we
 *   skip `check`. We create the queue tree ourselves with postfix-files' owners and modes.
 * - `maillog_file` must start with one of `maillog_file_prefixes`, or `postfix start` exits 1
 *   with no message at all.
 * - `data_directory` must belong to the postfix user; `queue_directory` is created by start.
 * - Every service runs with chroot = n: a chroot would need copies of /etc files in the queue.
 * - The temp directory must be traversable by the postfix user (mkdtemp makes it 0700).
 * - `postfix stop` only signals the master and returns at once; we wait for the master to go
 *   before removing the directory. In containers whose PID 1 does not reap, the master stays a
 *   zombie: a zombie counts as gone.
 * - Postfix daemons keep the queue directory as their working directory and the master has no
 *   config path on its command line, so leftovers are found by cwd, not by `pgrep -f DIR`.
 * - `postqueue`/`postcat -c DIR` by a non-root user need DIR in the default main.cf's
 *   `alternate_config_directories`; the tests run as root, which is exempt.
 * - The port comes from freePort() and may be taken before the master binds it: the master then
 *   dies with "bind ... Address already in use", and start() retries on a new port.
 */
import { chownSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForListen } from './ports';
import { runChecked, runProcess } from './run-process';

const SBIN = '/usr/sbin';

export interface PostfixOptions {
  /**
   * Offer STARTTLS with this certificate and key (smtpd_tls_security_level = may, or `encrypt`),
   * and open a second, implicit-TLS port (`tlsPort`).
   */
  tls?: {
    certFile: string;
    keyFile: string;
    level?: 'may' | 'encrypt';
    /** Listen for implicit TLS on this loopback address at port 465 (as root), instead of 127.0.0.1:freePort. */
    implicitAddress?: string;
  };
  /** Relay every message to 127.0.0.1:port instead of holding it in the queue. */
  relayTo?: number;
  /** Extra main.cf parameters (override the defaults). */
  main?: Readonly<Record<string, string>>;
}

/** A message in the private queue. */
export interface QueuedMessage {
  id: string;
  /** `hold`, `incoming`, `active`, `deferred`. */
  queue: string;
  sender: string;
  recipients: string[];
  size: number;
  /** Headers and body as Postfix stored them (its own Received: header first). */
  content: string;
}

export interface PrivatePostfix {
  readonly host: '127.0.0.1';
  /** The plaintext/STARTTLS smtpd port. */
  readonly port: number;
  /** With `tls`: a second smtpd that speaks TLS from the first byte (port 465 style). */
  readonly tlsPort?: number;
  readonly dir: string;
  readonly configDir: string;
  readonly queueDir: string;
  /** The master's pid. */
  readonly pid: number;
  /** Every message now in the queue, oldest first. */
  messages(): Promise<QueuedMessage[]>;
  /** Polls until at least `count` messages are queued. */
  waitForMessages(count: number, timeoutMs?: number): Promise<QueuedMessage[]>;
  /** The Postfix log so far (connects, TLS, queue ids, rejects). */
  maillog(): string;
  /** Stops Postfix, waits for its master to exit, removes the directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts a private Postfix; resolves when its smtpd port is listening. */
export async function startPostfix(options: PostfixOptions = {}): Promise<PrivatePostfix> {
  const dir = mkdtempSync(join(tmpdir(), 'openltm-postfix-'));
  chmodSync(dir, 0o755);
  const configDir = join(dir, 'etc');
  const queueDir = join(dir, 'queue');
  const dataDir = join(dir, 'data');
  mkdirSync(configDir);
  mkdirSync(queueDir);
  mkdirSync(dataDir);
  const uid = postfixUid();
  chownSync(dataDir, uid, 0);
  createQueueDirectories(queueDir, uid);
  let lastError: unknown;
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const implicitAddress = options.tls?.implicitAddress ?? '127.0.0.1';
      const tlsPort = options.tls ? (options.tls.implicitAddress ? 465 : await freePort()) : undefined;
      writeFileSync(join(configDir, 'main.cf'), mainCf(dir, options));
      writeFileSync(join(configDir, 'master.cf'), masterCf(port, tlsPort, implicitAddress));
      backdate(join(configDir, 'main.cf'), join(configDir, 'master.cf'));
      const start = await runProcess(`${SBIN}/postfix`, ['-c', configDir, 'start'], { timeoutMs: 15_000 });
      const pid = readMasterPid(queueDir);
      try {
        if (start.code !== 0 || pid === undefined) throw new Error(`postfix start failed (exit ${start.code}): ${start.stderr}${readLog(dir)}`);
        await waitForListen(port, { timeoutMs: 5000, alive: () => isRunning(pid) });
        if (tlsPort) await waitForListen(tlsPort, { timeoutMs: 5000, alive: () => isRunning(pid), host: implicitAddress });
        return instance(dir, configDir, queueDir, port, tlsPort, pid);
      } catch (e) {
        lastError = e;
        if (pid !== undefined) await stopMaster(configDir, pid);
      }
    }
  } catch (e) {
    lastError = e;
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

function instance(dir: string, configDir: string, queueDir: string, port: number, tlsPort: number | undefined, pid: number): PrivatePostfix {
  let stopped = false;
  const messages = async (): Promise<QueuedMessage[]> => {
    const list = await runChecked(`${SBIN}/postqueue`, ['-c', configDir, '-j']);
    const out: { arrival: number; message: QueuedMessage }[] = [];
    for (const line of list.stdout.split('\n').filter((l) => l.trim())) {
      const j = JSON.parse(line) as {
        queue_name: string; queue_id: string; arrival_time: number; message_size: number;
        sender: string; recipients: { address: string }[];
      };
      // -b -h: body and headers only (not the envelope records), exactly as stored.
      const cat = await runChecked(`${SBIN}/postcat`, ['-c', configDir, '-bh', '-q', j.queue_id]);
      out.push({
        arrival: j.arrival_time,
        message: {
          id: j.queue_id,
          queue: j.queue_name,
          sender: j.sender,
          recipients: j.recipients.map((r) => r.address),
          size: j.message_size,
          content: cat.stdout,
        },
      });
    }
    return out.sort((a, b) => a.arrival - b.arrival).map((m) => m.message);
  };
  return {
    host: '127.0.0.1',
    port,
    tlsPort,
    dir,
    configDir,
    queueDir,
    pid,
    messages,
    async waitForMessages(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = await messages();
        if (m.length >= count) return m;
        if (Date.now() > deadline) throw new Error(`expected ${count} queued message(s), found ${m.length}\n${readLog(dir)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    maillog: () => readLog(dir),
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopMaster(configDir, pid);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function mainCf(dir: string, options: PostfixOptions): string {
  const p: Record<string, string> = {
    compatibility_level: '3.6',
    queue_directory: join(dir, 'queue'),
    data_directory: join(dir, 'data'),
    maillog_file: join(dir, 'maillog'),
    maillog_file_prefixes: dir,
    myhostname: 'postfix.test',
    mydomain: 'postfix.test',
    mydestination: '',
    inet_interfaces: '127.0.0.1',
    inet_protocols: 'ipv4',
    mynetworks: '127.0.0.0/8',
    smtpd_relay_restrictions: 'permit_mynetworks, reject',
    // No DNS: the client is always 127.0.0.1; a reverse lookup would only add latency.
    smtpd_peername_lookup: 'no',
    local_recipient_maps: '',
    alias_maps: '',
    alias_database: '',
    biff: 'no',
    // The test client may send several messages quickly; no rate limits or error sleeps.
    smtpd_error_sleep_time: '0',
    smtpd_client_connection_rate_limit: '0',
  };
  if (options.relayTo) {
    p.relayhost = `[127.0.0.1]:${options.relayTo}`;
    p.default_transport = 'smtp';
    p.smtp_tls_security_level = 'none';
    p.queue_run_delay = '1s';
  } else {
    // Every accepted message goes to the hold queue: queued, never delivered, easy to read back.
    p.smtpd_end_of_data_restrictions = 'check_client_access static:HOLD';
    // Not the `error` transport: smtpd would reject such recipients at RCPT time. Should a
    // message ever leave hold, it is deferred, and the relayhost is a closed port anyway.
    p.default_transport = 'smtp';
    p.defer_transports = 'smtp';
    p.relayhost = '[127.0.0.1]:9';
  }
  if (options.tls) {
    p.smtpd_tls_cert_file = options.tls.certFile;
    p.smtpd_tls_key_file = options.tls.keyFile;
    p.smtpd_tls_security_level = options.tls.level ?? 'may';
    p.smtpd_tls_loglevel = '1';
    // Puts "(using TLSv1.3 with cipher ...)" into the Received: header, so a test can prove
    // that a message arrived over TLS.
    p.smtpd_tls_received_header = 'yes';
  }
  Object.assign(p, options.main ?? {});
  return Object.entries(p).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n';
}

/** Only the services smtpd, cleanup, qmgr and postqueue need; chroot n everywhere. */
function masterCf(port: number, tlsPort?: number, implicitAddress = '127.0.0.1'): string {
  const implicit = tlsPort ? `${implicitAddress}:${tlsPort} inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt\n` : '';
  return `# service type private unpriv chroot wakeup maxproc command
127.0.0.1:${port} inet n - n - - smtpd
${implicit}pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`;
}

/**
 * The queue tree as /etc/postfix/postfix-files describes it. `postfix start` would create it too
 * (post-install create-missing), but that takes ~1.5 s on a fresh tree and ~0.1 s on a complete one.
 */
function createQueueDirectories(queueDir: string, uid: number): void {
  const postdrop = groupId('postdrop');
  const dirs: [string, number, number][] = [
    ...['active', 'bounce', 'corrupt', 'defer', 'deferred', 'flush', 'hold', 'incoming', 'private', 'saved', 'trace'].map(
      (d): [string, number, number] => [d, 0o700, 0],
    ),
    ['maildrop', 0o730, postdrop],
    ['public', 0o710, postdrop],
  ];
  for (const [name, mode, gid] of dirs) {
    const path = join(queueDir, name);
    mkdirSync(path);
    chownSync(path, uid, gid);
    chmodSync(path, mode);
  }
  mkdirSync(join(queueDir, 'pid'), { mode: 0o755 });
}

function groupId(name: string): number {
  const line = readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no ${name} group: run .ci/install-system-packages as root`);
  return Number(line.split(':')[2]);
}

/**
 * Postfix will not read a config file changed within the last second or so: it re-reads it
 * every 300 ms until it looks stable, which added ~1.5 s to every start. Dating the files 10 s
 * in the past avoids the wait.
 */
function backdate(...files: string[]): void {
  const past = new Date(Date.now() - 10_000);
  for (const f of files) utimesSync(f, past, past);
}

function postfixUid(): number {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postfix:'));
  if (!line) throw new Error('no postfix user: run .ci/install-system-packages as root');
  return Number(line.split(':')[2]);
}

function readMasterPid(queueDir: string): number | undefined {
  try {
    const n = Number(readFileSync(join(queueDir, 'pid', 'master.pid'), 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'maillog'), 'utf8');
  } catch {
    return '';
  }
}

/** True while the process exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3 (after the parenthesised command name) is the state.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function stopMaster(configDir: string, pid: number): Promise<void> {
  await runProcess(`${SBIN}/postfix`, ['-c', configDir, 'stop'], { timeoutMs: 10_000 });
  const deadline = Date.now() + 5000;
  while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (isRunning(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * Live (non-zombie) Postfix processes whose working directory is under `dir` (or was, if the
 * directory is already deleted). Finds them with pgrep over the Postfix daemon names.
 */
export function postfixProcessesUnder(dir: string): number[] {
  let pids: number[];
  try {
    const out = execFileSync('pgrep', ['-x', 'master|smtpd|qmgr|pickup|cleanup|trivial-rewrite|tlsmgr|showq|anvil|postlogd|proxymap|scache|smtp|bounce'], { encoding: 'utf8' });
    pids = out.split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
  return pids.filter((pid) => {
    if (!isRunning(pid)) return false;
    try {
      return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
    } catch {
      return false;
    }
  });
}
