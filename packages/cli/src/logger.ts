import type { Logger, LoggerOptions } from 'pino';

/** How the root logger is set up; every field has a sensible default from the environment. */
export interface LoggerSettings {
  /** pino level; `silent` turns logging off. Default: OPENLTM_LOG_LEVEL or `warn`. */
  level?: string;
  /** Write JSON lines to this file instead of stderr. Default: OPENLTM_LOG_FILE. */
  file?: string;
  /** Human-readable lines; default: when logging to stderr and stderr is a terminal. */
  pretty?: boolean;
}

/**
 * Paths pino replaces with `[redacted]`. Key material must never reach a log, whatever object
 * carries it (a statement's properties, a profile, an error's details).
 */
export const REDACT_PATHS = [
  'key', 'passphrase', 'privateKey', 'pem',
  '*.key', '*.passphrase', '*.privateKey', '*.pem',
  '*.*.key', '*.*.passphrase', '*.*.privateKey', '*.*.pem',
  'properties.*.key', 'properties.*.passphrase',
];

/**
 * The root logger. Logs go to stderr or a file, never stdout: stdout carries command output only
 * (scripts parse it, `--json` consumers read it).
 */
export function createLogger(settings: LoggerSettings = {}, env: NodeJS.ProcessEnv = process.env): Logger {
  // Required here, not at the top: most one-shot runs never log, and pino costs start-up time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pino = require('pino') as typeof import('pino');
  const level = settings.level ?? env.OPENLTM_LOG_LEVEL ?? 'warn';
  const file = settings.file ?? env.OPENLTM_LOG_FILE;
  const options: LoggerOptions = {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (file) return pino(options, pino.destination({ dest: file, mkdir: true, sync: true }));
  const pretty = settings.pretty ?? Boolean(process.stderr.isTTY);
  if (pretty) {
    // pino-pretty as a stream in this thread: a transport worker would cost ~50 ms of start-up.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const prettyFactory = require('pino-pretty') as typeof import('pino-pretty');
    return pino(options, prettyFactory({ destination: 2, colorize: true, sync: true }));
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}

const LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/**
 * The CLI's root logger, made on first use: pino (and pino-pretty) are loaded only when a line is
 * actually written at the configured level, so a quiet `tmsh -c` never pays for them.
 */
export class RootLogger {
  private readonly threshold: number;
  private made?: Logger;

  constructor(
    private readonly settings: LoggerSettings = {},
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    const level = settings.level ?? env.OPENLTM_LOG_LEVEL ?? 'warn';
    this.threshold = LEVELS[level] ?? LEVELS.warn;
  }

  /** True when a line at `level` would be written. */
  enabled(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'): boolean {
    return LEVELS[level] >= this.threshold;
  }

  /** The pino logger itself, for children handed to other layers. */
  get pino(): Logger {
    this.made ??= createLogger(this.settings, this.env);
    return this.made;
  }

  debug(fields: object, msg: string): void {
    if (this.enabled('debug')) this.pino.debug(fields, msg);
  }

  info(fields: object, msg: string): void {
    if (this.enabled('info')) this.pino.info(fields, msg);
  }

  error(fields: object, msg: string): void {
    if (this.enabled('error')) this.pino.error(fields, msg);
  }
}
