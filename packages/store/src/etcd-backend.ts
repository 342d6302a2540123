/**
 * The etcd driver: many hosts, one configuration. The whole key range is mirrored in memory
 * (kv-repository.ts) and the command logic runs synchronously against the mirror; a write then
 * commits as ONE etcd transaction guarded by the revision of the generation key it read
 * (compare-and-swap). When another writer committed first, the mirror catches up and the command
 * runs again on the newer configuration (commands are functions of the configuration, so this
 * is what would have happened had it started a moment later); after `maxAttempts` it fails with
 * a retryable CONFLICT error. Nothing is lost either way.
 *
 * Readers: a tmsh catches up with the cluster before every command (one linearizable read); a
 * daemon (`follow`) reads only its mirror, which the watch keeps current, so it keeps serving
 * when etcd is unreachable, and may start from a cached copy of the mirror.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { ConfigError, ErrorCodes, type StatusReport } from '@openltm/model';
import type { EtcdConnection, WorkerCall, WorkerMessage } from './etcd-protocol';
import { GENERATION_KEY, KvRepository, type KvEvent } from './kv-repository';
import { KvStatus } from './kv-status';
import type { ChangedObject } from './object-repository';
import type { ReportInfo } from './status';
import type { SecretCipher } from './kv-secrets';
import type { StoreBackend } from './store-backend';

export interface EtcdBackendOptions {
  connection: EtcdConnection;
  /** For messages: the URL the user gave. */
  location: string;
  /** This host's name for its status keys (default: the OS host name). */
  host: string;
  /** A daemon: read the mirror only (kept current by the watch), never wait for the cluster. */
  follow?: boolean;
  /** A daemon's copy of the configuration (0600; it holds private keys), for starting while etcd is down. */
  cacheFile?: string;
  /** tmsh: the daemon's copy to read (never write) when etcd cannot be reached, so `show` and `list` still answer. */
  cachedReads?: string;
  /** How often a command is run again when another writer committed first (default 8). */
  maxAttempts?: number;
  /** Where the link state goes (the daemon logs it). */
  onLink?: (up: boolean, detail: string) => void;
  /** Seals key material before it reaches etcd (every host needs the same key). */
  cipher?: SecretCipher;
}

/** The compiled worker: beside this file, or (running from TypeScript sources under jest) in dist/. */
function workerFile(): string {
  const here = path.join(__dirname, 'etcd-worker.js');
  return fs.existsSync(here) ? here : path.join(__dirname, '..', 'dist', 'etcd-worker.js');
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function unreachable(location: string, detail: string): ConfigError {
  return new ConfigError(ErrorCodes.STORE_UNREACHABLE, `The configuration store ${location} cannot be reached (${detail}). Nothing was changed; try again.`);
}

export class EtcdBackend implements StoreBackend {
  readonly repo = new KvRepository();
  readonly status: KvStatus;
  readonly driver = 'etcd';
  readonly location: string;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly counter = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;
  /** Messages that arrived while a transaction was open, applied when it ends. */
  private queued: WorkerMessage[] = [];
  private inTransaction = false;
  /** Depth of reads in progress: the mirror holds still until the outermost one ends. */
  private reading = 0;
  private readonly listeners = new Set<() => void>();
  private linkUp = true;
  private cacheTimer?: NodeJS.Timeout;
  private closed = false;

  private constructor(private readonly options: EtcdBackendOptions) {
    this.location = options.location;
    this.status = new KvStatus(this.repo, options.host);
    this.repo.cipher = options.cipher;
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(workerFile(), { workerData: { port: port2, counter: this.counter, connection: options.connection }, transferList: [port2] });
    this.worker.unref();
    this.worker.on('error', (err) => this.setLink(false, `the etcd client failed: ${err.message}`));
    port1.on('message', (m: WorkerMessage) => this.receive(m));
    port1.unref();
  }

  /**
   * Connects and reads the whole configuration. A daemon with a cached copy starts from it when
   * the cluster cannot be reached, and catches up when it can.
   */
  static open(options: EtcdBackendOptions): EtcdBackend {
    const backend = new EtcdBackend(options);
    try {
      const { entries } = backend.call({ op: 'load' }) as { entries: KvEvent[] };
      backend.repo.reset(entries);
      backend.saveCache();
      return backend;
    } catch (err) {
      const file = options.follow ? options.cacheFile : options.cachedReads;
      const cached = file ? readCache(file) : undefined;
      if (!cached || !file) {
        backend.close();
        throw ConfigError.is(err) ? err : unreachable(options.location, (err as Error).message);
      }
      backend.repo.reset(cached);
      if (!options.follow) {
        // Reads only, from what this host's daemon last saw; every write is refused.
        backend.offline = { file, detail: ConfigError.is(err) ? err.message : String(err), triedAt: Date.now() };
        return backend;
      }
      backend.setLink(false, `serving the cached configuration (generation ${backend.repo.generation}) from ${options.cacheFile}`);
      backend.send({ op: 'follow' });
      return backend;
    }
  }

  /** Set when reads come from a cached copy because etcd could not be reached (tmsh only). */
  offline?: { file: string; detail: string; triedAt: number };

  /**
   * A long-lived reader (an interactive shell, `openltm api`) that started on the cached copy
   * tries the cluster again, at most every few seconds, and leaves the copy once it answers.
   */
  private reconnect(): void {
    if (!this.offline || Date.now() - this.offline.triedAt < 5000) return;
    this.offline.triedAt = Date.now();
    try {
      const { entries } = this.call({ op: 'load' }) as { entries: KvEvent[] };
      this.repo.reset(entries);
      this.status.forget();
      this.offline = undefined;
    } catch {
      // Still unreachable: keep reading the copy.
    }
  }

  /** How often the whole range was read again because the watch lost its place (compaction). */
  fullReads = 0;

  /** Whether the cluster answered last time this process asked. */
  get connected(): boolean {
    return this.linkUp;
  }

  // ---- talking to the worker ----

  private send(req: WorkerCall): number {
    const id = ++this.seq;
    this.port.postMessage({ ...req, id });
    return id;
  }

  /** Posts a request and sleeps until its answer arrives (other messages are handled meanwhile). */
  private call(req: WorkerCall, timeoutMs = this.options.connection.timeoutMs + 1000): unknown {
    const id = this.send(req);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.counter, 0);
      for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
        const msg = m.message as WorkerMessage;
        if (msg.type === 'reply' && msg.id === id) {
          if (msg.error !== undefined) {
            // etcd answered, and refused: a transaction over its limits is not a connectivity problem.
            if (/authentication failed|invalid user ID or password|permission denied|user name is empty/i.test(msg.error)) {
              throw new ConfigError(ErrorCodes.CONFIG_ERROR, `etcd refused this client (${msg.error}): check OPENLTM_ETCD_USER, its password and its role's permission on the prefix. Nothing was changed.`);
            }
            if (/too many operations|request is too large|RESOURCE_EXHAUSTED/i.test(msg.error)) {
              throw new ConfigError(ErrorCodes.CONFIG_ERROR, `etcd refused the request (${msg.error}): raise etcd's --max-txn-ops and --max-request-bytes to fit it (docs/cluster.md). Nothing was changed.`);
            }
            throw unreachable(this.location, msg.error);
          }
          return msg.result;
        }
        this.receive(msg);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw unreachable(this.location, `no answer within ${timeoutMs} ms`);
      Atomics.wait(this.counter, 0, seen, left);
    }
  }

  /** Takes whatever the worker posted so far. */
  private drain(): void {
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) this.receive(m.message as WorkerMessage);
  }

  private receive(msg: WorkerMessage): void {
    if (msg.type === 'reply') return;
    if (this.inTransaction || this.reading > 0) {
      this.queued.push(msg);
      return;
    }
    const before = this.repo.generation;
    if (msg.type === 'events') this.repo.applyEvents(msg.events);
    else if (msg.type === 'reset') {
      this.fullReads++;
      this.repo.reset(msg.entries);
      this.status.forget();
    } else if (msg.type === 'link') {
      this.setLink(msg.up, msg.up ? `connected; configuration generation ${this.repo.generation}` : `unreachable; serving the last configuration (generation ${this.repo.generation})`);
      return;
    }
    if (!this.linkUp) this.setLink(true, `connected; configuration generation ${this.repo.generation}`);
    if (this.repo.generation !== before || msg.type === 'reset') {
      this.scheduleCache();
      for (const l of this.listeners) l();
    }
  }

  private setLink(up: boolean, detail: string): void {
    if (up === this.linkUp) return;
    this.linkUp = up;
    this.options.onLink?.(up, detail);
  }

  private endTransaction(): void {
    this.inTransaction = false;
    this.flushQueued();
  }

  /** Applies what arrived during a transaction or read, once none is open. */
  private flushQueued(): void {
    if (this.reading > 0 || this.inTransaction) return;
    const queued = this.queued;
    this.queued = [];
    for (const m of queued) this.receive(m);
  }

  /**
   * Brings the mirror up to the cluster's latest configuration. A daemon's reads take what the
   * watch brought (they never wait for etcd); writes always ask, so a retry starts from the newest.
   */
  private catchUp(writing = false): void {
    if (this.options.follow && !writing) this.drain();
    else this.call({ op: 'sync' });
  }

  // ---- the StoreBackend seam ----

  write<T>(fn: () => T): T {
    this.reconnect();
    if (this.offline) throw unreachable(this.location, `only the cached copy ${this.offline.file} can be read`);
    const attempts = this.options.maxAttempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      this.catchUp(true);
      const expect = this.repo.raw.get(GENERATION_KEY)?.mod ?? 0;
      this.inTransaction = true;
      try {
        let result: T;
        try {
          result = fn();
        } catch (err) {
          this.repo.rollback();
          throw err;
        }
        // Serialised once: a `load` of 60,000 objects is 60,000 JSON texts.
        const changes = this.repo.pending();
        if (changes.puts.length + changes.deletes.length === 0) {
          this.repo.rollback();
          return result;
        }
        changes.puts.push(this.repo.bumpGeneration());
        let answer: { ok: boolean; revision: number };
        try {
          answer = this.call({ op: 'commit', expect, puts: changes.puts, deletes: changes.deletes }) as { ok: boolean; revision: number };
        } catch (err) {
          this.repo.rollback();
          // The request may have reached the cluster: say so rather than claim nothing changed.
          if (ConfigError.is(err)) throw new ConfigError(err.code, err.message.replace('Nothing was changed; try again.', 'Whether the change was applied is unknown: check with list before trying again.'));
          throw err;
        }
        if (answer.ok) {
          this.repo.committed(answer.revision, changes);
          this.scheduleCache();
          return result;
        }
        this.repo.rollback();
      } finally {
        this.endTransaction();
      }
      if (attempt >= attempts) {
        throw new ConfigError(
          ErrorCodes.CONFLICT,
          `The configuration changed while this command ran: another administrator committed first, ${attempts === 1 ? 'and this command is not retried' : `${attempts} times in a row`}. Nothing was changed; try again.`,
        );
      }
      // Back off a little, at random, so two busy writers stop meeting.
      sleep(Math.floor(Math.random() * 20 * attempt));
    }
  }

  /** One consistent snapshot: changes that arrive meanwhile wait until the outermost read ends. */
  read<T>(fn: () => T): T {
    if (this.reading === 0 && !this.inTransaction) {
      this.reconnect();
      if (!this.offline) this.catchUp();
    }
    this.reading++;
    try {
      return fn();
    } finally {
      this.reading--;
      this.flushQueued();
    }
  }

  /** The committed generation: a daemon's (or a cached copy's) as its mirror has it; a tmsh's as the cluster has it now. */
  generation(): number {
    if (this.reading > 0 || this.inTransaction) return this.repo.generation;
    if (this.options.follow || this.offline) this.drain();
    else this.catchUp();
    return this.repo.generation;
  }

  changesSince(generation: number): ChangedObject[] | undefined {
    return this.repo.changesSince(generation);
  }

  /** Publishes this host's status under its lease; never waits for the cluster. */
  writeStatus(report: StatusReport): boolean {
    const { puts, deletes } = this.status.diff(report);
    if (puts.length || deletes.length) this.send({ op: 'status', puts, deletes });
    return true;
  }

  statusInfo(): ReportInfo | undefined {
    return this.read(() => this.status.reportInfo());
  }

  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.cacheTimer);
    this.writeCache();
    try {
      // Revokes this host's lease: a host that stops cleanly leaves `show` at once.
      this.call({ op: 'close' }, 3000);
    } catch {
      // Unreachable: the lease expires on its own.
    }
    void this.worker.terminate();
    this.port.close();
  }

  // ---- the daemon's cached copy ----

  private scheduleCache(): void {
    if (!this.options.cacheFile || this.cacheTimer) return;
    this.cacheTimer = setTimeout(() => {
      this.cacheTimer = undefined;
      this.writeCache();
    }, 500);
    this.cacheTimer.unref();
  }

  private saveCache(): void {
    if (this.options.cacheFile) this.writeCache();
  }

  private writeCache(): void {
    const file = this.options.cacheFile;
    if (!file) return;
    // Status rows are each host's own and short-lived: only the configuration is kept.
    const entries = [...this.repo.raw].filter(([k]) => !k.startsWith('status/')).map(([key, e]) => ({ key, value: e.value, mod: e.mod }));
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify({ version: 1, entries }), { mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }
}

function readCache(file: string): KvEvent[] | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: number; entries: KvEvent[] };
    return data.version === 1 ? data.entries : undefined;
  } catch {
    return undefined;
  }
}
