/** The tmsh lexer: one instance, shared by command lines, scripts and bigip.conf files. */
import { Lexer, type IToken } from 'chevrotain';
import type { ConfigError, SourcePosition } from '@openltm/model';
import { allTokens, UnterminatedString } from './tokens';
import { syntaxError } from './errors';

const lexer = new Lexer(allTokens, {
  positionTracking: 'onlyStart',
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

/** Splits text into tokens; an unterminated quote becomes an error and ends the token stream. */
export function lex(text: string, source?: string): LexResult {
  const res = lexer.tokenize(text);
  const errors: ConfigError[] = res.errors.map((e) =>
    syntaxError(`unexpected character ${JSON.stringify(text.charAt(e.offset))}`, {
      line: e.line ?? 1, column: e.column ?? 1, offset: e.offset, ...(source !== undefined ? { source } : {}),
    }),
  );
  let tokens = res.tokens;
  const last = tokens[tokens.length - 1];
  if (last && last.tokenType === UnterminatedString) {
    errors.push(syntaxError('missing closing quote (")', tokenPos(last, source)));
    tokens = tokens.slice(0, -1);
  }
  return { tokens, comments: (res.groups.comments as IToken[] | undefined) ?? [], errors };
}
