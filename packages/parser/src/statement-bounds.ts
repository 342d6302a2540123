/**
 * Where statements end. Newlines are not tokens (keeping the token stream small); a statement
 * ends at `;` or at a line break outside braces, unless the line ends in a backslash.
 * Tokens carry start positions only (cheaper to lex); the end of a token is start + length.
 */
import type { IToken } from 'chevrotain';

/** Offset just past the token. */
export function tokenEnd(t: IToken): number {
  return t.startOffset + t.image.length;
}

/** True when a line break that is not escaped by a trailing backslash lies between tokens `a` and `b`. */
export function lineBreakBetween(text: string, a: IToken, b: IToken): boolean {
  const from = tokenEnd(a);
  for (let i = from; i < b.startOffset; i++) {
    if (text.charCodeAt(i) !== 10) continue;
    let j = i - 1;
    if (j >= from && text.charCodeAt(j) === 13) j--;
    if (j < from || text.charCodeAt(j) !== 92) return true;
  }
  return false;
}
