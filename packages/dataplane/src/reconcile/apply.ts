import type { Logger } from 'pino';
import type { VirtualStats } from '@openltm/model';
import type { ListenerDeps, VirtualListenerApi } from '../contracts';
import type { VirtualSpec } from '../desired-state';
import type { ActualVirtual, ReconcileAction, VirtualFailure } from './diff';
import { sameSpec } from './diff';
import type { BackoffPolicy } from './backoff';
import { defaultBackoff, failureReason, isRetryable, retryDelay } from './backoff';
import { addStats, zeroVirtualStats } from './virtual-stats';

/** Makes the listener for one virtual (the real one, or a fake in tests). */
export type ListenerFactory = (spec: VirtualSpec, deps: ListenerDeps) => VirtualListenerApi;

export interface ListenerSetOptions {
  createListener: ListenerFactory;
  deps: ListenerDeps;
  logger: Logger;
  drainTimeoutMs: number;
  backoff?: BackoffPolicy;
  now?: () => number;
  /**
   * Called in the same turn as a listener starts or stops serving (or fails), so the connection
   * matcher changes at that instant: never a moment where a running virtual's connections
   * have nowhere to go, or a draining one still gets new ones.
   */
  onServingChange?: (name: string) => void;
}

interface Draining {
  name: string;
  listener: VirtualListenerApi;
  done: Promise<void>;
}

/**
 * The listeners that run, those draining, and the failures of those that could not start:
 * the side-effect half of the reconciler. Each action touches only its own virtual, and an
 * error becomes a failure record (status, log, retry decision) rather than an exception.
 */
export class ListenerSet {
  private readonly running = new Map<string, VirtualListenerApi>();
  private readonly failures = new Map<string, VirtualFailure>();
  private readonly draining = new Set<Draining>();
  /** Counters of listeners that finished draining, so a virtual's statistics stay cumulative. */
  private readonly retired = new Map<string, VirtualStats>();
  private readonly now: () => number;

  constructor(private readonly options: ListenerSetOptions) {
    this.now = options.now ?? Date.now;
  }

  /** What runs, for `diff`. */
  actual(): ActualVirtual[] {
    const names = new Set([...this.running.keys(), ...this.failures.keys()]);
    return [...names].map((name) => {
      const listener = this.running.get(name);
      const failure = this.failures.get(name);
      return { name, ...(listener ? { running: listener.spec } : {}), ...(failure ? { failure } : {}) };
    });
  }

  /** Every running listener (for settings that reach all of them, such as ticket keys). */
  runningListeners(): VirtualListenerApi[] {
    return [...this.running.values()];
  }

  /** What runs for just these names (and every failure, whose retry may be due), for a diff of what changed. */
  actualFor(names: ReadonlySet<string>): ActualVirtual[] {
    const out: ActualVirtual[] = [];
    for (const name of new Set([...names, ...this.failures.keys()])) {
      const listener = this.running.get(name);
      const failure = this.failures.get(name);
      if (listener || failure) out.push({ name, ...(listener ? { running: listener.spec } : {}), ...(failure ? { failure } : {}) });
    }
    return out;
  }

  /** Names of virtuals with failure records. */
  failedNames(): IterableIterator<string> {
    return this.failures.keys();
  }

  /** Names of virtuals with a listener still draining. */
  drainingNames(): Set<string> {
    return new Set([...this.draining].map((d) => d.name));
  }

  listener(name: string): VirtualListenerApi | undefined {
    return this.running.get(name);
  }

  failure(name: string): VirtualFailure | undefined {
    return this.failures.get(name);
  }

  /** The earliest time a retryable failure may be tried again. */
  nextRetryAt(): number | undefined {
    let at: number | undefined;
    for (const f of this.failures.values()) if (f.retryable) at = at === undefined ? f.retryAt : Math.min(at, f.retryAt);
    return at;
  }

  /** Applies actions in order; never throws. */
  async apply(actions: readonly ReconcileAction[]): Promise<void> {
    for (const action of actions) {
      switch (action.kind) {
        case 'drain':
          this.retire(action.name, `virtual ${action.why}`);
          break;
        case 'forget':
          this.failures.delete(action.name);
          break;
        case 'update':
          this.update(action.spec);
          break;
        case 'create':
        case 'replace':
          await this.start(action.spec);
          break;
      }
    }
  }

  /** Opens a listener for `spec`; on success it replaces (and drains) any listener the virtual had. */
  private async start(spec: VirtualSpec): Promise<void> {
    const log = this.options.logger.child({ virtual: spec.name });
    let listener: VirtualListenerApi;
    try {
      listener = this.options.createListener(spec, this.options.deps);
      await listener.listen();
    } catch (err) {
      this.fail(spec, err, log);
      return;
    }
    const old = this.running.get(spec.name);
    this.running.set(spec.name, listener);
    this.failures.delete(spec.name);
    this.options.onServingChange?.(spec.name);
    log.debug({ address: spec.address, port: spec.port }, `Virtual ${spec.name} listening on ${destination(spec)}`);
    if (old) this.drain(spec.name, old, `destination changed to ${destination(spec)}`);
  }

  private update(spec: VirtualSpec): void {
    const log = this.options.logger.child({ virtual: spec.name });
    const listener = this.running.get(spec.name);
    if (!listener) return;
    try {
      listener.update(spec);
    } catch (err) {
      this.fail(spec, err, log);
      return;
    }
    this.failures.delete(spec.name);
    log.info(`Virtual ${spec.name} configuration updated; new sessions use it`);
  }

  private fail(spec: VirtualSpec, err: unknown, log: Logger): void {
    const prev = this.failures.get(spec.name);
    const attempts = prev && sameSpec(prev.spec, spec) ? prev.attempts + 1 : 1;
    const retryable = isRetryable(err);
    const delay = retryDelay(attempts, this.options.backoff ?? defaultBackoff);
    const reason = failureReason(err);
    this.failures.set(spec.name, { spec, reason, retryable, attempts, retryAt: this.now() + delay });
    this.options.onServingChange?.(spec.name);
    const serving = this.running.has(spec.name) ? '; the previous configuration keeps serving' : '';
    const next = retryable ? `; retry in ${Math.round(delay / 1000)} s` : '; not retried until the configuration changes';
    log.error({ err, reason, attempts }, `Virtual ${spec.name} on ${destination(spec)} could not be applied: ${reason}${serving}${next}`);
  }

  private retire(name: string, why: string, timeoutMs?: number): void {
    const listener = this.running.get(name);
    this.failures.delete(name);
    if (!listener) return;
    this.running.delete(name);
    this.options.onServingChange?.(name);
    this.drain(name, listener, why, timeoutMs);
  }

  private drain(name: string, listener: VirtualListenerApi, why: string, timeoutMs = this.options.drainTimeoutMs): void {
    const log = this.options.logger.child({ virtual: name });
    log.info({ activeSessions: listener.activeSessions }, `Virtual ${name} on ${destination(listener.spec)} draining (${why})`);
    const entry: Draining = { name, listener, done: Promise.resolve() };
    entry.done = listener
      .drain(timeoutMs)
      .catch((err: unknown) => log.warn({ err }, `Virtual ${name} drain failed`))
      .finally(() => {
        this.draining.delete(entry);
        this.retired.set(name, addStats(this.retired.get(name) ?? zeroVirtualStats(), listener.stats, false));
        log.debug(`Virtual ${name} on ${destination(listener.spec)} closed`);
      });
    this.draining.add(entry);
  }

  /** Cumulative counters of a virtual across its listeners (running, draining, finished). */
  stats(name: string): VirtualStats {
    let total = { ...(this.retired.get(name) ?? zeroVirtualStats()) };
    for (const d of this.draining) if (d.name === name) total = addStats(total, d.listener.stats, true);
    const live = this.running.get(name);
    if (live) total = addStats(total, live.stats, true);
    return total;
  }

  /** Drops the retired counters of virtuals that no longer exist. */
  forgetStats(keep: ReadonlySet<string>): void {
    for (const name of this.retired.keys()) if (!keep.has(name)) this.retired.delete(name);
  }

  /** Stops accepting everywhere and waits for every session to finish or be closed. */
  async drainAll(why: string, timeoutMs?: number): Promise<void> {
    for (const name of [...this.running.keys()]) this.retire(name, why, timeoutMs);
    this.failures.clear();
    await Promise.all([...this.draining].map((d) => d.done));
  }
}

function destination(spec: VirtualSpec): string {
  return spec.address.includes(':') ? `${spec.address}.${spec.port}` : `${spec.address}:${spec.port}`;
}
