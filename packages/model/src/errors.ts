/**
 * BIG-IP style error codes, each listed once. Messages follow mcpd's wording
 * (`01020036:3: The requested Pool (/Common/p) was not found.`).
 */
export const ErrorCodes = {
  /** Parse errors have no hex code on BIG-IP; tmsh prints `Syntax Error: ...`. */
  SYNTAX: 'SYNTAX',
  NOT_FOUND: '01020036',
  ALREADY_EXISTS: '01020066',
  MONITOR_IN_USE: '01070083',
  PROFILE_PROTOCOL_MISMATCH: '01070097',
  NODE_IN_USE: '01070110',
  IN_USE: '01070265',
  CONFIG_ERROR: '01070734',
  SNI_DEFAULT: '01071809',
  /** Value out of range or of the wrong form. */
  INVALID_VALUE: '01070712',
  /** Two enabled virtual servers on one destination, mask and source. */
  DESTINATION_IN_USE: '01070333',
  /** A virtual's destination address and its mask (or source) disagree: family, or host bits under the mask. */
  ADDRESS_MASK: '0107028f',
  /** Certificate / key problems (parse, passphrase, mismatch). */
  SSL_FILE: '01071ac2',
  /** The store is locked by another writer past the busy timeout. */
  BUSY: '01070999',
  /** Another writer committed first, every time this command was retried on the newer configuration (etcd). */
  CONFLICT: '01070995',
  /** The configuration store (an etcd cluster) cannot be reached. */
  STORE_UNREACHABLE: '01070994',
  /** File or I/O error reading a configuration file or PEM. */
  FILE: '01070711',
  /** Warning (severity 4): a stored-only property was set; it is kept and has no effect. */
  STORED_ONLY: '01070998',
  /** Warning (severity 4): a value was set that weakens something (`allow-plaintext-auth enabled`). */
  WEAKENED: '01070996',
  /** A value openltm cannot honour where honouring it matters for safety: refused, not stored. */
  NOT_SUPPORTED: '01070997',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Where in the input an error was found (1-based line and column, 0-based offset). */
export interface SourcePosition {
  line: number;
  column: number;
  offset: number;
  /** The file or input the position refers to, when not an interactive line. */
  source?: string;
}

const brand = Symbol.for('openltm.ConfigError');

/**
 * The one error type every package throws for bad input: a code, a message in BIG-IP's words,
 * and where it happened. `toString()` gives the line a BIG-IP administrator expects.
 */
export class ConfigError extends Error {
  readonly code: ErrorCode;
  readonly severity: number;
  readonly position?: SourcePosition;
  /** Further errors found in the same input (the parser reports all of a file's errors at once). */
  readonly related: ConfigError[];

  constructor(code: ErrorCode, message: string, options: { position?: SourcePosition; severity?: number; related?: ConfigError[] } = {}) {
    super(message);
    this.name = 'ConfigError';
    this.code = code;
    this.severity = options.severity ?? 3;
    this.position = options.position;
    this.related = options.related ?? [];
  }

  /** `01020036:3: The requested ...` or `Syntax Error: ...`. */
  override toString(): string {
    if (this.code === ErrorCodes.SYNTAX) return `Syntax Error: ${this.message}`;
    return `${this.code}:${this.severity}: ${this.message}`;
  }

  /** True for a ConfigError from any copy of this package. */
  static is(value: unknown): value is ConfigError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}
Object.defineProperty(ConfigError.prototype, brand, { value: true });

/** Builders for the messages that several packages emit, so the wording lives in one place. */
export const errors = {
  syntax(message: string, position?: SourcePosition): ConfigError {
    return new ConfigError(ErrorCodes.SYNTAX, message, { position });
  },
  notFound(kind: string, path: string, position?: SourcePosition): ConfigError {
    return new ConfigError(ErrorCodes.NOT_FOUND, `The requested ${kind} (${path}) was not found.`, { position });
  },
  alreadyExists(kind: string, path: string, partition = 'Common', position?: SourcePosition): ConfigError {
    return new ConfigError(ErrorCodes.ALREADY_EXISTS, `The requested ${kind} (${path}) already exists in partition ${partition}.`, { position });
  },
  inUse(kind: string, path: string, userKind: string, userPath: string, position?: SourcePosition): ConfigError {
    return new ConfigError(
      ErrorCodes.IN_USE,
      `The ${kind} (${path}) cannot be deleted because it is in use by a ${userKind} (${userPath}).`,
      { position },
    );
  },
  invalidValue(property: string, value: string, expected: string, position?: SourcePosition): ConfigError {
    return new ConfigError(ErrorCodes.INVALID_VALUE, `Invalid value "${value}" for property "${property}": expected ${expected}.`, { position });
  },
  /** `01070998:4: ...`: the command succeeds; the setting is kept for BIG-IP compatibility only. */
  storedOnly(kind: string, path: string, property: string, position?: SourcePosition): ConfigError {
    return new ConfigError(
      ErrorCodes.STORED_ONLY,
      `${kind} (${path}): "${property}" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.`,
      { position, severity: 4 },
    );
  },
  /** `01070998:4: ...`: a monitor rule names a monitor openltm does not run (icmp): it counts as passing. */
  storedOnlyMonitor(kind: string, path: string, monitor: string, position?: SourcePosition): ConfigError {
    return new ConfigError(
      ErrorCodes.STORED_ONLY,
      `${kind} (${path}): monitor ${monitor} is stored only: openltm sends no ICMP, so it counts as passing in the monitor rule; add a tcp, tcp-half-open or smtp monitor to check the member.`,
      { position, severity: 4 },
    );
  },
  /** `01070996:4: ...`: the command succeeds; the operator is told what the value weakens. */
  weakened(message: string, position?: SourcePosition): ConfigError {
    return new ConfigError(ErrorCodes.WEAKENED, message, { position, severity: 4 });
  },
  /** A value refused because openltm cannot honour it and ignoring it would be unsafe. */
  notSupported(kind: string, path: string, setting: string, why: string, position?: SourcePosition): ConfigError {
    return new ConfigError(ErrorCodes.NOT_SUPPORTED, `${kind} (${path}): ${setting} is not supported: ${why}`, { position });
  },
  configError(detail: string, position?: SourcePosition): ConfigError {
    return new ConfigError(ErrorCodes.CONFIG_ERROR, `Configuration error: ${detail}`, { position });
  },
};
