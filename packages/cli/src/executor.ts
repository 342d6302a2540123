/** One thing that may come next at the cursor, with its one-line help from the schema. */
export interface CompletionCandidate {
  text: string;
  help?: string;
}

/** Completion answer: the candidates, and the offset in the input where the word being completed starts. */
export interface Completion {
  candidates: CompletionCandidate[];
  replaceFrom: number;
  /** When what comes next is free-form (a new name, a number, an address): what it is, for `?`. */
  expecting?: string;
}

/** How a script is applied: `source` names it in error reports (`pools.tmsh:3:7:`). */
export interface ScriptOptions {
  source: string;
  /** Validate every statement against the store, then throw the changes away. */
  dryRun: boolean;
  /** Called as statements are applied, for a progress bar on large files. */
  onProgress?: (done: number, total: number) => void;
}

/** What an applied (or dry-run) script did. */
export interface ScriptReport {
  /** Statements in the script. */
  statements: number;
  /** Output of the statements that print (`list`, `show`), in order. */
  output: string;
  /** Warnings of the statements (`01070998:4: ...`), in order. */
  warnings?: string[];
}

/**
 * The seam between the shell (and the one-shot modes) and the configuration system: the real one
 * parses with @openltm/parser and runs statements through the store's one executor; tests use a fake.
 */
export interface Executor {
  /** The folder relative names resolve against (`/Common`); shown in the prompt. */
  readonly folder: string;
  /** The module the user entered by typing its name (`ltm`): `create pool p1` then means `create ltm pool p1`. */
  readonly module?: string;
  /**
   * Runs an entry: one or more statements separated by `;` or newlines. Each statement's output
   * (and its structured form, for --json, and its warnings as BIG-IP lines `01070998:4: ...`) is
   * passed to `write` as soon as it is produced. Throws a ConfigError for bad input.
   */
  execute(text: string, write: (output: string, data?: unknown, warnings?: readonly string[]) => void): Promise<void>;
  /**
   * Applies a whole script atomically: parses all of it first (every syntax error is reported, with
   * its line and column, and nothing runs), then applies every statement in one transaction. Throws a
   * ConfigError whose position says which statement failed; the store is then unchanged.
   */
  loadScript(text: string, options: ScriptOptions): Promise<ScriptReport>;
  /** What may come next at `cursor` in `text` (the whole pending entry, every line of it). */
  complete(text: string, cursor: number): Completion;
  /** Releases the store. Idempotent. */
  close(): void;
}
