import { Flags } from '@oclif/core';
import { OpenltmCommand } from '../base-command';

/**
 * `openltm start` (what `npm start` runs): the daemon plus the demo mail sink, with the quickstart
 * configuration applied when the store has no virtual server yet.
 */
export default class Start extends OpenltmCommand {
  static override summary = 'Quickstart: the daemon, the demo mail sink on 127.0.0.1:2526, and the quickstart virtual';
  static override flags = {
    'no-demo-sink': Flags.boolean({ description: 'Do not run the demo mail sink', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Start);
    const { resolveStorePath } = await import('../store-path');
    const { startDaemon, stopOnSignals } = await import('../daemon/run-daemon');
    const { applyQuickstart, quickstartHelp } = await import('../daemon/quickstart');
    const log = this.logger({ 'log-level': flags['log-level'] ?? 'info', 'log-file': flags['log-file'] });
    const logger = log.pino.child({ component: 'daemon' });
    const storePath = resolveStorePath(flags.store);

    const applied = applyQuickstart(storePath);
    let sink: { close(): Promise<void> } | undefined;
    if (!flags['no-demo-sink']) {
      // bin/demo-sink.js is plain Node beside the entry points (dist/commands -> repo root).
      const { startDemoSink } = require('../../../../bin/demo-sink.js') as {
        startDemoSink(o: { log(line: string): void }): Promise<{ close(): Promise<void> }>;
      };
      sink = await startDemoSink({ log: (line: string) => process.stdout.write(`${line}\n`) });
    }
    // The demo runs in one process (`openltm daemon` runs a primary and one worker per CPU).
    const daemon = await startDaemon({ storePath, logger, drainTimeoutMs: 5000, workers: 0 });
    process.stdout.write(quickstartHelp(storePath, applied));
    process.exitCode = await stopOnSignals(daemon, logger, async () => sink?.close());
  }
}
