import * as os from 'node:os';
import { Flags } from '@oclif/core';
import { OpenltmCommand } from '../base-command';

/** `openltm daemon`: run the data plane on the store until SIGTERM. */
export default class Daemon extends OpenltmCommand {
  static override summary = 'Run the data plane: live SMTP listeners for every enabled virtual server';
  static override description =
    'Reads the store, opens a listener for every enabled virtual server, follows configuration changes within ' +
    '100 ms, and writes status and statistics back for `show`. A primary process holds the listening sockets, ' +
    'runs the health monitors and writes status; worker processes (one per CPU by default) run the sessions, ' +
    'and one that dies is replaced. SIGTERM stops accepting, drains sessions, exits. SIGUSR2 restarts without ' +
    'refusing a connection: a new daemon inherits the listening sockets, then this one drains and exits.';
  static override flags = {
    'drain-timeout': Flags.integer({ description: 'Seconds sessions of a disabled or deleted virtual may finish', default: 30 }),
    'ticket-key-rotation': Flags.integer({ description: 'Seconds between TLS session ticket key rotations', default: 3600, min: 1 }),
    'source-connection-limit': Flags.integer({
      description: 'Concurrent connections one client address may hold on one virtual (0 = unlimited)',
      default: 50,
      min: 0,
    }),
    'first-command-timeout': Flags.integer({ description: 'Seconds a new client has to send its first complete command (0 = off)', default: 60, min: 0 }),
    'command-timeout': Flags.integer({ description: 'Seconds a client has to complete each command line, trickled bytes notwithstanding (0 = off)', default: 300, min: 0 }),
    'min-data-rate': Flags.integer({ description: 'Bytes per second of DATA content that earn more time (0 = off)', default: 500, min: 0 }),
    'data-end-timeout': Flags.integer({ description: "Seconds to wait for the member's reply to the end of DATA (RFC 5321: 600)", default: 600, min: 0 }),
    'max-session-age': Flags.integer({ description: 'Seconds after which a session is closed at its next command boundary (0 = off)', default: 3600, min: 0 }),
    workers: Flags.integer({
      description: 'Worker processes running sessions (default: one per CPU, or OPENLTM_WORKERS); 0 runs everything in one process',
      min: 0,
      max: 256,
    }),
    'pid-file': Flags.string({ description: 'Write the daemon\'s pid here (a restart rewrites it with the new pid)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Daemon);
    const { resolveStorePath } = await import('../store-path');
    const { startDaemon, stopOnSignals, stopAll } = await import('../daemon/run-daemon');
    const { installProcessPolicy } = await import('../daemon/process-policy');
    const { startReplacement, announceTakeover } = await import('../daemon/takeover');
    const { InheritedSockets } = await import('@openltm/dataplane');
    const { writeFileSync, readFileSync, rmSync } = await import('node:fs');
    const level = flags['log-level'] ?? process.env.OPENLTM_LOG_LEVEL ?? 'info';
    const file = flags['log-file'] ?? process.env.OPENLTM_LOG_FILE;
    const log = this.logger({ 'log-level': level, 'log-file': file });
    const logger = log.pino.child({ component: 'daemon' });
    const storePath = resolveStorePath(flags.store);
    const workers = flags.workers ?? workersFromEnv() ?? os.availableParallelism();
    const inherited = InheritedSockets.fromEnv();
    const inheritedCount = inherited.size;
    const daemon = await startDaemon({
      storePath,
      logger,
      workers,
      inherited,
      drainTimeoutMs: flags['drain-timeout'] * 1000,
      ticketKeyRotationMs: flags['ticket-key-rotation'] * 1000,
      sourceConnectionLimit: flags['source-connection-limit'],
      deadlines: {
        firstCommandMs: flags['first-command-timeout'] * 1000,
        commandMs: flags['command-timeout'] * 1000,
        minDataRate: flags['min-data-rate'],
        dataEndMs: flags['data-end-timeout'] * 1000,
        maxAgeMs: flags['max-session-age'] * 1000,
      },
      log: { level, ...(file ? { file } : {}) },
    });
    const pidFile = flags['pid-file'];
    if (pidFile) writeFileSync(pidFile, `${process.pid}\n`);
    let exiting = false;
    const exit = (code: number): never => {
      // Another daemon may own the pid file now (after a restart): leave its pid alone.
      if (pidFile && safeRead(readFileSync, pidFile) === String(process.pid)) rmSync(pidFile, { force: true });
      process.exit(code);
    };
    installProcessPolicy(logger, workers > 0 ? 'primary' : 'daemon', () => {
      exiting = true;
      const deadline = setTimeout(() => exit(1), 5000);
      deadline.unref();
      void stopAll(daemon, logger).finally(() => exit(1));
    });
    process.on('SIGUSR2', () => {
      if (exiting) return;
      if (workers === 0) {
        logger.warn('SIGUSR2: a seamless restart needs workers (--workers 1 or more); ignored');
        return;
      }
      void startReplacement(daemon, logger).then((replaced) => {
        if (!replaced) return;
        exiting = true;
        void stopAll(daemon, logger).then(exit);
      });
    });
    logger.info({ store: storePath, workers, cpus: os.availableParallelism(), inherited: inheritedCount }, 'openltm daemon running');
    announceTakeover(logger);
    exit(await stopOnSignals(daemon, logger));
  }
}

function workersFromEnv(): number | undefined {
  const raw = process.env.OPENLTM_WORKERS;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 256) throw new Error(`OPENLTM_WORKERS must be an integer from 0 to 256, not "${raw}"`);
  return n;
}

function safeRead(read: (p: string, e: 'utf8') => string, file: string): string | undefined {
  try {
    return read(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}
