/**
 * A worker process: it accepts on the listening sockets the primary sends it (worker-sockets.ts),
 * runs the sessions in listeners in external mode (admission of virtuals with limits is asked of
 * the primary: admit-asks.ts), pools fed with health as data, counters reported back. It never
 * reads the store.
 */
import type * as net from 'node:net';
import * as os from 'node:os';
import type { Logger } from 'pino';
import type { DesiredState, MemberStats, VirtualStats } from '../desired-state';
import { VirtualListener } from '../listener/virtual-listener';
import type { ListenerOptions } from '../listener/virtual-listener';
import type { CheckState } from '../monitor/monitor-scheduler';
import { PoolSet } from '../pool/pool-set';
import { ListenerSet } from '../reconcile/apply';
import { diff, diffChanged } from '../reconcile/diff';
import type { HealthEntry, PrimaryMessage, WorkerMessage } from './messages';
import { memberKey } from './messages';
import { StateAssembly, specsFor } from './state-delta';
import { RemotePersistence } from './persist-channel';
import { WorkerSockets } from './worker-sockets';
import { AdmitAsks, primaryCounts } from './admit-asks';
import { implicitTls, turnAway } from '../listener/refusal';

/** The worker's end of the IPC channel (`process` in a forked child). */
export interface WorkerChannel {
  /** False once the primary is gone (its end of the channel closed). */
  readonly connected: boolean;
  send(message: WorkerMessage, callback?: (err: Error | null) => void): boolean;
  on(event: 'message', listener: (message: PrimaryMessage, handle?: unknown) => void): void;
  on(event: 'disconnect', listener: () => void): void;
}

export interface WorkerOptions {
  logger: Logger;
  /** How often counters are reported when they changed (default 250 ms). */
  statsIntervalMs?: number;
  /** Drain time when the primary disappears without saying stop (default 30 s). */
  orphanDrainMs?: number;
  timeouts?: ListenerOptions['timeouts'];
  hostname?: string;
  session?: ListenerOptions['session'];
}

export class WorkerPlane {
  private readonly health = new Map<string, CheckState>();
  private readonly pools: PoolSet;
  private readonly listeners: ListenerSet;
  private readonly listenerDeps: ListenerOptions;
  private readonly log: Logger;
  /** State messages and connections are handled strictly in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  private desired?: DesiredState;
  private readonly assembly = new StateAssembly();
  private statsTimer?: NodeJS.Timeout;
  /** A fingerprint of each virtual's and member's counters as last reported. */
  private readonly reported = new Map<string, [current: number, total: number]>();
  private stopping?: Promise<void>;
  private readonly persistence: RemotePersistence;
  /**
   * Virtuals whose counters may have moved since the last report: a connection came, sessions
   * still run, or the virtual changed (all of them after a full state). The rest are not looked
   * at, so a report costs the same with 10,000 idle virtuals as with ten.
   */
  private active = new Set<string>();
  private allActive = true;
  /** Ids of client connections closed since the last `ended` message. */
  private ended: number[] = [];
  private endedQueued = false;
  private readonly sockets: WorkerSockets;
  private readonly asks: AdmitAsks;
  /** The daemon's per-source limit (the primary says it before anything else). */
  private sourceLimit = 0;
  private readonly hostname: string;

  constructor(
    private readonly channel: WorkerChannel,
    private readonly options: WorkerOptions,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {
    this.log = options.logger;
    this.hostname = options.hostname ?? os.hostname();
    this.sockets = new WorkerSockets(this.log, (virtual, socket) => this.deliver(virtual, socket));
    this.asks = new AdmitAsks((m) => this.sendSafe(m));
    this.pools = new PoolSet(this.log.child({ subsystem: 'pool' }), (monitor, address, port) => this.health.get(healthKey(monitor, address, port)));
    const drainTimeoutMs = options.timeouts?.drain ?? 30_000;
    let warnedAt = 0;
    this.persistence = new RemotePersistence((m, cb) => this.channel.send(m, cb), () => this.channel.connected, undefined, () => {
      // One line per 10 s at most: a starved primary times out every session's lookup.
      if (Date.now() - warnedAt < 10_000) return;
      warnedAt = Date.now();
      this.log.warn('the primary did not answer a persistence lookup in time; the session was load-balanced without its record');
    });
    this.listenerDeps = {
      selector: this.pools,
      persistence: this.persistence,
      logger: this.log,
      external: true,
      timeouts: { ...options.timeouts, drain: drainTimeoutMs },
      ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
      ...(options.session !== undefined ? { session: options.session } : {}),
      // No admission here: the primary admits every connection with exact counts.
    };
    this.listeners = new ListenerSet({
      createListener: (spec, deps) => new VirtualListener(spec, deps as ListenerOptions),
      // Shared, not copied: listeners made after a key rotation read the new keys.
      deps: this.listenerDeps,
      logger: this.log,
      drainTimeoutMs,
      onServingChange: (name) => this.refreshEntry(name),
    });
  }

  /** One virtual's match entry (virtual-routes.ts), from what runs here. */
  private refreshEntry(name: string): void {
    this.sockets.routes.update(name, { running: this.listeners.listener(name)?.spec, desired: this.assembly.virtual(name), failed: !!this.listeners.failure(name) });
  }

  start(): void {
    this.channel.on('message', (message, handle) => this.onMessage(message, handle));
    this.channel.on('disconnect', () => {
      this.persistence.abandon();
      this.asks.abandon();
      this.log.warn('primary gone: draining this worker\'s sessions, then exiting');
      void this.stop(this.options.orphanDrainMs ?? 30_000, false);
    });
    this.statsTimer = setInterval(() => this.report(), this.options.statsIntervalMs ?? 250);
    this.channel.send({ type: 'ready' });
  }

  private onMessage(message: PrimaryMessage, handle: unknown): void {
    switch (message.type) {
      case 'state': {
        const desired = this.assembly.apply(message);
        const changed = message.full ? undefined : new Set([...message.virtuals.map((v) => v.name), ...message.removedVirtuals]);
        const poolsChanged = message.full || message.pools.length > 0 || message.removedPools.length > 0;
        this.enqueue(() => this.apply(desired, changed, poolsChanged));
        break;
      }
      case 'ticket-keys': {
        const keys = Buffer.from(message.keys, 'base64');
        this.listenerDeps.ticketKeys = keys;
        for (const l of this.listeners.runningListeners()) l.setTicketKeys?.(keys);
        break;
      }
      case 'health':
        this.health.clear();
        for (const [monitor, address, port, state] of message.checks as HealthEntry[]) this.health.set(healthKey(monitor, address, port), state);
        this.pools.refreshHealth(false);
        break;
      case 'socket': {
        const key = message.key;
        // After the states before it: no connection is accepted before its virtual runs here.
        this.enqueue(async () => {
          if (this.stopping) return;
          const error = await this.sockets.open(key, handle).then(
            () => undefined,
            (err: NodeJS.ErrnoException) => err.code ?? err.message,
          );
          if (error) this.log.error({ socket: key, error }, 'cannot accept on a listening socket');
          this.sendSafe({ type: 'socket-open', key, ...(error ? { error } : {}) });
        });
        break;
      }
      case 'socket-close': {
        const key = message.key;
        // In order with `socket`: a socket still being opened is closed after, not before.
        this.enqueue(async () => {
          this.sockets.close(key);
          this.sendSafe({ type: 'socket-closed', key });
        });
        break;
      }
      case 'admission':
        this.sourceLimit = message.sourceLimit;
        break;
      case 'admitted':
        this.asks.answer(message);
        break;
      case 'stop':
        void this.stop(message.drainTimeoutMs, true);
        break;
      case 'persist-answer':
        this.persistence.answer(message);
        break;
    }
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => this.log.error({ err }, 'worker step failed'));
  }

  /** Applies a state; `changed` names the virtuals that changed (undefined: look at all of them). */
  private async apply(desired: DesiredState, changed: ReadonlySet<string> | undefined, poolsChanged: boolean): Promise<void> {
    if (poolsChanged) this.pools.configure(desired.pools);
    if (changed) for (const name of changed) this.active.add(name);
    else this.allActive = true;
    const now = Date.now();
    if (changed) {
      const actual = this.listeners.actualFor(changed);
      await this.listeners.apply(diffChanged({ virtuals: specsFor(changed, actual, (name) => this.assembly.virtual(name)) }, changed, actual, now));
    } else {
      await this.listeners.apply(diff(desired, this.listeners.actual(), now));
    }
    if (!changed || [...changed].some((n) => !this.listeners.listener(n))) this.listeners.forgetStats(new Set(desired.virtuals.map((v) => v.name)));
    // Disabled virtuals (no action of their own), deleted ones, forgotten failures.
    const names = changed ?? new Set([...(this.desired?.virtuals ?? []), ...desired.virtuals].map((v) => v.name));
    this.desired = desired;
    for (const name of names) this.refreshEntry(name);
  }

  /**
   * A connection this worker accepted and matched to `virtual`: its session runs here at once, or,
   * when the primary counts the virtual's limits, once the primary admits it (it waits unread).
   * False: the virtual does not run here (the connection is reset, as an unmatched one).
   */
  private deliver(virtual: string, socket: net.Socket): boolean {
    const listener = this.listeners.listener(virtual) as VirtualListener | undefined;
    if (!listener || this.stopping) return false;
    this.active.add(virtual);
    if (!primaryCounts(listener.spec, this.sourceLimit)) {
      listener.adopt(socket);
      return true;
    }
    let closed = false;
    socket.once('close', () => (closed = true));
    this.asks.ask(virtual, socket, (answer) => {
      const id = typeof answer === 'number' ? answer : undefined;
      if (closed) {
        if (id !== undefined) this.connectionEnded(id);
        return;
      }
      const now = this.listeners.listener(virtual) as VirtualListener | undefined;
      if (answer === 'gone' || (id !== undefined && (!now || this.stopping))) {
        if (id !== undefined) this.connectionEnded(id);
        if (this.stopping) return socket.destroy();
        // The virtual stopped while the primary was asked: the connection, still unread, is
        // matched again once this worker has applied the change (a less specific virtual takes it).
        this.enqueue(async () => this.sockets.routes.route(socket));
        return;
      }
      if (id === undefined) return turnAway(socket, implicitTls(listener.spec), this.hostname);
      // Registered before the session's own close handler, so the end is queued before the
      // session's counters say it closed (report() sends ends first).
      socket.once('close', () => this.connectionEnded(id));
      this.active.add(virtual);
      now!.adopt(socket);
    });
    return true;
  }

  /** Sends unless the primary is gone; false when it could not. */
  private sendSafe(message: WorkerMessage): boolean {
    if (!this.channel.connected) return false;
    try {
      // With a callback, a failed send (the primary just died) does not raise an 'error' event.
      this.channel.send(message, () => undefined);
      return true;
    } catch {
      return false;
    }
  }

  /** Ends are batched: one message per turn of the event loop, however many sockets closed. */
  private connectionEnded(id: number): void {
    this.ended.push(id);
    if (this.endedQueued) return;
    this.endedQueued = true;
    setImmediate(() => this.flushEnded());
  }

  private flushEnded(): void {
    this.endedQueued = false;
    if (this.ended.length === 0 || !this.channel.connected) return;
    const ids = this.ended;
    this.ended = [];
    this.channel.send({ type: 'ended', ids }, () => undefined);
  }

  /**
   * Sends the counters of the virtuals and members whose counters changed since the last
   * report. Cheap with thousands of idle virtuals: a running listener's counters are compared
   * by their current-connections count and their sum (every other counter only grows).
   */
  report(force = false): void {
    this.flushEnded();
    const virtuals: Record<string, VirtualStats> = {};
    const members: Record<string, MemberStats> = {};
    let sessions = 0;
    let changed = 0;
    const draining = this.listeners.drainingNames();
    const names = this.allActive ? (this.desired?.virtuals ?? []).map((v) => v.name) : this.active;
    const stillActive = new Set<string>();
    for (const name of names) {
      // A virtual removed meanwhile is not reported (the primary forgets its counters).
      if (!this.assembly.virtual(name)) continue;
      const live = this.listeners.listener(name)?.stats;
      if (live) sessions += live.clientCurConns;
      // Disabled, failed or draining virtuals (few) are summed across their listeners first.
      const stats = live && !draining.has(name) ? live : this.listeners.stats(name);
      if (stats.clientCurConns > 0) stillActive.add(name);
      if (!this.changed(`v ${name}`, stats.clientCurConns, sum(stats))) continue;
      virtuals[name] = stats === live ? this.listeners.stats(name) : stats;
      changed++;
    }
    this.active = stillActive;
    this.allActive = false;
    for (const m of this.pools.memberStatuses()) {
      const key = memberKey(m.pool, m.member);
      if (this.changed(`m ${key}`, m.stats.curConns, sum(m.stats))) {
        members[key] = m.stats;
        changed++;
      }
    }
    if (this.sockets.routes.unmatchedChanged) changed++;
    this.sockets.routes.unmatchedChanged = false;
    if ((changed === 0 && !force) || !this.channel.connected) return;
    // With a callback, a send that fails (the primary just died) reports here instead of
    // raising an 'error' event that would end this worker and the sessions it is draining.
    this.channel.send({ type: 'stats', virtuals, members, sessions, unmatched: this.sockets.routes.unmatchedByPort() }, () => undefined);
  }

  private changed(key: string, current: number, total: number): boolean {
    const last = this.reported.get(key);
    if (last && last[0] === current && last[1] === total) return false;
    // Counters never reported and still zero are what the primary assumes: a new worker with
    // 10,000 idle virtuals does not send (and make the primary rebuild) 10,000 empty reports.
    if (!last && current === 0 && total === 0) {
      this.reported.set(key, [0, 0]);
      return false;
    }
    this.reported.set(key, [current, total]);
    return true;
  }

  private stop(drainTimeoutMs: number, tellPrimary: boolean): Promise<void> {
    this.stopping ??= (async () => {
      // Stop accepting first: the primary (or its successor) keeps the sockets.
      this.sockets.closeAll();
      await this.chain;
      await this.listeners.drainAll(tellPrimary ? 'daemon stopping' : 'primary gone', drainTimeoutMs);
      if (this.statsTimer) clearInterval(this.statsTimer);
      if (tellPrimary) {
        this.report(true);
        try {
          // Exit once the message is written, so the primary has the last counters.
          this.channel.send({ type: 'stopped' }, () => this.exit(0));
          return;
        } catch {
          // Gone meanwhile.
        }
      }
      this.exit(0);
    })();
    return this.stopping;
  }
}

const healthKey = (monitor: string, address: string, port: number): string => `${monitor}|${address}|${port}`;

/** The sum of a counters object, without allocating (it runs for every virtual, four times a second). */
function sum(stats: object): number {
  let total = 0;
  for (const key in stats) total += (stats as Record<string, number>)[key];
  return total;
}
