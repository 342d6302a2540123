/**
 * Printing values the way tmsh does, so `list` output and saved files parse back to the same
 * values. Values are kept in tmsh's escaped form (as the parser returns them: `GET /\r\n` with a
 * backslash-r); escapeTmsh / unescapeTmsh convert between that form and plain text.
 */
import type { ScalarValue } from './ast';

/** Characters that make a bare word impossible or ambiguous: blanks, braces, quote, `;`, `#`, `?` (help), backslash. */
const NEEDS_QUOTES = /[\s{}";#?\\]/;

/** True when `text` (escaped form) must be printed in double quotes. */
export function needsQuotes(text: string): boolean {
  return text.length === 0 || NEEDS_QUOTES.test(text);
}

/** Escapes `"` that are not escaped yet, and a trailing lone backslash, so the quotes stay balanced. */
function balance(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      out += i + 1 < text.length ? c + text[++i] : '\\\\';
    } else out += c === '"' ? '\\"' : c;
  }
  return out;
}

/** Prints a value (escaped form) as tmsh would: bare when it can be, else in double quotes. */
export function quote(text: string): string {
  return needsQuotes(text) ? `"${balance(text)}"` : text;
}

/** Prints a parsed scalar: quoted values stay quoted (`description ""`), others are quoted only when needed. */
export function formatScalar(value: Pick<ScalarValue, 'text' | 'quoted'>): string {
  return value.quoted ? `"${balance(value.text)}"` : quote(value.text);
}

/** Plain text to tmsh's escaped form: `\` `"` `?` and CR, LF, TAB become `\\` `\"` `\?` `\r` `\n` `\t`. */
export function escapeTmsh(plain: string): string {
  return plain.replace(/[\\"?\r\n\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '?': '\\?', '\r': '\\r', '\n': '\\n', '\t': '\\t' })[c] as string);
}

/** tmsh's escaped form to plain text (`\r\n` to CR LF, `\"` to `"`, `\x` to `x`): what a monitor sends. */
export function unescapeTmsh(text: string): string {
  return text.replace(/\\([\s\S])/g, (_, c: string) => (c === 'r' ? '\r' : c === 'n' ? '\n' : c === 't' ? '\t' : c));
}
