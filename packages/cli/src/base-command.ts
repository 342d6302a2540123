import { Command, Flags } from '@oclif/core';
import { RootLogger } from './logger';

/** Flags every command shares: which store, and where logs go. */
export const commonFlags = {
  store: Flags.string({
    description: 'Configuration store: a SQLite file, or an etcd cluster etcd://h1:2379,h2:2379[/prefix] (etcds:// for TLS); default $OPENLTM_STORE or ~/.openltm/config.db, created on first use',
    helpValue: 'PATH|URL',
  }),
  // How to reach etcd; each sets the environment variable named (see open-store.ts). The
  // password is read from $OPENLTM_ETCD_PASSWORD or $OPENLTM_ETCD_PASSWORD_FILE only, never a flag (ps shows flags).
  'etcd-ca': Flags.string({ description: 'CA certificate (PEM file) of the etcd members; $OPENLTM_ETCD_CA', helpGroup: 'ETCD', helpValue: 'FILE' }),
  'etcd-cert': Flags.string({ description: 'Client certificate (PEM file) for etcd; $OPENLTM_ETCD_CERT', helpGroup: 'ETCD', helpValue: 'FILE' }),
  'etcd-key': Flags.string({ description: 'Client key (PEM file) for etcd; $OPENLTM_ETCD_KEY', helpGroup: 'ETCD', helpValue: 'FILE' }),
  'etcd-user': Flags.string({ description: 'etcd user (password from $OPENLTM_ETCD_PASSWORD or $OPENLTM_ETCD_PASSWORD_FILE); $OPENLTM_ETCD_USER', helpGroup: 'ETCD' }),
  'host-name': Flags.string({ description: 'This host\'s name in per-host status on etcd; $OPENLTM_HOST_NAME, default the OS host name', helpGroup: 'ETCD' }),
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

  /** The etcd flags become the environment variables the store opener reads. */
  override async init(): Promise<void> {
    await super.init();
    const names: Record<string, string> = {
      'etcd-ca': 'OPENLTM_ETCD_CA', 'etcd-cert': 'OPENLTM_ETCD_CERT', 'etcd-key': 'OPENLTM_ETCD_KEY', 'etcd-user': 'OPENLTM_ETCD_USER', 'host-name': 'OPENLTM_HOST_NAME',
    };
    for (let i = 0; i < this.argv.length; i++) {
      const m = /^--(etcd-ca|etcd-cert|etcd-key|etcd-user|host-name)(?:=(.*))?$/.exec(this.argv[i]);
      if (!m) continue;
      const value = m[2] ?? this.argv[i + 1];
      if (value !== undefined) process.env[names[m[1]]] = value;
    }
  }

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
