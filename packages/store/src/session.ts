/**
 * What one shell (or one batch run) carries between statements: the current folder and a pending
 * cli transaction.
 */
import type { ConfigError } from '@openltm/model';
import type { CommandStatement } from '@openltm/parser';

export class Session {
  /** The current folder (`/Common`); `/` after `cd /`. */
  folder = '/Common';
  /** Statements queued by `create cli transaction`, applied by `submit cli transaction`. */
  transaction?: CommandStatement[];

  constructor(init: { folder?: string } = {}) {
    if (init.folder) this.folder = init.folder;
  }
}

/** What a statement printed, plus structured data for `--json`. */
export interface ExecuteResult {
  /** Text for stdout in tmsh's format; empty when the statement prints nothing. */
  output: string;
  /** Structured form of the output (list: the objects; load: the summary), when there is one. */
  data?: unknown;
  /** True when the statement changed the configuration (the generation moved). */
  changed?: boolean;
  /** True when the statement was queued in a cli transaction rather than applied. */
  queued?: boolean;
  /**
   * Warnings (severity 4, e.g. a stored-only property was set): the statement succeeded; print
   * each `toString()` on stderr. A generic channel: any rule may add one.
   */
  warnings?: ConfigError[];
  /** Internal: the statement only checks (`load ... verify`); its transaction is rolled back. */
  rollback?: boolean;
}
