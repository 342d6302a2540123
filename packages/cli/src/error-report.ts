import { ConfigError } from '@openltm/model';

/**
 * The text a user sees for a failed command: BIG-IP's `01020036:3: ...` line. When the input was a
 * file or several lines, it is prefixed with where (`pools.tmsh:3:7:`) and followed by the line
 * and a caret, so the one bad line in a long script is found at once.
 */
export function describeError(err: unknown, text?: string, source?: string): string {
  if (!ConfigError.is(err)) return `openltm: internal error: ${err instanceof Error ? err.message : String(err)}\n`;
  const all = [err, ...err.related];
  return all.map((e) => describeOne(e, text, source)).join('');
}

function describeOne(err: ConfigError, text?: string, source?: string): string {
  const pos = err.position;
  const file = source ?? pos?.source;
  const multiLine = text !== undefined && text.trim().includes('\n');
  if (!pos || (!file && !multiLine)) return `${err.toString()}\n`;
  const where = file ? `${file}:${pos.line}:${pos.column}: ` : `line ${pos.line}, column ${pos.column}: `;
  const srcLine = text?.split('\n')[pos.line - 1];
  const excerpt = srcLine === undefined ? '' : `    ${srcLine}\n    ${' '.repeat(Math.max(0, pos.column - 1))}^\n`;
  return `${where}${err.toString()}\n${excerpt}`;
}

/** Exit status for a failure: 1 for bad configuration input, 70 (EX_SOFTWARE) for a bug. */
export function exitCodeFor(err: unknown): number {
  return ConfigError.is(err) ? 1 : 70;
}
