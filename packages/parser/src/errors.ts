/** Syntax errors: built once here so every message has tmsh's form and a position. */
import { ConfigError, ErrorCodes, type SourcePosition } from '@openltm/model';

/** A ConfigError with code SYNTAX at `pos` (`Syntax Error: <message>` when printed). */
export function syntaxError(message: string, pos: SourcePosition): ConfigError {
  return new ConfigError(ErrorCodes.SYNTAX, message, { position: pos });
}

/** tmsh's wording for a word that is not a property of the object type. */
export function unknownProperty(word: string, pos: SourcePosition): ConfigError {
  return syntaxError(`"${word}" unknown property`, pos);
}

/**
 * Formats an error for a terminal: `Syntax Error: ... (line L, column C)`, then the source line
 * and a caret under the column. Without a position (or text) only the first line is printed.
 */
export function formatError(err: ConfigError, text?: string): string {
  const head = err.toString();
  const pos = err.position;
  if (!pos) return head;
  const where = pos.source ? `${pos.source}, line ${pos.line}` : `line ${pos.line}`;
  const first = `${head} (${where}, column ${pos.column})`;
  if (text === undefined) return first;
  const lineText = text.split('\n')[pos.line - 1];
  if (lineText === undefined) return first;
  const shown = lineText.replace(/\r$/, '').replace(/\t/g, ' ');
  const caret = ' '.repeat(Math.max(0, pos.column - 1)) + '^';
  return `${first}\n${shown}\n${caret}`;
}
