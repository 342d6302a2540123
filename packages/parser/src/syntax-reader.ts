/**
 * Runs the grammar over a whole text and recovers from errors, so a file's errors are all
 * reported at once: after an error, parsing resumes at the next line that starts a top-level
 * statement (a word in column 1), which is how bigip.conf files and scripts are laid out.
 */
import type { IToken } from 'chevrotain';
import { VERBS, type ConfigError } from '@openltm/model';
import { lex, tokenPos } from './lexer';
import { grammar, type SyntaxStatement } from './grammar';
import { LCurly, RCurly, Semicolon, Word } from './tokens';
import { lineBreakBetween } from './statement-bounds';
import { syntaxError } from './errors';

/** Deeper nesting than any real configuration: refused instead of exhausting the stack. */
const MAX_DEPTH = 100;
/** After this many errors the rest of the input is not examined. */
const MAX_ERRORS = 100;

/** The errors found in a text and its comments (statements went to the sink). */
export interface SyntaxResult {
  errors: ConfigError[];
  comments: IToken[];
}

/** True when token i begins a line in column 1 with a word: where a top-level statement may start. */
function startsTopLevelLine(tokens: IToken[], i: number): boolean {
  const t = tokens[i];
  return t.tokenType === Word && t.startColumn === 1;
}

/**
 * Where a top-level statement must be cut short, at or after `from`: a brace nested deeper than
 * MAX_DEPTH, or (in configuration, not in commands) a word in column 1 inside braces, which in
 * bigip.conf layout means the previous object lost a `}`. `at` is -1 when there is none.
 */
function findCut(text: string, tokens: IToken[], from: number): { at: number; deep: boolean } {
  let depth = 0;
  let command = false;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    const tt = t.tokenType;
    if (depth === 0 && tt === Word && (i === from || tokens[i - 1].tokenType === Semicolon || lineBreakBetween(text, tokens[i - 1], t))) {
      command = Object.prototype.hasOwnProperty.call(VERBS, t.image) || (t.image === 'tmsh' && VERBS[tokens[i + 1]?.image] !== undefined);
    }
    if (tt === LCurly) {
      if (++depth > MAX_DEPTH) return { at: i, deep: true };
    } else if (tt === RCurly) {
      if (depth > 0) depth--;
    } else if (depth > 0 && !command && startsTopLevelLine(tokens, i)) return { at: i, deep: false };
  }
  return { at: -1, deep: false };
}

/** Index of the first token after token i on a later line (or after a `;`). */
function afterLineEnd(text: string, tokens: IToken[], i: number): number {
  let j = i + 1;
  while (j < tokens.length && tokens[j - 1].tokenType !== Semicolon && !lineBreakBetween(text, tokens[j - 1], tokens[j])) j++;
  return j;
}

/**
 * For a statement starting at `start` whose braces never close: the index where the next
 * top-level statement starts (or tokens.length) and the innermost `{` still open there.
 */
function findUnclosed(tokens: IToken[], start: number): { resume: number; open: IToken | undefined } {
  const stack: IToken[] = [];
  let i = start;
  for (; i < tokens.length; i++) {
    if (i > start && stack.length > 0 && startsTopLevelLine(tokens, i)) break;
    const tt = tokens[i].tokenType;
    if (tt === LCurly) stack.push(tokens[i]);
    else if (tt === RCurly) stack.pop();
  }
  return { resume: i, open: stack[stack.length - 1] };
}

/** Parses `tokens[from, to)`; says which token failed (a `}` too many) or whether the input ended inside braces. */
function parseRange(tokens: IToken[], from: number, to: number): { error?: IToken; eof?: boolean } {
  grammar.statementStart = undefined;
  grammar.input = from === 0 && to === tokens.length ? tokens : tokens.slice(from, to);
  grammar.script();
  const err = grammar.errors[0];
  if (!err) return {};
  const tok = err.token;
  return Number.isNaN(tok.startOffset) || tok.tokenType.name === 'EOF' ? { eof: true } : { error: tok };
}

/**
 * Reads all statements of `text` in syntax form, recovering after each error; each statement
 * goes to `sink` as soon as it is read (statements cut short by an error never do).
 */
export function readSyntax(text: string, sink: (statement: SyntaxStatement) => void, source?: string): SyntaxResult {
  const { tokens, errors, comments } = lex(text, source);
  grammar.sink = sink;
  grammar.text = text;
  grammar.source = source;
  let from = 0;
  while (from < tokens.length && errors.length < MAX_ERRORS) {
    const cut = findCut(text, tokens, from);
    const to = cut.at < 0 ? tokens.length : cut.at;
    const res = parseRange(tokens, from, to);
    if (!res.error && !res.eof && cut.at < 0) break;
    if (res.error) {
      // A `}` with nothing open: report it and go on after the end of its line.
      const idx = tokens.indexOf(res.error, from);
      errors.push(syntaxError(`unexpected "${res.error.image}"`, tokenPos(res.error, source)));
      from = afterLineEnd(text, tokens, idx);
      continue;
    }
    // The input ended (or was cut) inside braces: report the `{` left open, go on at the next top-level line.
    const startTok = grammar.statementStart;
    const found = startTok ? tokens.indexOf(startTok, from) : -1;
    const start = found < 0 ? from : found;
    const { resume, open } = findUnclosed(tokens, start);
    if (cut.deep) errors.push(syntaxError(`braces nested deeper than ${MAX_DEPTH} levels`, tokenPos(tokens[cut.at], source)));
    else errors.push(syntaxError('"{" has no matching "}"', tokenPos(open ?? tokens[start], source)));
    from = resume > start ? resume : tokens.length;
  }
  if (errors.length >= MAX_ERRORS && from < tokens.length) {
    errors.push(syntaxError('too many errors; the rest of the input was not checked', tokenPos(tokens[from], source)));
  }
  // The grammar is shared: drop its hold on this input so a parsed file can be collected.
  grammar.input = [];
  grammar.sink = () => undefined;
  grammar.statementStart = undefined;
  grammar.text = '';
  return { errors, comments };
}
