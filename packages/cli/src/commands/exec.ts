import { Args } from '@oclif/core';
import { OpenltmCommand } from '../base-command';
import type { ExecResult } from '../exec-result';

/** `openltm exec "<tmsh line>"`: one command (or several separated by ;), optionally as JSON. */
export default class Exec extends OpenltmCommand {
  static override summary = 'Run tmsh commands once';
  static override description =
    'Runs the given tmsh line (several commands may be separated by ;). Exit status 0 on success; on failure ' +
    'the BIG-IP style message goes to stderr. With --json, a JSON object on stdout: {ok, output, error}.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> "list ltm pool p1"',
    '<%= config.bin %> <%= command.id %> --json "show ltm virtual vs1"',
  ];
  static override enableJsonFlag = true;
  static override strict = false;
  static override args = {
    line: Args.string({ description: 'tmsh command line, e.g. "list ltm pool p1" (words are joined)', required: true }),
  };

  async run(): Promise<ExecResult | void> {
    const { flags, argv } = await this.parse(Exec);
    const { joinArgs } = await import('../command-line');
    const { openExecutor, withExecutor } = await import('../open-executor');
    const text = joinArgs(argv as string[]);
    const log = this.logger(flags);
    if (this.jsonEnabled()) {
      const { execForJson } = await import('../exec-result');
      const result = await execForJson(() => openExecutor({ store: flags.store, log }), text);
      if (!result.ok) process.exitCode = 1;
      return result;
    }
    const { runOneShot } = await import('../one-shot');
    const { processOutput } = await import('../output');
    const code = await withExecutor({ store: flags.store, log }, processOutput, (executor) =>
      runOneShot(executor, text, processOutput, (err) => log.error({ err }, 'command failed unexpectedly')),
    );
    this.finishWith(code);
  }
}
