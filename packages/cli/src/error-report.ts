import { ConfigError } from '@openltm/model';
import { formatError } from '@openltm/parser';

/**
 * The text a user sees for a failed command: BIG-IP's `01020036:3: ...` line, exactly, for a
 * one-line command. For a file or a multi-line entry the parser's report adds where (`(pools.tmsh,
 * line 3, column 7)`), the line and a caret, so the one bad line in a long script is found at once.
 */
export function describeError(err: unknown, text?: string, source?: string): string {
  if (!ConfigError.is(err)) return `openltm: internal error: ${err instanceof Error ? err.message : String(err)}\n`;
  return [err, ...err.related].map((e) => `${describeOne(e, text, source)}\n`).join('');
}

function describeOne(err: ConfigError, text?: string, source?: string): string {
  const pos = err.position;
  const multiLine = text !== undefined && text.trim().includes('\n');
  if (!pos || (!source && !pos.source && !multiLine)) return err.toString();
  const located = source && !pos.source ? new ConfigError(err.code, err.message, { severity: err.severity, position: { ...pos, source } }) : err;
  return formatError(located, text);
}

/** Exit status for a failure: 1 for bad configuration input, 70 (EX_SOFTWARE) for a bug. */
export function exitCodeFor(err: unknown): number {
  return ConfigError.is(err) ? 1 : 70;
}
