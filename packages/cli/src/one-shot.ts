import { ConfigError } from '@openltm/model';
import type { Executor } from './executor';
import type { Output } from './output';
import { asLines } from './output';
import { describeError, exitCodeFor } from './error-report';

/**
 * Runs one entry (`tmsh -c "cmd; cmd"`, `openltm exec`) and returns the exit status: 0 on success,
 * non-zero with the BIG-IP-style message on stderr on failure. Output goes to stdout as produced.
 */
export async function runOneShot(executor: Executor, text: string, output: Output, onInternalError?: (err: unknown) => void): Promise<number> {
  try {
    await executor.execute(text, (out, _data, warnings) => {
      output.stdout(asLines(out));
      for (const w of warnings ?? []) output.stderr(`${w}\n`);
    });
    return 0;
  } catch (err) {
    output.stderr(describeError(err, text));
    if (!ConfigError.is(err)) onInternalError?.(err);
    return exitCodeFor(err);
  }
}
