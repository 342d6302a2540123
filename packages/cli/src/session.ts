import { ConfigError } from '@openltm/model';
import { nextPathWords } from '@openltm/model';
import { complete, parseScript, type Statement } from '@openltm/parser';
import { Session, type Store, type ScriptOptions as StoreScriptOptions } from '@openltm/store';
import { openStoreAt } from './open-store';
import type { Completion, Executor, ScriptOptions, ScriptReport } from './executor';
import { renderHelp } from './help';
import type { RootLogger } from './logger';

/** What the log may say about a statement: never its text, which can carry a key passphrase. */
function logFields(stmt: Statement): Record<string, unknown> {
  if (stmt.kind === 'command') return { verb: stmt.verb, type: stmt.typeKey ?? stmt.path.join(' '), line: stmt.pos.line };
  return { kind: stmt.kind, line: stmt.pos.line };
}

/**
 * The real Executor: parses with @openltm/parser and runs every statement through the store's one
 * executor, in one store Session (current folder, pending cli transaction) for the whole run.
 * `help` is answered here from the schema; everything else is the store's.
 */
export class TmshSession implements Executor {
  private readonly session = new Session();
  private currentModule?: string;

  private constructor(
    private readonly store: Store,
    private readonly log: RootLogger,
  ) {}

  /** Opens the store at `path`, creating it (0600, with the built-ins) on first use. */
  static open(path: string, log: RootLogger): TmshSession {
    return new TmshSession(openStoreAt(path), log);
  }

  get folder(): string {
    return this.session.folder;
  }

  get module(): string | undefined {
    return this.currentModule;
  }

  /** A lone module word (`ltm`) enters the module; `exit` in a module leaves it. True when handled. */
  private moduleCommand(text: string): boolean {
    const word = text.trim();
    if (word === 'exit' && this.currentModule) {
      this.currentModule = undefined;
      return true;
    }
    if (!/^[a-z-]+$/.test(word) || !nextPathWords([]).includes(word)) return false;
    this.currentModule = word;
    return true;
  }

  /**
   * Parses the whole entry before running any of it, so a syntax error anywhere runs nothing; then
   * runs the statements in order and stops at the first failure, as tmsh -c does on BIG-IP. Each
   * statement is atomic in the store.
   */
  async execute(text: string, write: (output: string, data?: unknown, warnings?: readonly string[]) => void): Promise<void> {
    if (this.moduleCommand(text)) return;
    const parsed = parseScript(text, { module: this.currentModule, objects: false });
    const [first, ...rest] = parsed.errors;
    if (first) throw new ConfigError(first.code, first.message, { position: first.position, related: rest });
    for (const stmt of parsed.statements) {
      if (stmt.kind === 'command' && stmt.verb === 'help') {
        const words = [...stmt.path, ...stmt.args];
        // Inside a module, `help pool` means `help ltm pool`.
        const inModule = this.currentModule && words.length > 0 && !nextPathWords([]).includes(words[0]);
        write(renderHelp(inModule ? [this.currentModule as string, ...words] : words));
        continue;
      }
      this.log.debug(logFields(stmt), 'execute');
      const result = this.store.execute(stmt, this.session);
      write(result.output, result.data, result.warnings?.map(String));
    }
  }

  async loadScript(text: string, options: ScriptOptions): Promise<ScriptReport> {
    this.log.info({ source: options.source, dryRun: options.dryRun }, 'load script');
    // onProgress is passed on for a store that reports progress (see the cli's report: not yet).
    const storeOptions: StoreScriptOptions & { onProgress?: ScriptOptions['onProgress'] } = {
      source: options.source,
      dryRun: options.dryRun,
      onProgress: options.onProgress,
    };
    const result = this.store.executeScript(text, this.session, storeOptions);
    this.log.info({ source: options.source, statements: result.statements, changed: result.changed }, 'script applied');
    const warnings = result.results.flatMap((r) => r.warnings ?? []).map(String);
    return { statements: result.statements, output: result.output, ...(warnings.length ? { warnings } : {}) };
  }

  complete(text: string, cursor: number): Completion {
    return complete(text, cursor, {
      names: (typeKey) => this.store.names(typeKey, this.session.folder),
      module: this.currentModule,
    });
  }

  close(): void {
    this.store.close();
  }
}
