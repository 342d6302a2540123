/** The entry points: one command line, or a whole script / bigip.conf file. */
import { ConfigError, VERBS, nextPathWords } from '@openltm/model';
import type { IToken } from 'chevrotain';
import type { CommandStatement, ParseResult, Position, Statement, SyntaxNode } from './ast';
import { readSyntax } from './syntax-reader';
import type { SyntaxStatement } from './grammar';
import { shapeCommand, type CommandShapeOptions } from './shape-command';
import { shapeObject } from './shape-object';
import { syntaxError } from './errors';
import { tokenEnd } from './statement-bounds';

/** Options of parseCommand. */
export interface CommandOptions {
  /** Module the shell is in (`ltm`): `create pool p1` then means `create ltm pool p1`. */
  module?: string;
}

/** Options of parseScript. */
export interface ScriptOptions extends CommandOptions {
  /** File name or other label carried in every position and error. */
  source?: string;
  /**
   * Commands on object types openltm does not know (`create ltm snatpool ...`): `raw` (default)
   * keeps them as CommandStatements without `typeKey`; `error` reports a Syntax Error.
   */
  unknownTypes?: 'raw' | 'error';
  /**
   * Whether bare bigip.conf object declarations (`ltm pool p { ... }`) are statements (true, the
   * default: a configuration file) or a syntax error (false: commands typed or scripted, where
   * only verbs may change the configuration, as in tmsh).
   */
  objects?: boolean;
}

/** The position just after a token (where "requires a value" errors point). */
function endPosition(tok: IToken, source?: string): Position {
  const nl = tok.image.lastIndexOf('\n');
  const line = (tok.startLine ?? 1) + (nl < 0 ? 0 : tok.image.split('\n').length - 1);
  const column = nl < 0 ? (tok.startColumn ?? 1) + tok.image.length : tok.image.length - nl;
  return { line, column, offset: tokenEnd(tok), ...(source !== undefined ? { source } : {}) };
}

function shapeStatement(stmt: SyntaxStatement, text: string, opts: CommandShapeOptions, allowObjects: boolean): Statement {
  let items: readonly SyntaxNode[] = stmt.items;
  // Scripts captured from a shell carry the `tmsh` prefix on every line.
  if (items.length > 1 && items[0].kind === 'word' && items[0].text === 'tmsh') items = items.slice(1);
  const pos = items[0].pos;
  const src = text.slice(pos.offset, tokenEnd(stmt.last));
  const first = items[0];
  if (first.kind === 'word' && Object.prototype.hasOwnProperty.call(VERBS, first.text)) {
    return shapeCommand(items, pos, src, endPosition(stmt.last, pos.source), opts);
  }
  if (!allowObjects) {
    const what = first.kind === 'block' ? '{' : first.text;
    // `ltm pool p { ... }` on a command line: say why it is refused (a declaration would replace the object).
    const declaration = first.kind === 'word' && nextPathWords([]).includes(first.text);
    throw syntaxError(declaration ? declarationMessage(what) : `"${what}" unknown command`, first.pos);
  }
  return shapeObject(items, pos, src);
}

/** The error for a bigip.conf declaration typed as a command (`tmsh ltm pool p`). */
export function declarationMessage(first: string): string {
  return `"${first}" unknown command: an object declaration is not a command; use create or modify (only load sys config reads bigip.conf syntax)`;
}

/** A bug must not crash a load: it becomes a positioned error that says so (the fuzz tests look for it). */
function asConfigError(e: unknown, pos: Position): ConfigError {
  if (ConfigError.is(e)) return e;
  return syntaxError(`${INTERNAL_ERROR}: ${e instanceof Error ? e.message : String(e)}`, pos);
}

/** Prefix of the message of an error that is a parser bug, not bad input. */
export const INTERNAL_ERROR = 'internal parser error (please report)';

/**
 * Parses one interactive command line into a CommandStatement.
 * Throws a ConfigError (code SYNTAX, with position) on the first error.
 */
export function parseCommand(line: string, options: CommandOptions = {}): CommandStatement {
  const read: SyntaxStatement[] = [];
  const syn = readSyntax(line, (s) => read.push(s));
  if (syn.errors.length > 0) throw syn.errors[0];
  if (read.length === 0) throw syntaxError('a command is required', { line: 1, column: 1, offset: 0 });
  if (read.length > 1) throw syntaxError('one command expected; use a script for several', read[1].items[0].pos);
  try {
    return shapeStatement(read[0], line, { unknownTypes: 'error', module: options.module }, false) as CommandStatement;
  } catch (e) {
    throw asConfigError(e, read[0].items[0].pos);
  }
}

/**
 * Parses a tmsh script or a bigip.conf file. Never throws: every statement that parsed is in
 * `statements`, and every error (ConfigError, code SYNTAX) is in `errors`, in source order.
 */
export function parseScript(text: string, options: ScriptOptions = {}): ParseResult {
  const statements: Statement[] = [];
  const shapeErrors: ConfigError[] = [];
  const opts: CommandShapeOptions = { unknownTypes: options.unknownTypes ?? 'raw', module: options.module };
  // Shaped as soon as read, so the syntax nodes of a big file die young.
  const syn = readSyntax(text, (stmt) => {
    try {
      statements.push(shapeStatement(stmt, text, opts, options.objects ?? true));
    } catch (e) {
      shapeErrors.push(asConfigError(e, stmt.items[0].pos));
    }
  }, options.source);
  const errors = syn.errors.concat(shapeErrors);
  errors.sort((a, b) => (a.position?.offset ?? 0) - (b.position?.offset ?? 0));
  const result: ParseResult = { statements, errors };
  const header = syn.comments.length > 0 ? /^#TMSH-VERSION:\s*(\S+)/.exec(syn.comments[0].image) : null;
  if (header) result.tmshVersion = header[1];
  return result;
}
