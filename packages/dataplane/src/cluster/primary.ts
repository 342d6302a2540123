/**
 * The primary of a multi-process data plane: it reads the desired state, runs the health
 * monitors, holds every listening socket (the workers accept on them: socket-handout.ts),
 * admits the connections of virtuals with limits (primary-admission.ts, asked by the workers:
 * admit-asks.ts), replaces workers that die,
 * sums their counters and writes status. Workers run the sessions (worker.ts). See the design
 * note at the top of data-plane.ts.
 */
import type { ChildProcess } from 'node:child_process';
import type * as net from 'node:net';
import * as os from 'node:os';
import type { Logger } from 'pino';
import type { DesiredState, DesiredStateSource, StatusSink } from '../desired-state';
import { MonitorScheduler } from '../monitor/monitor-scheduler';
import { PoolSet, checkTargetsOf } from '../pool/pool-set';
import { ListenerSet } from '../reconcile/apply';
import type { BackoffPolicy } from '../reconcile/backoff';
import { diffChanged } from '../reconcile/diff';
import { Reconciler } from '../reconcile/reconciler';
import { virtualStatus } from '../status-reporter';
import type { VirtualSpec, VirtualStats, VirtualStatus } from '../desired-state';
import type { DataPlaneStatus } from '../status-reporter';
import { AvailabilityLog } from '../availability-log';
import type { Peer, Refusal } from '../listener/admission';
import type { ServerHandle } from '../listener/port-sockets';
import { Acceptor } from './acceptor';
import { PortSockets } from '../listener/port-sockets';
import { InheritedSockets, type InheritedSocket } from './inherited-sockets';
import type { HealthEntry, PrimaryMessage, WorkerMessage } from './messages';
import { memberKey } from './messages';
import { PrimaryAdmission, type RefusalCounts } from './primary-admission';
import { StatsTotals } from './stats-totals';
import { StateBroadcast, specsFor, stateMessage } from './state-delta';
import { applyPersistFlushes } from '../persist/apply-flushes';
import { PersistTable } from '../persist/persist-table';
import { servePersistence } from './persist-channel';
import { SocketHandOutToWorkers } from './socket-handout';

export interface PrimaryOptions {
  source: DesiredStateSource;
  sink: StatusSink;
  logger: Logger;
  /** Number of worker processes (>= 1). */
  workers: number;
  /** Starts worker number `index` (child_process.fork of the worker entry, with an IPC channel). */
  forkWorker: (index: number) => ChildProcess;
  pollIntervalMs?: number;
  statusIntervalMs?: number;
  drainTimeoutMs?: number;
  backoff?: BackoffPolicy;
  /** Listening sockets inherited from the previous primary (seamless restart). */
  inherited?: InheritedSockets;
  /** TLS session ticket keys (48 bytes), handed to every worker so any of them resumes a session. */
  ticketKeys?: Buffer;
  /** Concurrent connections per client address per virtual (0 = unlimited), counted here exactly. */
  sourceConnectionLimit?: number;
  /** How long a connection over a concurrency limit waits for a slot before its refusal (default 500 ms; 0 = none). */
  admissionGraceMs?: number;
}

interface WorkerSlot {
  index: number;
  child: ChildProcess;
  ready: boolean;
  startedAt: number;
  /** Sessions running in it, from its last report. */
  sessions: number;
  /** Connections it reset for want of a serving virtual, by port, from its last report. */
  unmatched: Record<string, number>;
}

export class PrimaryPlane {
  private readonly log: Logger;
  private readonly monitors: MonitorScheduler;
  private readonly pools: PoolSet;
  private readonly acceptors: ListenerSet;
  private readonly reconciler: Reconciler;
  private readonly totals = new StatsTotals();
  /** Every worker's persistence records (persist-channel.ts). */
  private readonly persistTable = new PersistTable();
  private readonly broadcast = new StateBroadcast();
  /** Virtuals whose status inputs changed since the last report (all of them when `allDirty`). */
  private readonly dirty = new Set<string>();
  private allDirty = true;
  private lastStatus = new Map<string, VirtualStatus>();
  /** The virtuals' list of the last report, and the snapshot it was made from. */
  private lastVirtuals?: VirtualStatus[];
  private lastStatusOf?: DesiredState;
  private lastHealth = '';
  private readonly availability: AvailabilityLog;
  private readonly slots = new Map<number, WorkerSlot>();
  private readonly admission: PrimaryAdmission<WorkerSlot>;
  private readonly inherited: InheritedSockets;
  private readonly sockets: PortSockets;
  private readonly handOut: SocketHandOutToWorkers<WorkerSlot>;
  /** Admission answers not yet sent, per worker. */
  private readonly answers = new Map<WorkerSlot, Array<[number, number | Refusal | 'gone']>>();
  private answersQueued = false;
  /** Unmatched resets counted by workers that have exited, by port. */
  private readonly unmatchedRetired = new Map<string, number>();
  private desired?: DesiredState;
  private healthQueued = false;
  private statusTimer?: NodeJS.Timeout;
  private stopping?: Promise<void>;
  private started = false;
  private ticketKeys?: Buffer;
  /** Called when a worker becomes ready, while start() waits for all of them. */
  private onReady?: () => void;
  /** Workers replaced after an unexpected exit, for status and tests. */
  replacements = 0;

  constructor(private readonly options: PrimaryOptions) {
    if (options.workers < 1) throw new Error('a primary needs at least one worker');
    this.log = options.logger;
    this.availability = new AvailabilityLog(this.log);
    this.inherited = options.inherited ?? new InheritedSockets();
    this.ticketKeys = options.ticketKeys;
    this.admission = new PrimaryAdmission(options.sourceConnectionLimit ?? 0, Date.now, options.admissionGraceMs);
    this.monitors = new MonitorScheduler({
      logger: this.log.child({ subsystem: 'monitor' }),
      onChange: () => {
        this.pools.refreshHealth();
        this.allDirty = true;
        this.queueHealth();
      },
    });
    this.pools = new PoolSet(this.log.child({ subsystem: 'pool' }), (monitor, address, port) => this.monitors.get(monitor, address, port));
    const drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
    this.handOut = new SocketHandOutToWorkers(
      () => [...this.slots.values()].filter((s) => s.ready && s.child.connected),
      (slot, message, handle) => this.send(slot, message, handle),
      this.log,
    );
    // The primary holds one socket per port (and address, or the wildcard); the workers accept
    // on them and match each connection to its virtual (worker-sockets.ts).
    this.sockets = new PortSockets({
      logger: this.log,
      inherited: this.inherited,
      handOut: this.handOut,
      onConnection: (sock) => sock.destroy(),
    });
    this.acceptors = new ListenerSet({
      createListener: (spec) => new Acceptor(spec, { logger: this.log, ports: this.sockets }),
      deps: { selector: this.pools, logger: this.log },
      logger: this.log,
      drainTimeoutMs,
      backoff: options.backoff,
    });
    this.reconciler = new Reconciler({
      source: options.source,
      logger: this.log.child({ subsystem: 'reconciler' }),
      pollIntervalMs: options.pollIntervalMs ?? 50,
      reconcile: (desired) => this.reconcile(desired),
      retryDueAt: () => this.acceptors.nextRetryAt(),
    });
  }

  get workerCount(): number {
    return this.options.workers;
  }

  /** The pids of the running workers, by index. */
  workerPids(): number[] {
    return [...this.slots.values()].sort((a, b) => a.index - b.index).map((s) => s.child.pid ?? -1);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (let i = 0; i < this.options.workers; i++) this.spawn(i);
    // Listen only once the workers can take connections (a new daemon taking over from an old
    // one must not leave connections waiting on workers that are still loading).
    await this.workersReady(15_000);
    this.monitors.start();
    await this.reconciler.start();
    const unclaimed = this.inherited.closeUnclaimed();
    if (unclaimed > 0) this.log.info({ unclaimed }, 'closed inherited listening sockets no virtual server uses any more');
    if (this.stopping) return;
    this.statusTimer = setInterval(() => this.writeStatus(), this.options.statusIntervalMs ?? 1000);
    this.statusTimer.unref();
    this.writeStatus();
  }

  private workersReady(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const giveUp = setTimeout(() => {
        this.log.warn({ ready: [...this.slots.values()].filter((s) => s.ready).length, workers: this.options.workers }, 'not every worker is ready; listening anyway');
        this.onReady = undefined;
        resolve();
      }, timeoutMs);
      this.onReady = () => {
        if (![...this.slots.values()].every((s) => s.ready)) return;
        clearTimeout(giveUp);
        this.onReady = undefined;
        resolve();
      };
      this.onReady();
    });
  }

  /** The listening sockets, for a new primary to inherit. */
  listeningSockets(): InheritedSocket[] {
    return this.sockets.bound().flatMap((b) => (b.fd !== undefined ? [{ address: b.address, port: b.port, fd: b.fd }] : []));
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Rotated ticket keys, for every worker (running and future). */
  setTicketKeys(keys: Buffer): void {
    if (keys.length !== 48) throw new Error('TLS ticket keys must be 48 bytes.');
    this.ticketKeys = keys;
    for (const slot of this.slots.values()) if (slot.ready) this.send(slot, { type: 'ticket-keys', keys: keys.toString('base64') });
  }

  /**
   * The status and summed counters. With thousands of virtuals most do not change between two
   * reports: a virtual's status is rebuilt only when its counters, its spec or its failure
   * changed, or anything a pool's availability depends on; otherwise last report's object is
   * reused (and the store skips its row without serializing it).
   */
  status(): DataPlaneStatus {
    const desired = this.desired;
    const view = {
      stats: (name: string) => withRefusals(this.totals.virtual(name), this.admission.refusals(name)),
      failure: (name: string) => this.acceptors.failure(name),
      listener: (name: string) => this.acceptors.listener(name),
    };
    const now = Date.now();
    for (const name of this.acceptors.failedNames()) this.dirty.add(name);
    let virtuals = this.lastVirtuals;
    // Nothing changed since the last report (same snapshot, nothing dirty): the same list, which
    // the store and the availability log then skip without looking at its 10,000 entries.
    if (!virtuals || this.allDirty || this.dirty.size > 0 || desired !== this.lastStatusOf) {
      virtuals = [];
      const next = new Map<string, VirtualStatus>();
      for (const spec of desired?.virtuals ?? []) {
        const last = this.lastStatus.get(spec.name);
        const v = !this.allDirty && last && !this.dirty.has(spec.name) ? last : virtualStatus(spec, view, this.pools, now);
        virtuals.push(v);
        next.set(spec.name, v);
      }
      this.lastStatus = next;
      this.lastVirtuals = virtuals;
      this.lastStatusOf = desired;
    }
    this.dirty.clear();
    this.allDirty = false;
    const members = this.pools.memberStatuses();
    for (const m of members) m.stats = this.totals.member(memberKey(m.pool, m.member));
    return {
      generation: desired?.generation ?? -1, at: now, virtuals, members, pools: this.pools.poolStatuses(),
      cmp: { workers: this.options.workers, cpus: os.availableParallelism() }, persistence: this.persistTable.report(), unmatched: this.unmatchedByPort(),
    };
  }

  /** Resets for want of a serving virtual, by port: every worker's, the exited ones' included. */
  private unmatchedByPort(): Record<string, number> {
    const sum = new Map(this.unmatchedRetired);
    for (const slot of this.slots.values()) for (const [port, n] of Object.entries(slot.unmatched)) sum.set(port, (sum.get(port) ?? 0) + n);
    return Object.fromEntries(sum);
  }

  private async reconcile(desired: DesiredState): Promise<void> {
    this.monitors.configure(desired.monitors, checkTargetsOf(desired.pools));
    this.pools.configure(desired.pools);
    applyPersistFlushes(this.persistTable, desired, this.log);
    this.desired = desired;
    const change = this.broadcast.delta(desired);
    if (change.pools.length > 0 || change.removedPools.length > 0) this.allDirty = true;
    for (const v of change.virtuals) this.dirty.add(v.name);
    const changed = new Set([...change.virtuals.map((v) => v.name), ...change.removedVirtuals]);
    const actual = this.acceptors.actualFor(changed);
    const actions = diffChanged({ virtuals: specsFor(changed, actual, (name) => this.broadcast.virtual(name)) }, changed, actual, Date.now());
    // Sockets only drained virtuals needed close before the workers hear of the state, and new
    // ones open after: the IPC channel keeps order and workers apply states and open sockets in
    // arrival order, so a worker accepts on a socket only once it runs the virtuals it serves.
    await this.acceptors.apply(actions.filter((a) => a.kind === 'drain'));
    const n = this.options.workers;
    for (const slot of this.slots.values()) {
      if (slot.ready) this.send(slot, stateMessage(change, desired.generation, false, slot.index, n));
    }
    this.queueHealth();
    await this.acceptors.apply(actions.filter((a) => a.kind !== 'drain'));
    // A retry that now succeeds, or a failure forgotten, changes that virtual's status too.
    for (const a of actions) this.dirty.add('spec' in a ? a.spec.name : a.name);
    if (change.removedVirtuals.length > 0 || change.removedPools.length > 0 || change.pools.length > 0) {
      const names = new Set(desired.virtuals.map((v) => v.name));
      this.acceptors.forgetStats(names);
      this.admission.forget(names);
      this.totals.forget(names, new Set(desired.pools.flatMap((p) => p.members.map((m) => memberKey(p.name, m.name)))));
    }
  }

  /** A worker that just started gets everything last broadcast. */
  private sendState(slot: WorkerSlot): void {
    if (!this.desired) return;
    this.send(slot, stateMessage(this.broadcast.everything(), this.broadcast.lastGeneration, true, slot.index, this.options.workers));
  }

  /** Health goes to workers at most once per tick, however many checks changed. */
  private queueHealth(): void {
    if (this.healthQueued) return;
    this.healthQueued = true;
    setImmediate(() => {
      this.healthQueued = false;
      const message: PrimaryMessage = { type: 'health', checks: this.healthTable() };
      const text = JSON.stringify(message.checks);
      if (text === this.lastHealth) return;
      this.lastHealth = text;
      for (const slot of this.slots.values()) if (slot.ready) this.send(slot, message);
    });
  }

  private healthTable(): HealthEntry[] {
    const out: HealthEntry[] = [];
    for (const t of checkTargetsOf(this.desired?.pools ?? [])) {
      const state = this.monitors.get(t.monitor, t.address, t.port);
      if (state) out.push([t.monitor, t.address, t.port, state]);
    }
    return out;
  }

  private send(slot: WorkerSlot, message: PrimaryMessage, handle?: ServerHandle): boolean {
    if (!slot.child.connected) return false;
    try {
      // A send that fails (the worker just died) reports to the callback, not as an 'error' event;
      // a full pipe only queues the message (send() then returns false, but it is sent).
      slot.child.send(message, handle as unknown as net.Server | undefined, (err) => {
        if (err) this.log.warn({ err, worker: slot.index }, 'cannot reach worker');
      });
      return true;
    } catch (err) {
      this.log.warn({ err, worker: slot.index }, 'cannot reach worker');
      return false;
    }
  }

  /**
   * A worker asks for a connection to a virtual with limits (admit-asks.ts): admitted here with
   * exact counts, as in one process (over a concurrency limit it may wait briefly for a slot, see
   * primary-admission.ts), or refused (counted here; the worker turns it away unread).
   */
  private admitAsk(slot: WorkerSlot, ask: number, virtual: string, peer: Peer): void {
    // The worker runs the virtual: while the primary stops (its acceptors drained) the workers'
    // last connections are still admitted under the configured limits.
    const spec = this.acceptors.listener(virtual)?.spec ?? this.broadcast.virtual(virtual);
    if (!spec) return this.answer(slot, ask, 'gone');
    this.admission.offer(
      spec,
      peer,
      (id) => {
        // The worker died while the connection waited for a slot: nothing holds it any more.
        if (this.slots.get(slot.index) !== slot || !slot.child.connected) return this.admission.release(id);
        this.admission.handedTo(id, slot);
        this.answer(slot, ask, id);
      },
      (why) => {
        this.dirty.add(virtual);
        if (this.log.isLevelEnabled('debug')) this.log.debug({ virtual, remote: peer.remoteAddress, why }, 'connection refused by admission');
        this.answer(slot, ask, why);
      },
    );
  }

  /** Answers go in one message per worker per turn, however many asks it made. */
  private answer(slot: WorkerSlot, ask: number, answer: number | Refusal | 'gone'): void {
    let list = this.answers.get(slot);
    if (!list) this.answers.set(slot, (list = []));
    list.push([ask, answer]);
    if (this.answersQueued) return;
    this.answersQueued = true;
    setImmediate(() => {
      this.answersQueued = false;
      for (const [s, answers] of this.answers) {
        if (!this.send(s, { type: 'admitted', answers })) {
          // Undelivered: the worker is gone (its exit releases what it held).
          for (const [, a] of answers) if (typeof a === 'number') this.admission.release(a);
        }
      }
      this.answers.clear();
    });
  }

  private spawn(index: number): void {
    const child = this.options.forkWorker(index);
    // Node adds listeners per socket in flight to a worker until it acknowledges the handle.
    child.setMaxListeners(0);
    const slot: WorkerSlot = { index, child, ready: false, startedAt: Date.now(), sessions: 0, unmatched: {} };
    this.slots.set(index, slot);
    child.on('message', (message: WorkerMessage) => this.onWorkerMessage(slot, message));
    child.on('error', (err) => this.log.warn({ err, worker: index }, 'worker channel error'));
    child.once('exit', (code, signal) => this.onWorkerExit(slot, code, signal));
    this.log.info({ worker: index, workerPid: child.pid }, 'worker started');
  }

  private onWorkerMessage(slot: WorkerSlot, message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        slot.ready = true;
        if (this.ticketKeys) this.send(slot, { type: 'ticket-keys', keys: this.ticketKeys.toString('base64') });
        this.log.info({ worker: slot.index, workerPid: slot.child.pid }, 'worker ready');
        this.onReady?.();
        this.send(slot, { type: 'admission', sourceLimit: this.options.sourceConnectionLimit ?? 0 });
        this.sendState(slot);
        this.send(slot, { type: 'health', checks: this.healthTable() });
        this.handOut.workerReady(slot);
        break;
      case 'stats':
        slot.sessions = message.sessions;
        slot.unmatched = message.unmatched ?? {};
        this.totals.report(slot.index, { virtuals: message.virtuals, members: message.members });
        for (const name of Object.keys(message.virtuals)) this.dirty.add(name);
        break;
      case 'ended':
        for (const id of message.ids) this.admission.release(id);
        break;
      case 'admit':
        for (const [ask, virtual, remote, local] of message.asks) {
          this.admitAsk(slot, ask, virtual, { ...(remote !== undefined ? { remoteAddress: remote } : {}), ...(local !== undefined ? { localAddress: local } : {}) });
        }
        break;
      case 'socket-open':
      case 'socket-closed':
        this.handOut.message(slot, message);
        break;
      case 'stopped':
        break;
      case 'persist-lookup':
      case 'persist-record':
        servePersistence(this.persistTable, message, (answer) => this.send(slot, answer));
        break;
    }
  }

  private onWorkerExit(slot: WorkerSlot, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.slots.get(slot.index) === slot) this.slots.delete(slot.index);
    // Its sockets closed with it: their counts go.
    this.admission.releaseOwner(slot);
    this.handOut.workerGone(slot);
    for (const [port, n] of Object.entries(slot.unmatched)) this.unmatchedRetired.set(port, (this.unmatchedRetired.get(port) ?? 0) + n);
    slot.unmatched = {};
    this.totals.retire(slot.index);
    this.allDirty = true;
    if (this.stopping) return;
    this.log.error({ worker: slot.index, workerPid: slot.child.pid, code, signal, sessionsLost: slot.sessions }, `worker ${slot.index} exited unexpectedly; starting a replacement`);
    this.replacements++;
    // A worker that dies at once would otherwise be restarted in a tight loop.
    const delay = Date.now() - slot.startedAt < 1000 ? 1000 : 0;
    setTimeout(() => {
      if (!this.stopping) this.spawn(slot.index);
    }, delay).unref();
  }

  private async shutdown(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = undefined;
    await this.reconciler.stop();
    this.log.info('data plane stopping: closing listeners, workers draining');
    await this.acceptors.drainAll('daemon stopping');
    await this.sockets.closeAll();
    this.admission.refuseWaiting();
    const drainTimeoutMs = this.options.drainTimeoutMs ?? 30_000;
    const exits = [...this.slots.values()].map((slot) => this.stopWorker(slot, drainTimeoutMs));
    await Promise.all([...exits, this.monitors.stop()]);
    // The records die with the primary: the last report must not list them as live.
    this.persistTable.clear();
    this.writeStatus();
    this.log.info('data plane stopped');
  }

  /** Asks a worker to drain and waits for it to exit; kills it if it outlives its drain. */
  private stopWorker(slot: WorkerSlot, drainTimeoutMs: number): Promise<void> {
    const child = slot.child;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      // Drain time, plus the 421-and-close grace a listener gives, plus a margin.
      const kill = setTimeout(() => child.kill('SIGKILL'), drainTimeoutMs + 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      if (child.connected) this.send(slot, { type: 'stop', drainTimeoutMs });
      else child.kill('SIGTERM');
    });
  }

  private writeStatus(): void {
    try {
      const report = this.status();
      this.availability.observe(report);
      this.options.sink.write(report);
    } catch (err) {
      this.log.error({ err }, 'cannot write status');
    }
  }
}

/** The workers' counters plus the refusals the primary's admission counted. */
function withRefusals(stats: VirtualStats, refused: RefusalCounts | undefined): VirtualStats {
  if (!refused) return stats;
  stats.connectionLimitRejected += refused.connectionLimitRejected;
  stats.sourceLimitRejected += refused.sourceLimitRejected;
  stats.rateLimitRejected += refused.rateLimitRejected;
  return stats;
}
