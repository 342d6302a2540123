/** The tmsh lexer: one instance, shared by command lines, scripts and bigip.conf files. */
import { Lexer, type IToken } from 'chevrotain';
import type { ConfigError, SourcePosition } from '@openltm/model';
import { lexerDefinition, UnterminatedString } from './tokens';
import { syntaxError } from './errors';

const lexer = new Lexer(lexerDefinition, {
  positionTracking: 'full',
  ensureOptimizations: true,
  // Only LF ends a line (CRLF files still count right; a lone CR is a blank, as in formatError).
  lineTerminatorsPattern: /\n/g,
  lineTerminatorCharacters: ['\n'],
});

/** Tokens of a text, its comments, and the lexing errors as ConfigErrors. */
export interface LexResult {
  tokens: IToken[];
  comments: IToken[];
  errors: ConfigError[];
}

/** The position of a token, with the source name when there is one. */
export function tokenPos(tok: IToken, source?: string): SourcePosition {
  const pos: SourcePosition = { line: tok.startLine ?? 1, column: tok.startColumn ?? 1, offset: tok.startOffset };
  if (source !== undefined) pos.source = source;
  return pos;
}

/**
 * Splits text into tokens; an unterminated quote becomes an error and ends the token stream.
 * With `from` (an offset at the start of line `line`), only the rest of the text is read, in
 * top-level mode: how the reader resumes after an unclosed `{`.
 */
export function lex(text: string, source?: string, from = 0, line = 1): LexResult {
  const res = lexer.tokenize(from === 0 ? text : text.slice(from));
  if (from !== 0) {
    const shift = line - 1;
    for (const t of [...res.tokens, ...((res.groups.comments as IToken[] | undefined) ?? [])]) {
      t.startOffset += from;
      t.endOffset = (t.endOffset ?? t.startOffset) + from;
      t.startLine = (t.startLine ?? 1) + shift;
      t.endLine = (t.endLine ?? 1) + shift;
    }
    for (const e of res.errors) {
      e.offset += from;
      e.line = (e.line ?? 1) + shift;
    }
  }
  const errors: ConfigError[] = res.errors.map((e) =>
    syntaxError(`unexpected character ${JSON.stringify(text.charAt(e.offset))}`, { line: e.line ?? 1, column: e.column ?? 1, offset: e.offset, ...(source !== undefined ? { source } : {}) }),
  );
  let tokens = res.tokens;
  const last = tokens[tokens.length - 1];
  if (last && last.tokenType === UnterminatedString) {
    errors.push(syntaxError('missing closing quote (")', tokenPos(last, source)));
    tokens = tokens.slice(0, -1);
  }
  return { tokens, comments: (res.groups.comments as IToken[] | undefined) ?? [], errors };
}
