/**
 * `openltm daemon`: the data plane on a store. With workers (the default: one per CPU), this
 * process is the primary: it reads the desired state through storeSource, runs the monitors,
 * holds the listening sockets, hands connections to worker processes (worker-main.ts) and writes
 * status back. With `workers: 0` everything runs in this one process (tests, debugging).
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
import type { Logger } from 'pino';
import { mkdirSync } from 'node:fs';
import { isEtcdUrl, type Store } from '@openltm/store';
import { etcdCacheFile, openStoreAt } from '../open-store';
import { DataPlane, InheritedSockets, PrimaryPlane, type DeadlineConfig, type InheritedSocket, type StatusSink } from '@openltm/dataplane';
import { storeSource } from './store-desired-state';
import { TicketKeyRotation } from './ticket-keys';
import { acquireStoreLock } from './store-lock';
import { TAKEOVER_ENV } from './takeover';
import type { WorkerSettings } from './worker-main';

export interface DaemonOptions {
  storePath: string;
  logger: Logger;
  /** How long disabled/deleted virtuals (and shutdown) let sessions finish; default 30 s. */
  drainTimeoutMs?: number;
  /** How often TLS session ticket keys are replaced; default one hour. */
  ticketKeyRotationMs?: number;
  /** Concurrent connections per client address per virtual (0 = unlimited). */
  sourceConnectionLimit?: number;
  /** Session progress deadlines (first command, command line, DATA rate, end of DATA, age). */
  deadlines?: Partial<DeadlineConfig>;
  /** Worker processes; 0 runs everything in this process. */
  workers: number;
  /** Log settings the workers use (they log to the same place as the primary). */
  log?: { level?: string; file?: string };
  /** Listening sockets inherited from the daemon this one replaces. */
  inherited?: InheritedSockets;
  /** On etcd: where the copy of the configuration to start from without etcd is kept. */
  etcdCacheFile?: string;
}

export interface RunningDaemon {
  store: Store;
  /** The data plane: one process, or the primary of several. */
  plane: DataPlane | PrimaryPlane;
  /** The listening sockets, for a new daemon to inherit (multi-process mode only). */
  listeningSockets(): InheritedSocket[];
  /** Drains and stops; idempotent. */
  stop(): Promise<void>;
}

const WORKER_MAIN = path.join(__dirname, 'worker-main.js');

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  // One daemon per store; a daemon started by SIGUSR2 takes the lock over from the one it replaces.
  const takeoverFrom = Number(process.env[TAKEOVER_ENV]) || undefined;
  const logger = options.logger;
  // On etcd every host runs its own daemon: the lock is per host, on the cached copy's file.
  const etcd = isEtcdUrl(options.storePath);
  const cacheFile = etcd ? (options.etcdCacheFile ?? etcdCacheFile(options.storePath)) : undefined;
  if (cacheFile) mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
  const lock = acquireStoreLock(cacheFile ?? options.storePath, takeoverFrom);
  let store: Store;
  try {
    store = openStoreAt(options.storePath, {
      follow: true,
      ...(cacheFile ? { cacheFile } : {}),
      onLink: (up, detail) => {
        if (up) logger.info({ store: options.storePath }, `etcd ${detail}`);
        else logger.warn({ store: options.storePath }, `etcd ${detail}`);
      },
    });
  } catch (err) {
    lock.release();
    throw err;
  }
  // Records an earlier openltm kept as they came: promoted when the store opened, or kept and why.
  for (const p of store.promotion.promoted) logger.info({ object: p }, 'kept as it came by an earlier openltm: now first-class');
  for (const k of store.promotion.kept) {
    logger.warn({ object: `${k.type} ${k.path}`, reason: k.reason }, 'kept as it came by an earlier openltm and stored only (not acted on): it does not validate with this version');
  }
  for (const k of store.promotion.partial) {
    logger.warn({ object: `${k.type} ${k.path}`, reason: k.reason }, 'settings an earlier openltm kept as they came stay stored only (not acted on): they do not validate with this version');
  }
  const tickets = new TicketKeyRotation(options.ticketKeyRotationMs);
  const sink: StatusSink = {
    write: (report) => {
      // Never waits for the lock: a busy store (a long `load`) skips one report, the next carries the same counters.
      if (!store.writeStatus(report, { busyTimeoutMs: 0 })) logger.debug({}, 'store busy: status report skipped');
    },
  };
  const common = {
    source: storeSource(store, logger),
    sink,
    ticketKeys: tickets.current,
    logger,
    ...(options.drainTimeoutMs !== undefined ? { drainTimeoutMs: options.drainTimeoutMs } : {}),
    ...(options.sourceConnectionLimit !== undefined ? { sourceConnectionLimit: options.sourceConnectionLimit } : {}),
    ...(options.deadlines !== undefined ? { session: { deadlines: options.deadlines } } : {}),
  };
  const plane =
    options.workers > 0
      ? new PrimaryPlane({
          ...common,
          workers: options.workers,
          inherited: options.inherited,
          forkWorker: (index) => {
            const settings: WorkerSettings = {
              index,
              drainTimeoutMs: options.drainTimeoutMs ?? 30_000,
              log: options.log ?? {},
              closeFds: [...(options.inherited?.fds ?? [])],
              ...(options.deadlines !== undefined ? { deadlines: options.deadlines } : {}),
            };
            return fork(WORKER_MAIN, [JSON.stringify(settings)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          },
        })
      : new DataPlane(common);
  try {
    await plane.start();
  } catch (err) {
    await plane.stop().catch(() => undefined);
    store.close();
    lock.release();
    throw err;
  }
  tickets.start((keys) => {
    plane.setTicketKeys(keys);
    logger.info('TLS session ticket keys rotated');
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    tickets.stop();
    return (stopping ??= plane.stop().finally(() => {
      store.close();
      lock.release();
    }));
  };
  const listeningSockets = (): InheritedSocket[] => (plane instanceof PrimaryPlane ? plane.listeningSockets() : []);
  return { store, plane, listeningSockets, stop };
}

/**
 * Stops the daemon on SIGTERM or SIGINT (a second signal exits at once). Resolves with the exit
 * code: 0, or 1 when stopping failed (logged), so a failed drain never leaves the process hanging.
 */
export function stopOnSignals(daemon: RunningDaemon, logger: Logger, extra: () => Promise<void> = async () => {}): Promise<number> {
  return new Promise((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (signalled) process.exit(130);
      signalled = true;
      logger.info({ signal }, 'stopping: no new connections, draining sessions');
      stopAll(daemon, logger, extra).then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** Stops the daemon and whatever runs beside it; never rejects. */
export async function stopAll(daemon: RunningDaemon, logger: Logger, extra: () => Promise<void> = async () => {}): Promise<number> {
  const results = await Promise.allSettled([daemon.stop(), extra()]);
  let code = 0;
  for (const r of results) {
    if (r.status === 'rejected') {
      logger.error({ err: r.reason }, 'stopping failed');
      code = 1;
    }
  }
  return code;
}
