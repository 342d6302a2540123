/**
 * The data plane in one process: a reconciler that follows the store's generation, the pools
 * and their health monitors, the listeners, and a status report written about once a second.
 * `openltm daemon --workers 0` runs this (tests, debugging); the default is the multi-process
 * model in cluster/, built from the same parts:
 * - The primary (cluster/primary.ts) reads the desired state, runs the MonitorScheduler (once
 *   per daemon, not per worker), binds every listening socket (cluster/acceptor.ts) and sends
 *   it once to each worker, which accepts on it (cluster/worker-sockets.ts: no connection
 *   passes through the primary), admits the connections of virtuals with limits when a worker
 *   asks (cluster/admit-asks.ts), sums the workers' counters and writes status. A worker that
 *   dies is replaced; the listening sockets never close.
 * - Workers (cluster/worker.ts, one per CPU) run a ListenerSet of external-mode listeners and a
 *   PoolSet, fed with the same plain-data DesiredState (sent as changes, state-delta.ts) and
 *   with health as data (the primary's check states), read through the PoolSet's HealthLookup.
 * - Connection limits of virtuals and members are divided among the workers (limit-shares.ts),
 *   as BIG-IP divides them among TMMs; least-connections and passive failure accounting see
 *   only the worker's own sessions, like BIG-IP's per-TMM connection tables.
 */
import * as os from 'node:os';
import type { Logger } from 'pino';
import type { ListenerDeps } from './contracts';
import type { DesiredState, DesiredStateSource, StatusSink, VirtualSpec } from './desired-state';
import { VirtualListener } from './listener/virtual-listener';
import type { ListenerOptions } from './listener/virtual-listener';
import { RateWindows } from './listener/rate-windows';
import { ConnectionRouter } from './listener/connection-router';
import { MonitorScheduler } from './monitor/monitor-scheduler';
import { PoolSet, checkTargetsOf } from './pool/pool-set';
import { diff } from './reconcile/diff';
import { ListenerSet } from './reconcile/apply';
import type { ListenerFactory } from './reconcile/apply';
import type { BackoffPolicy } from './reconcile/backoff';
import { Reconciler } from './reconcile/reconciler';
import { AvailabilityLog } from './availability-log';
import { buildStatus } from './status-reporter';
import type { DataPlaneStatus } from './status-reporter';
import { applyPersistFlushes } from './persist/apply-flushes';
import { PersistTable } from './persist/persist-table';
import { LocalPersistence } from './persist/persistence';

export interface DataPlaneOptions {
  source: DesiredStateSource;
  sink: StatusSink;
  logger: Logger;
  /** How often the configuration generation is polled (default 50 ms: changes noticed within 100 ms). */
  pollIntervalMs?: number;
  /** How often status and statistics go to the sink (default 1000 ms). */
  statusIntervalMs?: number;
  /** How long a disabled or deleted virtual (or `stop()`) lets sessions finish before 421 (default 30 s). */
  drainTimeoutMs?: number;
  /** Backend connect/greeting timeouts handed to the listeners. */
  timeouts?: Omit<NonNullable<ListenerDeps['timeouts']>, 'drain'>;
  /** Name the proxy gives itself in its own replies (`421 4.3.2 <hostname> ...`); default: the host name. */
  hostname?: string;
  /** Session limits beyond the contract (line lengths, error budget, smuggling guard, timers). */
  session?: ListenerOptions['session'];
  /**
   * TLS session ticket keys (48 bytes). The daemon makes them and rotates them (setTicketKeys) so
   * that every worker encrypts and accepts the same tickets; without them no tickets are issued.
   */
  ticketKeys?: Buffer;
  /** Concurrent connections per client address per virtual (0 or absent = unlimited). */
  sourceConnectionLimit?: number;
  /** Makes listeners; the real VirtualListener unless a test passes a fake. */
  createListener?: ListenerFactory;
  /** Retry timing for virtuals whose port is in use. */
  backoff?: BackoffPolicy;
}

// The deps handed to every listener are ListenerOptions (hostname, session knobs included).
const defaultFactory: ListenerFactory = (spec, deps) => new VirtualListener(spec, deps as ListenerOptions);

export class DataPlane {
  private readonly logger: Logger;
  private readonly pools: PoolSet;
  private readonly monitors: MonitorScheduler;
  private readonly listeners: ListenerSet;
  private readonly reconciler: Reconciler;
  private statusTimer?: NodeJS.Timeout;
  private readonly availability: AvailabilityLog;
  private started = false;
  private readonly listenerDeps: ListenerOptions;
  private readonly persistTable = new PersistTable();
  private stopping?: Promise<void>;
  private readonly router: ConnectionRouter;
  /** The virtuals of the snapshot being applied (the reconciler's `desired` is the last one applied). */
  private applying = new Map<string, VirtualSpec>();

  constructor(private readonly options: DataPlaneOptions) {
    // The caller's logger names the program part (`component: daemon`); each part of the data
    // plane adds one `subsystem` key, so no JSON line carries a key twice.
    const base = options.logger;
    this.logger = base.child({ subsystem: 'dataplane' });
    this.availability = new AvailabilityLog(this.logger);
    this.monitors = new MonitorScheduler({
      logger: base.child({ subsystem: 'monitor' }),
      onChange: () => this.pools.refreshHealth(),
    });
    this.pools = new PoolSet(base.child({ subsystem: 'pool' }), (monitor, address, port) => this.monitors.get(monitor, address, port));
    const drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
    // One socket per port (and address, or the wildcard); the matcher picks each connection's virtual.
    this.router = new ConnectionRouter({
      logger: base.child({ subsystem: 'listener' }),
      deliver: (virtual, socket) => {
        const listener = this.listeners.listener(virtual) as VirtualListener | undefined;
        if (!listener?.adopt) return false;
        listener.adopt(socket);
        return true;
      },
    });
    this.listenerDeps = {
      ports: this.router.sockets,
      selector: this.pools,
      persistence: new LocalPersistence(this.persistTable),
      logger: base.child({ subsystem: 'listener' }),
      timeouts: { ...options.timeouts, drain: drainTimeoutMs },
      ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
      ...(options.session !== undefined ? { session: options.session } : {}),
      ...(options.ticketKeys !== undefined ? { ticketKeys: options.ticketKeys } : {}),
      // One rate table for the daemon: rate-limit-mode keys without `object` span virtuals.
      admission: { rates: new RateWindows(), addressCounts: new Map(), sourceConnectionLimit: options.sourceConnectionLimit ?? 0 },
    };
    this.listeners = new ListenerSet({
      createListener: options.createListener ?? defaultFactory,
      // Shared, not copied: listeners made after a key rotation read the new keys.
      deps: this.listenerDeps,
      logger: base.child({ subsystem: 'listener' }),
      drainTimeoutMs,
      backoff: options.backoff,
      onServingChange: (name) => this.refreshEntry(name),
    });
    this.reconciler = new Reconciler({
      source: options.source,
      logger: base.child({ subsystem: 'reconciler' }),
      pollIntervalMs: options.pollIntervalMs ?? 50,
      reconcile: (desired) => this.reconcile(desired),
      retryDueAt: () => this.listeners.nextRetryAt(),
    });
  }

  /** Applies the current configuration, then follows its changes and reports status. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.monitors.start();
    await this.reconciler.start();
    if (this.stopping) return;
    this.statusTimer = setInterval(() => this.writeStatus(), this.options.statusIntervalMs ?? 1000);
    this.statusTimer.unref();
    this.writeStatus();
  }

  /** For SIGTERM: stop following the configuration, stop accepting, drain, write a last report. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** Rotated ticket keys for running listeners and those made later. */
  setTicketKeys(keys: Buffer): void {
    if (keys.length !== 48) throw new Error('TLS ticket keys must be 48 bytes.');
    this.listenerDeps.ticketKeys = keys;
    for (const l of this.listeners.runningListeners()) l.setTicketKeys?.(keys);
  }

  /** The current status and cumulative statistics. */
  status(): DataPlaneStatus {
    const desired = this.reconciler.desired;
    const report = buildStatus(desired?.generation ?? -1, desired?.virtuals ?? [], this.listeners, this.pools, Date.now());
    return { ...report, cmp: { workers: 0, cpus: os.availableParallelism() }, persistence: this.persistTable.report(), unmatched: this.router.unmatchedByPort() };
  }

  private async shutdown(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = undefined;
    await this.reconciler.stop();
    this.logger.info('data plane stopping: draining listeners');
    await Promise.all([this.listeners.drainAll('daemon stopping'), this.monitors.stop()]);
    // The records die with the process: the last report must not list them as live.
    this.persistTable.clear();
    await this.router.sockets.closeAll();
    this.writeStatus();
    this.logger.info('data plane stopped');
  }

  /** One reconcile run: monitors, then pools, then listeners, so new virtuals find their pool ready. */
  private async reconcile(desired: DesiredState): Promise<void> {
    this.monitors.configure(desired.monitors, checkTargetsOf(desired.pools));
    this.pools.configure(desired.pools);
    applyPersistFlushes(this.persistTable, desired, this.logger);
    const actions = diff(desired, this.listeners.actual(), Date.now());
    if (actions.length > 0) this.logger.debug({ generation: desired.generation, actions: actions.map((a) => `${a.kind} ${'spec' in a ? a.spec.name : a.name}`) }, 'reconcile');
    const before = this.applying;
    this.applying = new Map(desired.virtuals.map((v) => [v.name, v]));
    await this.listeners.apply(actions);
    // Disabled virtuals (no action of their own), deleted ones, forgotten failures.
    for (const name of new Set([...before.keys(), ...this.applying.keys()])) this.refreshEntry(name);
    this.listeners.forgetStats(new Set(desired.virtuals.map((v) => v.name)));
  }

  /** One virtual's match entry (connection-router.ts), in the same turn as its listener starts, stops or fails. */
  private refreshEntry(name: string): void {
    this.router.update(name, { running: this.listeners.listener(name)?.spec, desired: this.applying.get(name), failed: !!this.listeners.failure(name) });
  }

  /** Runs on a timer: a fault is logged and the next tick tries again; it never stops the plane. */
  private writeStatus(): void {
    let report: DataPlaneStatus;
    try {
      report = this.status();
      this.availability.observe(report);
    } catch (err) {
      this.logger.error({ err }, 'cannot build the status report');
      return;
    }
    try {
      this.options.sink.write(report);
    } catch (err) {
      this.logger.error({ err }, 'cannot write status');
    }
  }
}
