/**
 * Entry point of a data-plane worker process, forked by the daemon's primary. It runs the
 * sessions of the connections the primary hands it; it never opens the store.
 */
import { closeSync } from 'node:fs';
import { WorkerPlane, type DeadlineConfig, type WorkerChannel } from '@openltm/dataplane';
import { createLogger } from '../logger';
import { installProcessPolicy } from './process-policy';

export interface WorkerSettings {
  index: number;
  drainTimeoutMs: number;
  log: { level?: string; file?: string };
  /**
   * Listening sockets the primary inherited from the daemon it replaced: passed as plain
   * descriptors, they are not close-on-exec, so every forked worker gets a copy. A worker must
   * not hold them, or a killed primary's port would stay bound (accepting into a queue nobody
   * reads) by its orphaned workers.
   */
  closeFds?: number[];
  /** Session progress deadlines, as the daemon's flags set them. */
  deadlines?: Partial<DeadlineConfig>;
}

function main(): void {
  if (!process.send) throw new Error('worker-main runs only as a forked worker (no IPC channel)');
  const settings = JSON.parse(process.argv[2] ?? '{}') as WorkerSettings;
  for (const fd of settings.closeFds ?? []) {
    try {
      closeSync(fd);
    } catch {
      // Not open here: nothing to release.
    }
  }
  const logger = createLogger({ level: settings.log.level, file: settings.log.file, pretty: false }).child({ component: 'worker', worker: settings.index });
  // A fault in a worker ends only this worker: the primary replaces it, other workers' sessions go on.
  installProcessPolicy(logger, 'worker', () => process.exit(1));
  const plane = new WorkerPlane(process as unknown as WorkerChannel, {
    logger,
    timeouts: { drain: settings.drainTimeoutMs },
    ...(settings.deadlines !== undefined ? { session: { deadlines: settings.deadlines } } : {}),
  });
  // Node tracks sockets received over IPC per listening socket they came from, with one
  // 'internalMessage' listener on `process` per listening address:port that ever sent one here:
  // bounded by the virtuals, but past 10 Node would warn of a leak that is none.
  process.setMaxListeners(0);
  // The primary's SIGINT (Ctrl-C reaches the whole process group) is not for us: the primary says stop.
  process.on('SIGINT', () => undefined);
  plane.start();
}

main();
