import { Flags } from '@oclif/core';
import { OpenltmCommand } from './base-command';

/**
 * `tmsh`: with no arguments the interactive shell; with a command (`tmsh list ltm pool`, the
 * arguments joined into one line as on BIG-IP) or `-c "cmd; cmd"` it runs once and exits 0 on
 * success, non-zero with the BIG-IP message on stderr on failure. A single-command oclif CLI: the
 * tmsh grammar, not oclif, owns everything after the flags.
 */
export default class Tmsh extends OpenltmCommand {
  static override id = 'tmsh';
  static override summary = 'BIG-IP style traffic management shell for openltm';
  static override description =
    'With no arguments, opens the interactive shell (Tab completes, ? lists what may come next, help shows the schema).\n' +
    'With a command, runs it once: tmsh create ltm pool p1 members add { 127.0.0.1:2526 }';
  static override usage = ['tmsh', 'tmsh [-q] -c "<command>[; <command>...]"', 'tmsh [-q] <command words...>'];
  static override examples = [
    'tmsh',
    'tmsh -c "create ltm pool p1 members add { 127.0.0.1:2526 }; list ltm pool p1"',
    'tmsh list ltm pool p1',
    'tmsh --store /var/lib/openltm/config.db show ltm virtual',
  ];
  static override strict = false;
  static override flags = {
    command: Flags.string({ char: 'c', description: 'Run these commands (separated by ;) and exit', helpValue: '"cmd; cmd"' }),
    quiet: Flags.boolean({
      char: 'q',
      description: 'Quiet: never ask "Display all N items? (y/n)" (openltm does not page; accepted for BIG-IP scripts)',
    }),
    help: Flags.boolean({ char: 'h', description: 'Show this help' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Tmsh);
    if (flags.help) {
      const { tmshHelpText } = await import('./usage');
      process.stdout.write(tmshHelpText(Tmsh));
      return;
    }
    const { runTmshInvocation } = await import('./tmsh-invocation');
    const code = await runTmshInvocation({
      command: flags.command,
      words: argv as string[],
      quiet: flags.quiet,
      store: flags.store,
      logLevel: flags['log-level'],
      logFile: flags['log-file'],
    });
    this.finishWith(code);
  }
}
