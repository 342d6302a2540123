import { Flags } from '@oclif/core';
import { OpenltmCommand } from '../base-command';

/** `openltm load -f FILE`: a tmsh script applied atomically (all or nothing). */
export default class Load extends OpenltmCommand {
  static override summary = 'Apply a tmsh script atomically';
  static override description =
    'Parses the whole file first; any syntax error is reported with its line and column and nothing changes. ' +
    'Then every command runs in one transaction: if one fails, the store is left exactly as it was. ' +
    'With --dry-run the file is validated against the store and nothing is kept.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> -f pools.tmsh',
    '<%= config.bin %> <%= command.id %> -f pools.tmsh --dry-run',
  ];
  static override flags = {
    file: Flags.string({ char: 'f', description: 'tmsh script to apply (- for stdin)', required: true, helpValue: 'FILE' }),
    'dry-run': Flags.boolean({ description: 'Validate and report without changing anything' }),
    quiet: Flags.boolean({ char: 'q', description: 'Quiet: no summary and no progress bar' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Load);
    const { withExecutor } = await import('../open-executor');
    const { loadScriptFile } = await import('../batch');
    const { processOutput } = await import('../output');
    const code = await withExecutor({ store: flags.store, log: this.logger(flags) }, processOutput, (executor) =>
      loadScriptFile(executor, flags.file, {
        dryRun: flags['dry-run'],
        quiet: flags.quiet,
        output: processOutput,
        progressStream: process.stderr,
      }),
    );
    this.finishWith(code);
  }
}
