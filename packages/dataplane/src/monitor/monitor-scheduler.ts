import type { Logger } from 'pino';
import type { MonitorSpec } from '../desired-state';
import type { ProbeResult } from './probe-socket';
import { tcpProbe } from './tcp-probe';
import { smtpProbe } from './smtp-probe';
import { probeDestination } from './destination';

export type ProbeFn = (address: string, port: number, spec: MonitorSpec, timeoutMs: number, signal?: AbortSignal) => Promise<ProbeResult>;

/** One monitor checking one destination: shared by every pool member it serves. */
export interface CheckState {
  monitor: string;
  address: string;
  port: number;
  /** `checking` until the first result. */
  status: 'checking' | 'up' | 'down';
  /** The last probe failure, shown in logs and reasons. */
  lastError?: string;
  lastSuccessAt?: number;
  /** When the status last changed (or the check began). */
  since: number;
}

/** A member a monitor must check. */
export interface CheckTarget {
  monitor: string;
  address: string;
  port: number;
}

interface Check extends CheckState {
  spec: MonitorSpec;
  nextProbeAt: number;
  inFlight: boolean;
  /** Start of the current run of successful probes (for `time-until-up`). */
  streakSince?: number;
}

export interface MonitorSchedulerOptions {
  logger: Logger;
  now?: () => number;
  probes?: Partial<Record<MonitorSpec['type'], ProbeFn>>;
  /** Called when a check's status changes. */
  onChange?: (check: CheckState) => void;
}

const keyOf = (monitor: string, address: string, port: number): string => `${monitor}\u0000${address}\u0000${port}`;

/**
 * Runs every (monitor, destination) check once, however many pools and members share it, on
 * one timer re-armed for the earliest due event. A check goes up at its first successful
 * probe (or, with `time-until-up`, once probes have succeeded without a failure for that long)
 * and down when no probe has succeeded for `timeout` seconds (a check that has never
 * succeeded goes down at its first failure). While up, probes run every `up-interval` if set. Probes are asynchronous sockets with their own
 * deadline: they never block the loop and hold no socket past the timeout. Never more than
 * one probe per check at a time.
 */
export class MonitorScheduler {
  private readonly checks = new Map<string, Check>();
  private readonly monitors = new Map<string, MonitorSpec>();
  private readonly now: () => number;
  private readonly probes: Record<MonitorSpec['type'], ProbeFn>;
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private running = false;

  constructor(private readonly options: MonitorSchedulerOptions) {
    this.now = options.now ?? Date.now;
    this.probes = { tcp: tcpProbe, smtp: smtpProbe, ...options.probes };
  }

  /** Sets the monitors and what they check; existing checks keep their status. */
  configure(monitors: readonly MonitorSpec[], targets: readonly CheckTarget[]): void {
    this.monitors.clear();
    for (const m of monitors) this.monitors.set(m.name, m);
    const now = this.now();
    const wanted = new Set<string>();
    for (const t of targets) {
      const spec = this.monitors.get(t.monitor);
      if (!spec) continue;
      const dest = probeDestination(spec.destination, t.address, t.port);
      const key = keyOf(t.monitor, dest.address, dest.port);
      wanted.add(key);
      const existing = this.checks.get(key);
      if (existing) {
        if (JSON.stringify(existing.spec) !== JSON.stringify(spec)) existing.nextProbeAt = now;
        existing.spec = spec;
      } else {
        this.checks.set(key, { monitor: t.monitor, ...dest, status: 'checking', since: now, spec, nextProbeAt: now, inFlight: false });
      }
    }
    for (const key of this.checks.keys()) if (!wanted.has(key)) this.checks.delete(key);
    this.arm();
  }

  /** Whether `monitor` is configured at all. */
  hasMonitor(monitor: string): boolean {
    return this.monitors.has(monitor);
  }

  /** The check of `monitor` on a member, or undefined if it is not configured. */
  get(monitor: string, address: string, port: number): CheckState | undefined {
    const spec = this.monitors.get(monitor);
    if (!spec) return undefined;
    const dest = probeDestination(spec.destination, address, port);
    return this.checks.get(keyOf(monitor, dest.address, dest.port));
  }

  start(): void {
    this.running = true;
    this.arm();
  }

  /** Stops probing, aborts probes in flight and waits for their sockets to close. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await Promise.all(this.inFlight);
  }

  private arm(): void {
    if (!this.running) return;
    let at = Infinity;
    for (const c of this.checks.values()) {
      if (!c.inFlight) at = Math.min(at, c.nextProbeAt);
      const deadline = this.deadline(c);
      if (deadline !== undefined) at = Math.min(at, deadline);
    }
    if (at === Infinity || (this.timer && at >= this.timerAt)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.tick(), Math.max(5, at - this.now()));
    this.timer.unref();
  }

  /** When the check goes down if no probe succeeds before then. */
  private deadline(c: Check): number | undefined {
    if (c.status === 'down') return undefined;
    return (c.lastSuccessAt ?? c.since) + c.spec.timeout * 1000;
  }

  private tick(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    for (const c of this.checks.values()) {
      // A fault in one check (or in whoever listens to its changes) must not stop the others.
      try {
        const deadline = this.deadline(c);
        if (deadline !== undefined && now >= deadline) {
          this.setStatus(c, 'down', c.lastError ?? `no successful probe within ${c.spec.timeout} seconds`);
        }
        if (!c.inFlight && now >= c.nextProbeAt) this.launch(c, now);
      } catch (err) {
        this.options.logger.error({ err, monitor: c.monitor, address: c.address, port: c.port }, 'monitor check fault');
      }
    }
    this.arm();
  }

  private launch(c: Check, now: number): void {
    c.inFlight = true;
    const interval = c.status === 'up' && c.spec.upInterval ? c.spec.upInterval : c.spec.interval;
    c.nextProbeAt = now + interval * 1000;
    const probe = this.probes[c.spec.type];
    // A probe that throws, even synchronously, is a failed probe; a fault in finish() is logged.
    const done = Promise.resolve()
      .then(() => probe(c.address, c.port, c.spec, c.spec.timeout * 1000, this.abort.signal))
      .catch((err: Error): ProbeResult => ({ ok: false, error: err instanceof Error ? err.message : String(err) }))
      .then((result) => this.finish(c, result))
      .catch((err: unknown) => {
        c.inFlight = false;
        this.options.logger.error({ err, monitor: c.monitor, address: c.address, port: c.port }, 'monitor check fault');
        this.arm();
      })
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  private finish(c: Check, result: ProbeResult): void {
    c.inFlight = false;
    // A check removed by a reconfiguration or a stopped scheduler takes no result.
    if (!this.running || this.checks.get(keyOf(c.monitor, c.address, c.port)) !== c) return;
    const now = this.now();
    if (result.ok) {
      c.lastSuccessAt = now;
      c.streakSince ??= now;
      const waitMs = c.status === 'up' ? 0 : (c.spec.timeUntilUp ?? 0) * 1000;
      if (now - c.streakSince >= waitMs) this.setStatus(c, 'up');
    } else {
      c.streakSince = undefined;
      c.lastError = result.error ?? 'probe failed';
      if (c.status === 'checking') this.setStatus(c, 'down', c.lastError);
    }
    this.arm();
  }

  private setStatus(c: Check, status: CheckState['status'], error?: string): void {
    if (c.status === status) return;
    c.status = status;
    c.since = this.now();
    if (error !== undefined) c.lastError = error;
    this.options.logger.debug({ monitor: c.monitor, address: c.address, port: c.port, status, error }, 'monitor check changed');
    this.options.onChange?.({ monitor: c.monitor, address: c.address, port: c.port, status, lastError: c.lastError, lastSuccessAt: c.lastSuccessAt, since: c.since });
  }
}
