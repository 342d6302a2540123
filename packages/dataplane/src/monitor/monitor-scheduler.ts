import type { Logger } from 'pino';
import type { MonitorSpec } from '../desired-state';
import type { ProbeResult } from './probe-socket';
import { tcpProbe } from './tcp-probe';
import { smtpProbe } from './smtp-probe';
import { httpProbe, tcpHalfOpenProbe } from './http-probe';
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
  /** The monitor has `manual-resume`: a check it marks down stays down until resumed. */
  manualResume?: boolean;
  /** Down and held by manual resume although its last probe passed. */
  awaitingResume?: boolean;
}

/** A member a monitor must check. */
export interface CheckTarget {
  monitor: string;
  address: string;
  port: number;
  /** The pool member (`<pool> <member>`) and its resume token: a token that moves releases a manual-resume hold. */
  resume?: { member: string; token: number };
}

interface Check extends CheckState {
  spec: MonitorSpec;
  nextProbeAt: number;
  inFlight: boolean;
  /** Start of the current run of successful probes (for `time-until-up`). */
  streakSince?: number;
  /** Launch of the first probe since the last success that has not succeeded (in flight or failed). */
  pendingSince?: number;
  /** A probe failed since the last success: back to `interval` from `up-interval`. */
  failedSinceSuccess?: boolean;
  /** Marked down by a manual-resume monitor: stays down until a member's resume token moves. */
  held?: boolean;
  /** The resume token last seen per pool member this check serves. */
  resumeTokens: Map<string, number>;
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
 * succeeded goes down at its first failure; a probe that reports a definite down, such as a
 * reverse monitor's match, marks it down at once).
 *
 * `manual-resume`: a check it marks down is held down, its passing probes only noted
 * (`awaitingResume`), until the resume token of a pool member it serves moves (an administrator
 * enabled the member) while its probes pass. Held per check, so every pool sharing the member
 * is released together.
 *
 * `up-interval`: while up and healthy, probes run that far apart; the first probe that does
 * not succeed puts the check back on `interval`, and the `timeout` countdown then runs as if
 * probes had been `interval` apart all along, so an up-interval longer than the timeout never
 * marks a healthy member down between two probes. Probes are asynchronous sockets with their
 * own deadline: they never block the loop and hold no socket past the timeout. Never more than
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
    this.probes = { tcp: tcpProbe, smtp: smtpProbe, http: httpProbe, https: httpProbe, 'tcp-half-open': tcpHalfOpenProbe, ...options.probes };
  }

  /** Sets the monitors and what they check; existing checks keep their status. */
  configure(monitors: readonly MonitorSpec[], targets: readonly CheckTarget[]): void {
    this.monitors.clear();
    for (const m of monitors) this.monitors.set(m.name, m);
    const now = this.now();
    const wanted = new Set<string>();
    const resumed = new Set<Check>();
    for (const t of targets) {
      const spec = this.monitors.get(t.monitor);
      if (!spec) continue;
      const dest = probeDestination(spec.destination, t.address, t.port);
      const key = keyOf(t.monitor, dest.address, dest.port);
      wanted.add(key);
      const existing = this.checks.get(key);
      const check: Check = existing ?? { monitor: t.monitor, ...dest, status: 'checking', since: now, spec, nextProbeAt: now, inFlight: false, resumeTokens: new Map() };
      if (existing) {
        if (JSON.stringify(existing.spec) !== JSON.stringify(spec)) existing.nextProbeAt = now;
        existing.spec = spec;
      } else {
        this.checks.set(key, check);
      }
      check.manualResume = spec.manualResume;
      if (t.resume) {
        const seen = check.resumeTokens.get(t.resume.member);
        check.resumeTokens.set(t.resume.member, t.resume.token);
        if (seen !== undefined && t.resume.token !== seen) resumed.add(check);
      }
    }
    // A resume releases only a check whose probes pass: one given while the member still fails
    // does not let it back in unattended later.
    for (const c of this.checks.values()) if (c.held && (!c.spec.manualResume || (resumed.has(c) && c.awaitingResume))) this.release(c);
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
    const timeoutMs = c.spec.timeout * 1000;
    if (c.status === 'checking') return (c.lastSuccessAt ?? c.since) + timeoutMs;
    // Up: nothing can go wrong until a probe is outstanding or has failed.
    if (c.pendingSince === undefined) return undefined;
    return Math.max(c.lastSuccessAt ?? c.since, c.pendingSince - c.spec.interval * 1000) + timeoutMs;
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
    c.pendingSince ??= now;
    const healthy = c.status === 'up' && !c.failedSinceSuccess;
    const interval = healthy && c.spec.upInterval ? c.spec.upInterval : c.spec.interval;
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
      c.pendingSince = undefined;
      c.failedSinceSuccess = false;
      c.streakSince ??= now;
      if (c.held) this.setAwaiting(c, true);
      else this.upIfDue(c, now);
    } else {
      c.streakSince = undefined;
      this.setAwaiting(c, false);
      c.lastError = result.error ?? 'probe failed';
      if (!c.failedSinceSuccess && c.status === 'up' && c.spec.upInterval) {
        // Back on `interval` at once rather than an up-interval from now.
        c.nextProbeAt = Math.min(c.nextProbeAt, now + c.spec.interval * 1000);
      }
      c.failedSinceSuccess = true;
      if (c.status === 'checking' || result.down) this.setStatus(c, 'down', c.lastError);
    }
    this.arm();
  }

  /** Up once probes have passed for `time-until-up` (at once when already up or with none set). */
  private upIfDue(c: Check, now: number): void {
    const waitMs = c.status === 'up' ? 0 : (c.spec.timeUntilUp ?? 0) * 1000;
    if (c.streakSince !== undefined && now - c.streakSince >= waitMs) this.setStatus(c, 'up');
  }

  /** An administrator resumed a member of this check: it comes up now if its probes pass. */
  private release(c: Check): void {
    c.held = false;
    const passing = c.awaitingResume === true;
    this.setAwaiting(c, false);
    if (passing) this.upIfDue(c, this.now());
  }

  private setAwaiting(c: Check, awaiting: boolean): void {
    if ((c.awaitingResume ?? false) === awaiting) return;
    c.awaitingResume = awaiting;
    this.notify(c);
  }

  private setStatus(c: Check, status: CheckState['status'], error?: string): void {
    if (c.status === status) return;
    c.status = status;
    c.since = this.now();
    if (error !== undefined) c.lastError = error;
    if (status === 'down' && c.spec.manualResume) c.held = true;
    this.options.logger.debug({ monitor: c.monitor, address: c.address, port: c.port, status, error }, 'monitor check changed');
    this.notify(c);
  }

  private notify(c: Check): void {
    this.options.onChange?.({
      monitor: c.monitor, address: c.address, port: c.port, status: c.status, lastError: c.lastError, lastSuccessAt: c.lastSuccessAt, since: c.since,
      manualResume: c.manualResume, awaitingResume: c.awaitingResume,
    });
  }
}
