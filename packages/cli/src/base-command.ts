import { Command, Flags } from '@oclif/core';
import { RootLogger } from './logger';

/** Flags every command shares: which store, and where logs go. */
export const commonFlags = {
  store: Flags.string({
    description: 'Configuration store (SQLite file); default $OPENLTM_STORE or ~/.openltm/config.db, created on first use',
    helpValue: 'PATH',
  }),
  'log-level': Flags.string({
    description: 'Log level (fatal, error, warn, info, debug, trace, silent); default $OPENLTM_LOG_LEVEL or warn',
    helpGroup: 'LOGGING',
  }),
  'log-file': Flags.string({
    description: 'Write logs as JSON lines to this file instead of stderr; default $OPENLTM_LOG_FILE',
    helpGroup: 'LOGGING',
    helpValue: 'PATH',
  }),
};

/**
 * Base of the openltm commands: the shared flags and the root logger. Commands stay thin; the
 * shell, the one-shot runner and the batch loader do the work.
 */
export abstract class OpenltmCommand extends Command {
  static override baseFlags = commonFlags;

  private rootLogger?: RootLogger;

  /** The root logger (to stderr or --log-file, never stdout); pino loads only if a line is written. */
  protected logger(flags: { 'log-level'?: string; 'log-file'?: string }): RootLogger {
    this.rootLogger ??= new RootLogger({ level: flags['log-level'], file: flags['log-file'] });
    return this.rootLogger;
  }

  /**
   * Bad input (a ConfigError, e.g. a store path that cannot be used) is one BIG-IP-style line on
   * stderr and status 1, as from tmsh; anything else is oclif's to report.
   */
  override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    const { ConfigError } = await import('@openltm/model');
    if (!ConfigError.is(err)) return super.catch(err);
    const { describeError } = await import('./error-report');
    process.stderr.write(describeError(err));
    return this.exit(1);
  }

  /** Ends the command with this exit status without oclif printing anything more. */
  protected finishWith(code: number): void {
    if (code !== 0) this.exit(code);
  }
}
