/**
 * Token types of the tmsh language. tmsh has no reserved words: `create`, `pool`, `members`
 * are all plain words and may also be object names, so there is one generic `Word` token and
 * meaning is decided by the schema-driven shaper. Braces are always separate tokens
 * (`{10.0.0.1:25}` is three tokens), as tmsh accepts them unspaced in scripts.
 */
import { createToken, Lexer, type IToken, type CustomPatternMatcherReturn } from 'chevrotain';
import { lineBreakBetween } from './statement-bounds';

/** Every character `\s` matches (unicode spaces too), for the lexer's first-char index. */
const BLANKS = [' ', '\t', '\n', '\r', '\f', '\v', '\u00a0', '\u1680', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'];
for (let c = 0x2000; c <= 0x200a; c++) BLANKS.push(String.fromCharCode(c));

/** Blanks within a line. */
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[^\S\n]+/, group: Lexer.SKIPPED, start_chars_hint: BLANKS.filter((c) => c !== '\n') });

/**
 * A line break with the blank lines and indentation after it: skipped, like every blank
 * (statement ends are found from token lines, see statement-bounds.ts); one token per line keeps
 * the lexer's line counting cheap.
 */
export const LineBreak = createToken({ name: 'LineBreak', pattern: /\n\s*/, group: Lexer.SKIPPED, line_breaks: true, start_chars_hint: ['\n'] });

/** A backslash at the end of a line joins it with the next, as in shell scripts. */
export const LineContinuation = createToken({ name: 'LineContinuation', pattern: /\\\r?\n/, group: Lexer.SKIPPED, line_breaks: true });

/** `# ...` to the end of the line, only at the start of a word (`a#b` is a word). */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: 'comments' });

export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/ });

/** Object types whose body is Tcl, kept verbatim: braces are counted the Tcl way, quotes are not. */
const TCL_BODY_TYPES = new Set(['ltm rule', 'gtm rule', 'cli script', 'pem irule']);
const VERB_WORDS = new Set(['create', 'modify', 'tmsh']);
/** Properties whose block is Tcl, APL or HTML (`sys application template`, `sys icall script`). */
const TCL_BLOCK_PROPERTIES = new Set(['definition', 'implementation', 'presentation', 'html-help']);

/**
 * True when the tokens before this `{` are `[tmsh] [create|modify] ltm rule NAME` at the start
 * of a statement, or a Tcl-valued property such as `definition`: the body that follows is Tcl.
 */
function opensTclBody(text: string, tokens: IToken[]): boolean {
  const n = tokens.length;
  if (n > 0 && tokens[n - 1].tokenType === Word && TCL_BLOCK_PROPERTIES.has(tokens[n - 1].image)) return true;
  if (n < 3) return false;
  const name = tokens[n - 1];
  const comp = tokens[n - 2];
  const mod = tokens[n - 3];
  if (name.tokenType !== Word || comp.tokenType !== Word || mod.tokenType !== Word) return false;
  if (!TCL_BODY_TYPES.has(`${mod.image} ${comp.image}`)) return false;
  let i = n - 3;
  while (i > 0 && tokens[i - 1].tokenType === Word && VERB_WORDS.has(tokens[i - 1].image) && !lineBreakBetween(text, tokens[i - 1], tokens[i])) i--;
  // The statement starts at token i: first of all, after `;`, or first on its line.
  return i === 0 || tokens[i - 1].tokenType === Semicolon || lineBreakBetween(text, tokens[i - 1], tokens[i]);
}

/** Matches a whole Tcl body `{ ... }` (Tcl brace counting, backslash escapes) after `ltm rule NAME`. */
function matchTclBody(text: string, offset: number, tokens: IToken[]): CustomPatternMatcherReturn | null {
  if (text.charCodeAt(offset) !== 123 || !opensTclBody(text, tokens)) return null;
  let depth = 0;
  for (let i = offset; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++; // backslash: the next character never counts
    else if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return [text.slice(offset, i + 1)] as unknown as CustomPatternMatcherReturn;
  }
  return null; // unbalanced: let `{` lex normally so the error points at the missing `}`
}

export const TclBody = createToken({
  name: 'TclBody',
  pattern: { exec: matchTclBody },
  start_chars_hint: ['{'],
  line_breaks: true,
});

export const LCurly = createToken({ name: 'LCurly', pattern: /{/ });
export const RCurly = createToken({ name: 'RCurly', pattern: /}/ });

/** A double-quoted string; escapes (`\"`, `\\`, `\r`, `\n`, `\?`) stay as written; may span lines. */
export const QuotedString = createToken({
  name: 'QuotedString',
  pattern: /"[^"\\]*(?:\\[\s\S][^"\\]*)*"/,
  line_breaks: true,
});

/** A quote that is never closed: swallows the rest of the input so the error is reported once. */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"[\s\S]*/, line_breaks: true });

/** Every character a word may start with (all but space, braces, quote, `;`, `#`), for the lexer's first-char index. */
function wordStartChars(): string[] {
  const out: string[] = [];
  for (let c = 0; c < 0x100; c++) {
    const ch = String.fromCharCode(c);
    if (!/[\s{}";#]/.test(ch)) out.push(ch);
  }
  // chevrotain buckets char codes above 255 by 255s: one representative per bucket covers them all.
  for (let c = 0x100; c <= 0xffff; c += 255) out.push(String.fromCharCode(c));
  return out;
}

/** Any other run of characters: names, paths, addresses, numbers, keywords. */
export const Word = createToken({ name: 'Word', pattern: /[^\s{}";#][^\s{}";]*/, start_chars_hint: wordStartChars() });

/** In lexing order: blanks, the specific tokens, then the generic Word. */
export const allTokens = [WhiteSpace, LineBreak, LineContinuation, Comment, Semicolon, TclBody, LCurly, RCurly, QuotedString, UnterminatedString, Word];
