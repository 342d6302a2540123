import { Flags } from '@oclif/core';
import { OpenltmCommand } from '../base-command';

/** `openltm daemon`: run the data plane on the store until SIGTERM. */
export default class Daemon extends OpenltmCommand {
  static override summary = 'Run the data plane: live SMTP listeners for every enabled virtual server';
  static override description =
    'Reads the store, opens a listener for every enabled virtual server, follows configuration changes within ' +
    '100 ms, and writes status and statistics back for `show`. SIGTERM stops accepting, drains sessions, exits.';
  static override flags = {
    'drain-timeout': Flags.integer({ description: 'Seconds sessions of a disabled or deleted virtual may finish', default: 30 }),
    'ticket-key-rotation': Flags.integer({ description: 'Seconds between TLS session ticket key rotations', default: 3600, min: 1 }),
    'source-connection-limit': Flags.integer({
      description: 'Concurrent connections one client address may hold on one virtual (0 = unlimited)',
      default: 50,
      min: 0,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Daemon);
    const { resolveStorePath } = await import('../store-path');
    const { startDaemon, stopOnSignals } = await import('../daemon/run-daemon');
    const log = this.logger({ 'log-level': flags['log-level'] ?? 'info', 'log-file': flags['log-file'] });
    const logger = log.pino.child({ component: 'daemon' });
    const storePath = resolveStorePath(flags.store);
    const daemon = await startDaemon({
      storePath, logger, drainTimeoutMs: flags['drain-timeout'] * 1000, ticketKeyRotationMs: flags['ticket-key-rotation'] * 1000,
      sourceConnectionLimit: flags['source-connection-limit'],
    });
    logger.info({ store: storePath }, 'openltm daemon running');
    await stopOnSignals(daemon, logger);
  }
}
