/**
 * @openltm/parser: reads tmsh command lines, tmsh scripts and bigip.conf files into the typed
 * AST of ast.ts, shaped by the schema of @openltm/model; also completion and quoting helpers.
 */
export * from './ast';
export { declarationMessage, parseCommand, parseScript, type CommandOptions, type ScriptOptions } from './parse';
export { formatError } from './errors';
export { complete, helpFor, type Candidate, type CompletionContext, type CompletionResult } from './complete';
export { quote, formatScalar, needsQuotes, escapeTmsh, unescapeTmsh } from './quote';
export { holdsSecret } from './secrets';
