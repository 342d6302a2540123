import { OpenltmCommand } from '../base-command';

/** `openltm shell`: the interactive tmsh shell (what `tmsh` with no arguments opens). */
export default class Shell extends OpenltmCommand {
  static override summary = 'Open the interactive tmsh shell';
  static override description =
    'Tab completes verbs, types, object names, properties and values; ? lists what may come next; ' +
    'help shows the schema; braces may span lines; Ctrl-C abandons the line, Ctrl-D or quit leaves.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --store ./lab.db'];
  async run(): Promise<void> {
    const { flags } = await this.parse(Shell);
    const { withExecutor } = await import('../open-executor');
    const { runShell } = await import('../interactive');
    const { processOutput } = await import('../output');
    const log = this.logger(flags);
    this.finishWith(await withExecutor({ store: flags.store, log }, processOutput, (executor) => runShell(executor, log)));
  }
}
