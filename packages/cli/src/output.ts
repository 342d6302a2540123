/**
 * Where command output and diagnostics go. stdout carries command output only; errors,
 * notices and progress go to stderr. Injected so the shell and one-shot modes run in tests.
 */
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The process's own streams. */
export const processOutput: Output = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Collects output in memory (tests, `--json`). */
export class BufferedOutput implements Output {
  out = '';
  err = '';
  stdout(text: string): void {
    this.out += text;
  }
  stderr(text: string): void {
    this.err += text;
  }
}

/** Adds the newline a command's output lacks, so the prompt or the next output starts on its own line. */
export function asLines(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}
