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
    'first-command-timeout': Flags.integer({ description: 'Seconds a new client has to send its first complete command (0 = off)', default: 60, min: 0 }),
    'command-timeout': Flags.integer({ description: 'Seconds a client has to complete each command line, trickled bytes notwithstanding (0 = off)', default: 300, min: 0 }),
    'min-data-rate': Flags.integer({ description: 'Bytes per second of DATA content that earn more time (0 = off)', default: 500, min: 0 }),
    'data-end-timeout': Flags.integer({ description: "Seconds to wait for the member's reply to the end of DATA (RFC 5321: 600)", default: 600, min: 0 }),
    'max-session-age': Flags.integer({ description: 'Seconds after which a session is closed at its next command boundary (0 = off)', default: 3600, min: 0 }),
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
      deadlines: {
        firstCommandMs: flags['first-command-timeout'] * 1000,
        commandMs: flags['command-timeout'] * 1000,
        minDataRate: flags['min-data-rate'],
        dataEndMs: flags['data-end-timeout'] * 1000,
        maxAgeMs: flags['max-session-age'] * 1000,
      },
    });
    logger.info({ store: storePath }, 'openltm daemon running');
    await stopOnSignals(daemon, logger);
  }
}
