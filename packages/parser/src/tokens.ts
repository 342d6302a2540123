/**
 * Token types of the tmsh language. tmsh has no reserved words: `create`, `pool`, `members`
 * are all plain words and may also be object names, so there is one generic `Word` token and
 * meaning is decided by the schema-driven shaper. Braces are always separate tokens
 * (`{10.0.0.1:25}` is three tokens), as tmsh accepts them unspaced in scripts.
 */
import { createToken, Lexer, type IToken, type CustomPatternMatcherReturn } from 'chevrotain';

/** Every character `\s` matches except newline (unicode spaces too), for the lexer's first-char index. */
const BLANKS = [' ', '\t', '\r', '\f', '\v', '\u00a0', '\u1680', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff'];
for (let c = 0x2000; c <= 0x200a; c++) BLANKS.push(String.fromCharCode(c));

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[^\S\n]+/, group: Lexer.SKIPPED, start_chars_hint: BLANKS });

/** A backslash at the end of a line joins it with the next, as in shell scripts. */
export const LineContinuation = createToken({ name: 'LineContinuation', pattern: /\\\r?\n/, group: Lexer.SKIPPED, line_breaks: true });

/** `# ...` to the end of the line, only at the start of a word (`a#b` is a word). */
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: 'comments' });

export const Newline = createToken({ name: 'Newline', pattern: /\n/, line_breaks: true });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/ });

/** Object types whose body is Tcl, kept verbatim: braces are counted the Tcl way, quotes are not. */
const TCL_BODY_TYPES = new Set(['ltm rule', 'gtm rule', 'cli script', 'pem irule']);
const VERB_WORDS = new Set(['create', 'modify', 'tmsh']);

/**
 * True when the tokens before this `{` are `[tmsh] [create|modify] ltm rule NAME` at the start
 * of a statement: the body that follows is Tcl.
 */
function opensTclBody(tokens: IToken[]): boolean {
  const n = tokens.length;
  if (n < 3) return false;
  const name = tokens[n - 1];
  const comp = tokens[n - 2];
  const mod = tokens[n - 3];
  if (name.tokenType !== Word || comp.tokenType !== Word || mod.tokenType !== Word) return false;
  if (!TCL_BODY_TYPES.has(`${mod.image} ${comp.image}`)) return false;
  let i = n - 4;
  while (i >= 0 && tokens[i].tokenType === Word && VERB_WORDS.has(tokens[i].image)) i--;
  return i < 0 || tokens[i].tokenType === Newline || tokens[i].tokenType === Semicolon;
}

/** Matches a whole Tcl body `{ ... }` (Tcl brace counting, backslash escapes) after `ltm rule NAME`. */
function matchTclBody(text: string, offset: number, tokens: IToken[]): CustomPatternMatcherReturn | null {
  if (text.charCodeAt(offset) !== 123 || !opensTclBody(tokens)) return null;
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

export const LCurly = createToken({ name: 'LCurly', pattern: /{/, push_mode: 'block' });
export const RCurly = createToken({ name: 'RCurly', pattern: /}/, pop_mode: true });
/** A `}` with no `{` open: never consumed by the grammar, so it is reported where it stands. */
export const StrayRCurly = createToken({ name: 'StrayRCurly', pattern: /}/ });

/** Inside braces newlines and `;` do not end anything: they are skipped with the spaces. */
export const BlockWhiteSpace = createToken({ name: 'BlockWhiteSpace', pattern: /[\s;]+/, group: Lexer.SKIPPED, line_breaks: true, start_chars_hint: [...BLANKS, '\n', ';'] });

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

/**
 * Lexer modes: at top level newlines and `;` end statements; inside braces (`block` mode, pushed
 * by `{`, popped by `}`) they are skipped, so the grammar sees one item stream per block.
 */
export const lexerDefinition = {
  modes: {
    top: [WhiteSpace, LineContinuation, Comment, Newline, Semicolon, TclBody, LCurly, StrayRCurly, QuotedString, UnterminatedString, Word],
    block: [BlockWhiteSpace, LineContinuation, Comment, LCurly, RCurly, QuotedString, UnterminatedString, Word],
  },
  defaultMode: 'top',
};

/** Every token type, for the parser. */
export const allTokens = [
  WhiteSpace, BlockWhiteSpace, LineContinuation, Comment, Newline, Semicolon, TclBody, LCurly, RCurly, StrayRCurly, QuotedString, UnterminatedString, Word,
];
