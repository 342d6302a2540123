/**
 * @openltm/cli: `tmsh` and `openltm` on oclif. The interactive shell, one-shot commands and batch
 * files all run through one Executor (the parser plus the store's executor).
 */
export type { Executor, Completion, CompletionCandidate } from './executor';
export type { Output } from './output';
export { processOutput, BufferedOutput } from './output';
export { Shell, type ShellOptions } from './shell/shell';
export { createLogger, RootLogger, REDACT_PATHS, type LoggerSettings } from './logger';
export { resolveStorePath, historyPath, stateDir } from './store-path';
export { renderHelp } from './help';
export { describeError, exitCodeFor } from './error-report';
export { joinArgs } from './command-line';
export { runOneShot } from './one-shot';
export { splitStatements, needsContinuation } from './statement-text';
