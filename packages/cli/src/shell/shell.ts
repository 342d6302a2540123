import { createInterface, type Interface } from 'node:readline';
import { ConfigError } from '@openltm/model';
import { holdsSecret } from '@openltm/parser';
import type { Executor } from '../executor';
import type { Output } from '../output';
import { asLines } from '../output';
import { describeError } from '../error-report';
import { firstWord, insideQuotes, needsContinuation } from '../statement-text';
import { formatChoices, toReadline } from './choices';
import { foldEntry, HISTORY_SIZE, loadHistory, saveHistory } from './history';
import { CONTINUATION_PROMPT, makePrompt, type PromptIdentity } from './prompt';

/** Everything the shell talks to; all injectable so tests can drive it without a terminal. */
export interface ShellOptions {
  executor: Executor;
  /** Keystrokes (a TTY in real use). */
  input: NodeJS.ReadableStream;
  /** The terminal readline draws the prompt and line on. */
  terminal: NodeJS.WritableStream;
  /** Command output (stdout) and errors (stderr). */
  output: Output;
  identity: PromptIdentity;
  /** Interactive line editing, `?` help and prompts; off when stdin is a pipe. */
  interactive: boolean;
  historyFile?: string;
  /** Called for failures that are bugs, with the error (the CLI logs them). */
  onInternalError?: (err: unknown) => void;
}

type TtyWrite = (s: string | undefined, key: { name?: string; ctrl?: boolean; meta?: boolean } | undefined) => void;

/**
 * The interactive tmsh shell: a read loop over readline with tmsh's keys (Tab completes, `?` lists
 * what may come next), multi-line entry while braces are open, history across runs, and one error
 * boundary, so a bad line prints its BIG-IP message and returns to the prompt.
 */
export class Shell {
  private readonly rl: Interface;
  private pending: string[] = [];
  private queue: Promise<void> = Promise.resolve();
  private failures = 0;
  private closed = false;
  /** Input ended (quit, Ctrl-D, end of a pipe): no more prompts, even while the last entry finishes. */
  private inputEnded = false;
  private done!: (code: number) => void;
  private readonly finished = new Promise<number>((resolve) => (this.done = resolve));

  constructor(private readonly opts: ShellOptions) {
    const history = opts.historyFile && opts.interactive ? loadHistory(opts.historyFile) : [];
    this.rl = createInterface({
      input: opts.input,
      output: opts.interactive ? opts.terminal : undefined,
      terminal: opts.interactive,
      history,
      historySize: HISTORY_SIZE,
      removeHistoryDuplicates: true,
      completer: opts.interactive ? (line: string) => this.completeLine(line) : undefined,
      tabSize: 4,
    });
    if (opts.interactive) this.interceptQuestionMark();
    this.rl.on('line', (line) => (this.queue = this.queue.then(() => this.onLine(line))));
    this.rl.on('SIGINT', () => this.abandonLine());
    this.rl.on('close', () => {
      this.inputEnded = true;
      void this.queue.then(() => this.finish());
    });
  }

  /** Shows the prompt and resolves with the exit status when the user leaves (quit, exit, Ctrl-D). */
  run(): Promise<number> {
    this.showPrompt();
    return this.finished;
  }

  private get entryPrefix(): string {
    return this.pending.length ? `${this.pending.join('\n')}\n` : '';
  }

  private showPrompt(): void {
    if (this.inputEnded || !this.opts.interactive) return;
    this.rl.setPrompt(this.pending.length ? CONTINUATION_PROMPT : makePrompt(this.opts.identity, this.opts.executor.folder, this.opts.executor.module));
    this.rl.prompt();
  }

  private async onLine(line: string): Promise<void> {
    if (this.closed) return;
    this.pending.push(line);
    const entry = this.pending.join('\n');
    if (needsContinuation(entry)) return this.showPrompt();
    const lines = this.pending;
    this.pending = [];
    if (this.opts.interactive) this.recordHistory(lines);
    if (entry.trim() !== '') await this.runEntry(entry);
    this.showPrompt();
  }

  private async runEntry(entry: string): Promise<void> {
    const verb = firstWord(entry);
    // `exit` inside a module (`ltm`) goes back to the top level, as in tmsh; `quit` always leaves.
    if (verb === 'quit' || (verb === 'exit' && !this.opts.executor.module)) {
      this.rl.close();
      return;
    }
    const { output, executor } = this.opts;
    this.rl.pause();
    try {
      await executor.execute(entry, (text, _data, warnings) => {
        output.stdout(asLines(text));
        for (const w of warnings ?? []) output.stderr(`${w}\n`);
      });
    } catch (err) {
      this.failures++;
      output.stderr(describeError(err, entry));
      if (!ConfigError.is(err)) this.opts.onInternalError?.(err);
    } finally {
      if (!this.inputEnded) this.rl.resume();
    }
  }

  private recordHistory(lines: readonly string[]): void {
    const rl = this.rl as unknown as { history: string[] };
    foldEntry(rl.history, lines);
    if (!this.opts.historyFile) return;
    try {
      // A password or passphrase stays in this session's memory (arrow keys recall it) and never
      // reaches the file; a masked copy there would set the mask as the password when recalled.
      saveHistory(this.opts.historyFile, rl.history.filter((entry) => !holdsSecret(entry)));
    } catch (err) {
      // A read-only home must not stop the shell; say so once per failure.
      this.opts.output.stderr(`openltm: cannot save history: ${(err as Error).message}\n`);
    }
  }

  private completeLine(line: string): [string[], string] {
    const prefix = this.entryPrefix;
    const entry = prefix + line;
    try {
      return toReadline(this.opts.executor.complete(entry, entry.length), entry, prefix.length);
    } catch {
      return [[], line];
    }
  }

  /**
   * tmsh answers `?` at once, without Enter: list what may come next with its help, then redraw the
   * line. Readline has no hook for a single key, so its key handler is wrapped; a `?` inside quotes
   * or after a backslash is an ordinary character.
   */
  private interceptQuestionMark(): void {
    const rl = this.rl as unknown as { _ttyWrite: TtyWrite; line: string; cursor: number };
    const original = rl._ttyWrite.bind(this.rl);
    rl._ttyWrite = (s, key) => {
      if (s === '?' && !key?.ctrl && !key?.meta) {
        const before = this.entryPrefix + rl.line.slice(0, rl.cursor);
        if (!before.endsWith('\\') && !insideQuotes(before)) return this.listChoices(before);
      }
      original(s, key);
    };
  }

  private listChoices(before: string): void {
    let text: string;
    try {
      const answer = this.opts.executor.complete(before, before.length);
      text = formatChoices(answer.candidates, answer.expecting);
    } catch (err) {
      text = describeError(err, before);
    }
    this.opts.terminal.write(`\n${text}`);
    this.rl.prompt(true);
  }

  /** Ctrl-C abandons the line being typed (and any open braces), as in a login shell. */
  private abandonLine(): void {
    const rl = this.rl as unknown as { line: string; cursor: number };
    this.pending = [];
    this.opts.terminal.write('^C\n');
    rl.line = '';
    rl.cursor = 0;
    this.showPrompt();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pending.length && !this.opts.interactive) {
      this.failures++;
      this.opts.output.stderr('Syntax Error: unexpected end of input (unclosed "{" or quote)\n');
    }
    if (this.opts.interactive) this.opts.terminal.write('\n');
    this.opts.executor.close();
    this.done(this.opts.interactive ? 0 : Math.min(this.failures, 1));
  }
}
