import type { Logger } from 'pino';
import type { DesiredState, DesiredStateSource } from '../desired-state';

export interface ReconcilerOptions {
  source: DesiredStateSource;
  logger: Logger;
  /** How often the generation is polled (ms); a change is noticed within this. */
  pollIntervalMs: number;
  /** Makes what runs match one snapshot. Must not throw for a single virtual's failure. */
  reconcile: (desired: DesiredState) => Promise<void>;
  /** When a failed virtual is due for a retry (ms since epoch), if any. */
  retryDueAt: () => number | undefined;
  now?: () => number;
}

/**
 * The level-triggered loop: it polls the store's generation (a cheap read, no busy loop), and
 * when it moved, or a retry is due, reads the whole desired state and reconciles. One run at a
 * time; generations that change during a run are not queued one by one: the next poll sees
 * only the newest, so bursts coalesce into a single run.
 */
export class Reconciler {
  private timer?: NodeJS.Timeout;
  private unwatch?: () => void;
  private current?: Promise<void>;
  private appliedGeneration?: number;
  private lastDesired?: DesiredState;
  /** After a failed run, polls wait this long before trying again (and log once per streak). */
  private retryAfterFailure = 0;
  private failing = false;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: ReconcilerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The last snapshot applied. */
  get desired(): DesiredState | undefined {
    return this.lastDesired;
  }

  /** Runs the first reconcile, then keeps polling. */
  async start(): Promise<void> {
    await this.runOnce();
    if (this.stopped) return;
    // Not unref'd: a daemon with nothing to listen on yet must still wait for configuration.
    this.timer = setInterval(() => this.poll(), this.options.pollIntervalMs);
    // A change notice polls at once; the interval stays as the fallback.
    this.unwatch = this.options.source.watch?.(() => {
      if (!this.stopped) this.poll();
    });
  }

  /** Stops polling and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatch?.();
    this.unwatch = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.current;
  }

  /** Reconciles now unless a run is already in progress (which then stands for this one too). Never throws: it runs on a timer. */
  poll(): void {
    try {
      if (this.current || this.now() < this.retryAfterFailure) return;
      let generation: number;
      try {
        generation = this.options.source.generation();
      } catch (err) {
        this.failed(err, 'cannot read the configuration generation; will retry');
        return;
      }
      const retryAt = this.options.retryDueAt();
      if (generation !== this.appliedGeneration || (retryAt !== undefined && this.now() >= retryAt)) void this.runOnce();
    } catch (err) {
      this.failed(err, 'configuration poll failed; will retry');
    }
  }

  /** A store that is locked or gone: log the first failure of a streak, then retry each second. */
  private failed(err: unknown, message: string): void {
    this.retryAfterFailure = this.now() + 1000;
    if (!this.failing) this.options.logger.error({ err }, message);
    this.failing = true;
  }

  private runOnce(): Promise<void> {
    const run = this.reconcileSnapshot().finally(() => {
      this.current = undefined;
    });
    this.current = run;
    return run;
  }

  private async reconcileSnapshot(): Promise<void> {
    let desired: DesiredState;
    try {
      desired = this.options.source.read();
    } catch (err) {
      // Nothing changes: what runs keeps running, and a later poll tries again.
      this.failed(err, 'cannot read the desired configuration; keeping the running one');
      return;
    }
    try {
      await this.options.reconcile(desired);
      if (desired.generation !== this.appliedGeneration) {
        this.options.logger.info({ generation: desired.generation }, `configuration generation ${desired.generation} applied`);
      }
      this.appliedGeneration = desired.generation;
      this.lastDesired = desired;
      this.failing = false;
    } catch (err) {
      this.failed(err, `reconcile of generation ${desired.generation} failed; will retry`);
    }
  }
}
