/**
 * The store: one transaction per command (and per batch or file load) on a backend (one SQLite
 * file, or an etcd cluster), the generation counter the data plane polls, and the read side the
 * daemon uses.
 */
import * as path from 'node:path';
import { ConfigError, ErrorCodes, errors, getType, type MemberStatus, type PersistFlush, type StatusReport, type VirtualStatus } from '@openltm/model';
import { declarationMessage, parseCommand, parseScript, type Statement } from '@openltm/parser';
import { builtinProps, schemaBuiltins, seedBuiltins } from './builtins';
import { generateSelfSigned } from './certificates';
import { isQueueable, isReadOnly, runStatement, withPosition, type ExecContext } from './executor';
import { fullPath, relativeName } from './names';
import { ObjectOperations } from './object-operations';
import { EtcdBackend, type EtcdBackendOptions } from './etcd-backend';
import { SqliteBackend } from './sqlite-backend';
import type { StoreBackend } from './store-backend';
import { DryRun } from './transaction';
import { isKept } from './preserved';
import { keptWhole, markKept, promoteOne, promotionCandidates, reasonOf, Unchanged, type Candidate, type PromotionReport } from './promote-preserved';
import { Session, type ExecuteResult } from './session';
import type { ReportInfo } from './status';
import type { StoredProps } from './stored-value';

export interface StoreOptions {
  /** How long a write waits for another process's lock before failing with BUSY (default 5000). */
  busyTimeoutMs?: number;
  /** Where `save sys config` without `file` writes (default: bigip.conf beside the store file). */
  configFile?: string;
  /** Certificate/key pair for the built-in default.crt/default.key of a new store (tests reuse one to save time). */
  defaultCertificate?: { cert: string; key: string };
}

/** An object with its effective values (defaults filled, `defaults-from` resolved). */
export interface EffectiveObject {
  type: string;
  /** Full path (`/Common/vs_smtp`). */
  name: string;
  builtin: boolean;
  properties: StoredProps;
}

export interface ScriptOptions {
  /** Run everything, then roll back: nothing changes, errors are reported as usual. */
  dryRun?: boolean;
  /** File name for positions and messages. */
  source?: string;
  /** The shell's module context (`ltm`): `create pool p1` means `create ltm pool p1`. */
  module?: string;
  /** Called after each statement is applied (for a progress bar on large files). */
  onProgress?: (done: number, total: number) => void;
}

export interface ScriptResult {
  /** What the statements printed, in order, concatenated. */
  output: string;
  results: ExecuteResult[];
  statements: number;
  changed: boolean;
}

export class Store {
  private closed = false;
  /** What opening the store did to records an older openltm kept as they came (promote-preserved.ts). */
  promotion: PromotionReport = { promoted: [], kept: [], partial: [] };

  private constructor(
    private readonly backend: StoreBackend,
    private readonly options: StoreOptions,
  ) {}

  /** Where the store is: the SQLite file's path, or the etcd URL. */
  get path(): string {
    return this.backend.location;
  }

  /** Where files beside the store go (bigip.conf, uploads): the SQLite file's directory; for etcd, the current directory unless the caller says. */
  private localDir(): string {
    return this.driver === 'sqlite' ? path.dirname(path.resolve(this.path)) : process.cwd();
  }

  /** The driver: 'sqlite' or 'etcd'. */
  get driver(): string {
    return this.backend.driver;
  }

  /** The etcd backend, when the store is on etcd (per-host status, link state). */
  get etcd(): EtcdBackend | undefined {
    return this.backend instanceof EtcdBackend ? this.backend : undefined;
  }

  private get repo() {
    return this.backend.repo;
  }

  /** Opens the store at `path`, creating it (mode 0600, with the built-ins) when missing. */
  static open(file: string, options: StoreOptions = {}): Store {
    return Store.on(SqliteBackend.open(file, options), options);
  }

  /**
   * Opens the store on an etcd cluster (see etcd-backend.ts): the first one to open an empty
   * cluster writes the built-ins.
   */
  static openEtcd(options: EtcdBackendOptions, storeOptions: StoreOptions = {}): Store {
    return Store.on(EtcdBackend.open(options), storeOptions);
  }

  /** A store on an open backend; an empty one gets the built-in objects. */
  static on(backend: StoreBackend, options: StoreOptions = {}): Store {
    const store = new Store(backend, options);
    try {
      const empty = () => store.repo.count('ltm profile smtps') === 0;
      // A store made by an earlier version lacks the built-ins of types added since (/Common/http).
      const missing = () => schemaBuiltins().filter(([type, path]) => !store.repo.get(type, path));
      if (store.read(() => empty() || missing().length > 0)) {
        // Generated outside the transaction: a backend that re-runs it on a conflict reuses it.
        const pair = store.read(empty) ? (options.defaultCertificate ?? generateSelfSigned()) : undefined;
        store.write(() => {
          if (empty() && pair) seedBuiltins(store.repo, pair);
          for (const [type, path] of missing()) store.repo.insert(type, path, builtinProps(type, path)!, true);
        });
      }
      store.promotion = store.promotePreserved();
    } catch (err) {
      backend.close();
      throw err;
    }
    return store;
  }

  /**
   * Records kept as they came whose type (or property) this build models are loaded again, each
   * in a transaction of its own, until no more succeed (one may need another: a SNAT pool its
   * translations). The rest are marked with why.
   */
  private promotePreserved(): PromotionReport {
    const report: PromotionReport = { promoted: [], kept: [], partial: [] };
    let pending = this.read((ops) => promotionCandidates(ops));
    if (pending.length === 0) return report;
    const reasons = new Map<Candidate, string>();
    for (let progress = true; progress && pending.length; ) {
      progress = false;
      const left: Candidate[] = [];
      for (const c of pending) {
        let invalid: unknown;
        try {
          this.write((ops) => {
            try {
              promoteOne(ops, c);
            } catch (err) {
              invalid = err;
              throw err;
            }
          });
          report.promoted.push(`${c.type} ${c.path}`);
          progress = true;
        } catch (err) {
          if (err instanceof Unchanged) continue;
          // The store failing (etcd unreachable, a lock) is not the record's fault: try at the next open.
          if (err !== invalid || !ConfigError.is(err)) return report;
          reasons.set(c, reasonOf(err));
          left.push(c);
        }
      }
      pending = left;
    }
    for (const c of pending) {
      const reason = reasons.get(c)!;
      if (!this.read((ops) => keptWhole(ops, c))) {
        report.partial.push({ type: c.type, path: c.path, reason });
        continue;
      }
      try {
        this.write((ops) => markKept(ops, c, reason));
      } catch {
        // The store is busy or unreachable: not marked this time; the next open tries again.
      }
      report.kept.push({ type: c.type, path: c.path, reason });
    }
    return report;
  }

  /** Cheap: the committed configuration generation, bumped by every committed change. */
  generation(): number {
    return this.backend.generation();
  }

  private context(ops: ObjectOperations, session: Session): ExecContext {
    return {
      ops,
      session,
      status: this.backend.status,
      defaultConfigFile: this.options.configFile ?? path.join(this.localDir(), 'bigip.conf'),
    };
  }

  /** Runs `fn` in one write transaction; the reference and rule checks run before the commit. */
  private write<T>(fn: (ops: ObjectOperations) => T): T {
    this.assertOpen();
    return this.backend.write(() => {
      const ops = new ObjectOperations(this.repo);
      const result = fn(ops);
      ops.check();
      return result;
    });
  }

  private read<T>(fn: (ops: ObjectOperations) => T): T {
    this.assertOpen();
    return this.backend.read(() => fn(new ObjectOperations(this.repo)));
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the store is closed');
  }

  /**
   * Executes one statement (text is parsed with @openltm/parser). Throws ConfigError on bad input;
   * nothing changes then. In a cli transaction, create/modify/delete are queued instead.
   */
  execute(statement: string | Statement, session: Session = new Session()): ExecuteResult {
    const s = typeof statement === 'string' ? parseCommand(statement) : statement;
    // Only verbs change the configuration from a command line; declarations are for files.
    if (s.kind !== 'command') throw errors.syntax(declarationMessage(s.kind === 'object' ? s.typeKey.split(' ')[0] : s.path[0]), s.pos);
    if (s.kind === 'command' && s.typeKey === 'cli transaction' && s.verb === 'submit') return this.submit(s.pos, session);
    if (session.transaction && isQueueable(s)) {
      session.transaction.push(s);
      return { output: '', queued: true };
    }
    if (isReadOnly(s)) return this.staleNote(this.read((ops) => runStatement(s, this.context(ops, session))));
    const before = session.folder;
    try {
      return this.write((ops) => {
        const result = runStatement(s, this.context(ops, session));
        if (result.rollback) throw new DryRun({ ...result, rollback: undefined });
        return result;
      });
    } catch (err) {
      session.folder = before;
      if (err instanceof DryRun && err.result) return err.result;
      throw withPosition(err, s.pos);
    }
  }

  /** A read answered from a cached copy (etcd unreachable) says so, as a warning. */
  private staleNote(result: ExecuteResult): ExecuteResult {
    const offline = this.etcd?.offline;
    if (!offline) return result;
    const note = new ConfigError(
      ErrorCodes.STORE_UNREACHABLE,
      `The configuration store ${this.path} cannot be reached: this is the cached configuration (generation ${this.generation()}) from ${offline.file}, as this host's daemon last saw it, without current status. Nothing can be changed until etcd returns.`,
      { severity: 4 },
    );
    return { ...result, warnings: [...(result.warnings ?? []), note] };
  }

  private submit(pos: Statement['pos'], session: Session): ExecuteResult {
    const queued = session.transaction;
    if (!queued) throw errors.configError('there is no cli transaction to submit: create cli transaction first.', pos);
    session.transaction = undefined;
    const warnings: ConfigError[] = [];
    try {
      this.write((ops) => {
        warnings.push(...applyQueued(ops, queued, this.context(ops, session)));
      });
    } catch (err) {
      if (!ConfigError.is(err)) throw err;
      throw new ConfigError(err.code, `${err.message} (transaction failed and was discarded; nothing was applied)`, { position: err.position, related: err.related });
    }
    return { output: '', changed: queued.length > 0, ...(warnings.length ? { warnings } : {}) };
  }

  /**
   * Runs a whole tmsh script atomically: a parse error anywhere, or any failing statement, rolls
   * back everything; the error carries line:column.
   */
  executeScript(text: string, session: Session = new Session(), options: ScriptOptions = {}): ScriptResult {
    const parsed = parseScript(text, { source: options.source, module: options.module });
    if (parsed.errors.length) {
      const [first, ...rest] = parsed.errors;
      throw new ConfigError(first.code, first.message, { position: first.position, related: rest });
    }
    const results: ExecuteResult[] = [];
    const { folder, transaction } = session;
    try {
      this.write((ops) => {
        // A backend may run this again on a newer snapshot: start from the session as it was.
        results.length = 0;
        session.folder = folder;
        session.transaction = transaction && [...transaction];
        const run = (s: Statement) => {
          try {
            const r = runStatement(s, this.context(ops, session));
            ops.check();
            return r;
          } catch (err) {
            throw withPosition(err, s.pos);
          }
        };
        for (const s of parsed.statements) {
          // cli transactions work in scripts as in the shell (queue, then submit), inside the
          // script's own transaction.
          if (s.kind === 'command' && s.typeKey === 'cli transaction' && s.verb === 'submit') {
            const queued = session.transaction;
            if (!queued) throw errors.configError('there is no cli transaction to submit: create cli transaction first.', s.pos);
            session.transaction = undefined;
            const warnings = applyQueued(ops, queued, this.context(ops, session));
            results.push({ output: '', changed: queued.length > 0, ...(warnings.length ? { warnings } : {}) });
          } else if (session.transaction && isQueueable(s)) {
            session.transaction.push(s);
            results.push({ output: '', queued: true });
          } else results.push(run(s));
          options.onProgress?.(results.length, parsed.statements.length);
        }
        if (options.dryRun) throw new DryRun();
      });
    } catch (err) {
      session.folder = folder;
      session.transaction = transaction;
      if (!(err instanceof DryRun)) throw err;
    }
    return {
      output: results.map((r) => r.output).join(''),
      results,
      statements: parsed.statements.length,
      changed: !options.dryRun && results.some((r) => r.changed),
    };
  }

  /** Names of a type for tab completion, relative to `folder`. */
  names(typeKey: string, folder = '/Common'): string[] {
    if (!getType(typeKey)) return [];
    return this.read((ops) => ops.repo.all(typeKey).map((r) => relativeName(r.path, folder)));
  }

  /** Every object of a type with effective values: what the daemon builds the desired state from. */
  effective(typeKey: string): EffectiveObject[] {
    if (!getType(typeKey)) throw new Error(`unknown object type ${typeKey}`);
    return this.read((ops) => ops.repo.all(typeKey).filter((r) => !isKept(r)).map((r) => ({ type: typeKey, name: r.path, builtin: r.builtin, properties: ops.effective(r) })));
  }

  /** One object with effective values, or undefined. `name` may be relative to /Common. */
  getEffective(typeKey: string, name: string): EffectiveObject | undefined {
    if (!getType(typeKey)) throw new Error(`unknown object type ${typeKey}`);
    return this.read((ops) => {
      const r = ops.repo.get(typeKey, fullPath(name));
      return r && !isKept(r) ? { type: typeKey, name: r.path, builtin: r.builtin, properties: ops.effective(r) } : undefined;
    });
  }

  /** Every object of every type, effective values, at one generation (one snapshot). */
  snapshot(typeKeys: readonly string[]): { generation: number; objects: Record<string, EffectiveObject[]> } {
    return this.read((ops) => ({
      generation: this.backend.generation(),
      objects: Object.fromEntries(typeKeys.map((t) => [t, ops.repo.all(t).filter((r) => !isKept(r)).map((r) => ({ type: t, name: r.path, builtin: r.builtin, properties: ops.effective(r) }))])),
    }));
  }

  /**
   * Runs several reads (snapshot, getEffective, pem, changesSince) on one consistent snapshot:
   * a commit by another process in between is either wholly seen or not at all.
   */
  consistentRead<T>(fn: () => T): T {
    return this.read(() => fn());
  }

  /**
   * The objects that generations after `generation` created, changed or deleted (type and full
   * path), or undefined when the store no longer knows (read everything instead).
   */
  changesSince(generation: number): Array<{ type: string; path: string }> | undefined {
    return this.read(() => this.backend.changesSince(generation));
  }

  /** The PEM (and passphrase) of a `sys file ssl-cert` / `ssl-key`, for the data plane only. Never log it. */
  pem(typeKey: 'sys file ssl-cert' | 'sys file ssl-key' | 'sys file ssl-crl', name: string): { pem: string; passphrase?: string } | undefined {
    return this.read((ops) => {
      const r = ops.repo.get(typeKey, fullPath(name));
      const f = r && ops.repo.getFile(r.id);
      return f ? { pem: f.pem, ...(f.passphrase ? { passphrase: f.passphrase } : {}) } : undefined;
    });
  }

  /**
   * Stores the data plane's status report (does not bump the generation). It never waits long:
   * a busy SQLite store (a big `load` holds the lock for seconds) gives up after `busyTimeoutMs`
   * (default 100) and returns false; the next report will do.
   */
  writeStatus(report: StatusReport, options: { busyTimeoutMs?: number } = {}): boolean {
    this.assertOpen();
    return this.backend.writeStatus(report, options);
  }

  /** Calls `listener` when the configuration may have changed (a hint before the next poll). */
  watch(listener: () => void): () => void {
    return this.backend.watch(listener);
  }

  /** The data plane's last reported status of a virtual (raw counters, before any reset-stats baseline). */
  virtualStatus(name: string): VirtualStatus | undefined {
    return this.read(() => this.backend.status.virtual(fullPath(name)));
  }

  /** The data plane's last reported status of a pool member (raw counters). */
  memberStatus(pool: string, member: string): MemberStatus | undefined {
    return this.read(() => this.backend.status.member(fullPath(pool), member));
  }

  /** Manual-resume tokens by `<pool> <member>` (see member-resume.ts), for the daemon's desired state. */
  resumeTokens(): Record<string, number> {
    return this.read(() => this.backend.status.resumeTokens());
  }

  /** The `delete ltm persistence persist-records` requests kept (oldest first), for the daemon's desired state. */
  persistFlushes(): PersistFlush[] {
    return this.read(() => this.backend.status.persistFlushes());
  }

  /** The last status report's generation and time, if any. */
  statusInfo(): ReportInfo | undefined {
    return this.read(() => this.backend.status.reportInfo());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.backend.close();
  }
}

/**
 * Applies the statements of a cli transaction, then checks the final state once: cross-object
 * rules (a key matching its certificate, SNI defaults) hold for the result, not for each step, so
 * a certificate and its key can be renewed together under the same names. An error still names
 * the statement that touched the failing object.
 */
function applyQueued(ops: ObjectOperations, queued: readonly Statement[], ctx: ExecContext): ConfigError[] {
  const warnings: ConfigError[] = [];
  for (const s of queued) {
    try {
      warnings.push(...(runStatement(s, ctx).warnings ?? []));
      ops.link();
    } catch (err) {
      throw withPosition(err, s.pos);
    }
  }
  ops.check();
  return warnings;
}

/** Opens (or creates) a store. */
export function openStore(file: string, options: StoreOptions = {}): Store {
  return Store.open(file, options);
}
