/** One thing that may come next at the cursor, with its one-line help from the schema. */
export interface CompletionCandidate {
  text: string;
  help?: string;
}

/** Completion answer: the candidates, and the offset in the input where the word being completed starts. */
export interface Completion {
  candidates: CompletionCandidate[];
  replaceFrom: number;
}

/**
 * The seam between the shell (and the one-shot modes) and the configuration system: the real one
 * parses with @openltm/parser and runs statements through the store's one executor; tests use a fake.
 */
export interface Executor {
  /** The folder relative names resolve against (`/Common`); shown in the prompt. */
  readonly folder: string;
  /**
   * Runs an entry: one or more statements separated by `;` or newlines. Each statement's output is
   * passed to `write` as soon as it is produced. Throws a ConfigError for bad input.
   */
  execute(text: string, write: (output: string) => void): Promise<void>;
  /** What may come next at `cursor` in `text` (the whole pending entry, every line of it). */
  complete(text: string, cursor: number): Completion;
  /** Releases the store. Idempotent. */
  close(): void;
}
