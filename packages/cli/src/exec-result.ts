import { ConfigError } from '@openltm/model';
import type { Executor } from './executor';
import { asLines } from './output';

/** `openltm exec --json`: what ran, its output, and the error in machine-readable form. */
export interface ExecResult {
  ok: boolean;
  command: string;
  output: string;
  /** Structured results of the statements that have one (list: the objects with effective values). */
  data: unknown[];
  /** Warnings of the statements that succeeded (`01070998:4: ...`): the command still succeeded. */
  warnings: string[];
  error?: {
    /** BIG-IP message id (`01020036`) or `SYNTAX`. */
    code: string;
    severity: number;
    message: string;
    /** The line tmsh prints: `01020036:3: The requested Pool (/Common/p) was not found.` */
    text: string;
    line?: number;
    column?: number;
  };
}

/** Opens the store, runs the line and captures the result instead of printing it; closes the store. */
export async function execForJson(open: () => Executor, text: string): Promise<ExecResult> {
  let output = '';
  const data: unknown[] = [];
  const warnings: string[] = [];
  const collect = (out: string, item?: unknown, warned?: readonly string[]): void => {
    output += asLines(out);
    if (item !== undefined) data.push(item);
    warnings.push(...(warned ?? []));
  };
  let executor: Executor | undefined;
  try {
    executor = open();
    await executor.execute(text, collect);
    return { ok: true, command: text, output, data, warnings };
  } catch (err) {
    if (!ConfigError.is(err)) throw err;
    const pos = err.position;
    return {
      ok: false,
      command: text,
      output,
      data,
      warnings,
      error: {
        code: err.code,
        severity: err.severity,
        message: err.message,
        text: err.toString(),
        ...(pos ? { line: pos.line, column: pos.column } : {}),
      },
    };
  } finally {
    executor?.close();
  }
}
