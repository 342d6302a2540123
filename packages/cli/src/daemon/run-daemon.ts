/**
 * `openltm daemon`: the data plane on a store. Reads the desired state through storeSource,
 * writes status back about once a second, and on SIGTERM/SIGINT stops accepting, drains, exits.
 */
import type { Logger } from 'pino';
import { openStore, type Store } from '@openltm/store';
import { DataPlane, type DeadlineConfig } from '@openltm/dataplane';
import { storeSource } from './store-desired-state';
import { TicketKeyRotation } from './ticket-keys';
import { acquireStoreLock } from './store-lock';

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
}

export interface RunningDaemon {
  store: Store;
  dataPlane: DataPlane;
  /** Drains and stops; idempotent. */
  stop(): Promise<void>;
}

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const lock = acquireStoreLock(options.storePath); // one daemon per store
  let store: Store;
  try {
    store = openStore(options.storePath);
  } catch (err) {
    lock.release();
    throw err;
  }
  const logger = options.logger;
  const tickets = new TicketKeyRotation(options.ticketKeyRotationMs);
  const dataPlane = new DataPlane({
    ticketKeys: tickets.current,
    source: storeSource(store),
    sink: {
      write: (report) => {
        // A busy store (a long `load`) skips one report; the next one carries the same counters.
        if (!store.writeStatus(report)) logger.debug({}, 'store busy: status report skipped');
      },
    },
    logger,
    ...(options.drainTimeoutMs !== undefined ? { drainTimeoutMs: options.drainTimeoutMs } : {}),
    ...(options.sourceConnectionLimit !== undefined ? { sourceConnectionLimit: options.sourceConnectionLimit } : {}),
    ...(options.deadlines !== undefined ? { session: { deadlines: options.deadlines } } : {}),
  });
  try {
    await dataPlane.start();
  } catch (err) {
    store.close();
    lock.release();
    throw err;
  }
  tickets.start((keys) => {
    dataPlane.setTicketKeys(keys);
    logger.info('TLS session ticket keys rotated');
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    tickets.stop();
    return (stopping ??= dataPlane.stop().finally(() => {
      store.close();
      lock.release();
    }));
  };
  return { store, dataPlane, stop };
}

/** Stops the daemon on SIGTERM or SIGINT (a second signal exits at once). */
export function stopOnSignals(daemon: RunningDaemon, logger: Logger, extra: () => Promise<void> = async () => {}): Promise<void> {
  return new Promise((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (signalled) process.exit(130);
      signalled = true;
      logger.info({ signal }, 'stopping: no new connections, draining sessions');
      void Promise.all([daemon.stop(), extra()]).then(() => resolve());
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
