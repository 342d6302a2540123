/**
 * Deadlines that make a session's cost depend on its progress, not on its patience. The idle
 * timer (tcp profile) is reset by any byte, so on its own a client trickling one byte every 290 s
 * holds the session and its member connection for ever. These follow Postfix's per-request
 * deadlines (smtpd_per_request_deadline, smtpd_min_data_rate):
 * - the first command must arrive complete within `firstCommandMs` of the connection;
 * - each later command line must arrive complete within `commandMs` of the one before (time spent
 *   waiting for the member's replies is the member's, and does not count);
 * - DATA content starts with `commandMs` and earns 1 s per `minDataRate` bytes, never more than
 *   `commandMs` ahead: a slow but steady upload lives, a trickle does not;
 * - the member's reply to the end of DATA gets `dataEndMs` (RFC 5321 4.5.3.2.6: 10 minutes), with
 *   the idle timer suspended, since giving up early risks a duplicate delivery;
 * - a session older than `maxAgeMs` is closed at its next command boundary.
 * 0 turns a rule off.
 */

export interface DeadlineConfig {
  firstCommandMs: number;
  commandMs: number;
  /** Bytes per second of DATA content that earn more time. */
  minDataRate: number;
  dataEndMs: number;
  maxAgeMs: number;
}

export type Expiry = 'first-command' | 'command' | 'data' | 'data-end' | 'max-age';

export interface DeadlineHooks {
  expired(why: Expiry): void;
  /** The session waits for the member (greeting, owed replies): the client is not late. */
  waitingOnMember(): boolean;
  /** Nothing in flight either way: a good moment to close an old session. */
  atBoundary(): boolean;
}

export class SessionDeadlines {
  /**
   * One timer for the client's and the member's deadlines and the session's age, armed for the
   * earliest of them and never re-armed for a later one: deadlines move later with every command
   * and DATA chunk, and the timer, when it fires, finds the new due time and sleeps again. Only a
   * deadline that moves earlier costs a new timer (a few per session instead of several per message).
   */
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private clientDue = Infinity;
  private clientWhy: Expiry = 'first-command';
  /** When the member's end-of-DATA reply is due (Infinity: none awaited). */
  private memberDue = Infinity;
  /** When the session becomes old (maxAgeMs); Infinity once it is, or with the rule off. */
  private ageDue = Infinity;
  private old = false;
  private stopped = false;

  constructor(private readonly cfg: DeadlineConfig, private readonly hooks: DeadlineHooks, private readonly now: () => number = Date.now) {}

  /** True while the member's end-of-DATA reply is awaited (the idle timer stays off). */
  get awaitingDataEnd(): boolean {
    return this.memberDue !== Infinity;
  }

  start(): void {
    if (this.cfg.maxAgeMs > 0) this.ageDue = this.now() + this.cfg.maxAgeMs;
    this.armClient(this.cfg.firstCommandMs, 'first-command');
    this.schedule();
  }

  /** A command line was read (or TLS came up): the next command is due. */
  expectCommand(): void {
    if (this.old && this.hooks.atBoundary()) return this.expire('max-age');
    this.armClient(this.cfg.commandMs, 'command');
  }

  dataStarted(): void {
    this.armClient(this.cfg.commandMs, 'data');
  }

  /** `n` content bytes arrived: they buy n/minDataRate seconds, up to a full command timeout ahead. */
  dataProgress(n: number): void {
    if (this.cfg.commandMs <= 0 || this.cfg.minDataRate <= 0 || this.stopped) return;
    const now = this.now();
    const due = Math.min(this.clientDue + (n * 1000) / this.cfg.minDataRate, now + this.cfg.commandMs);
    if (due > this.clientDue) this.setClient(due, 'data');
  }

  /** The message is out: the member has dataEndMs to answer, and the client owes nothing. */
  awaitDataReply(): void {
    this.clientDue = Infinity;
    if (this.cfg.dataEndMs > 0 && !this.stopped) {
      this.memberDue = this.now() + this.cfg.dataEndMs;
      this.schedule();
    }
  }

  dataReplied(): void {
    this.memberDue = Infinity;
    this.expectCommand();
  }

  stop(): void {
    this.stopped = true;
    this.clientDue = this.memberDue = this.ageDue = Infinity;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private armClient(ms: number, why: Expiry): void {
    if (ms <= 0 || this.stopped) {
      this.clientDue = Infinity;
      return;
    }
    this.setClient(this.now() + ms, why);
  }

  private setClient(due: number, why: Expiry): void {
    this.clientDue = due;
    this.clientWhy = why;
    this.schedule();
  }

  /** Make sure the timer fires no later than the earliest deadline. */
  private schedule(): void {
    const due = Math.min(this.clientDue, this.memberDue, this.ageDue);
    if (this.stopped || due === Infinity || (this.timer && this.timerAt <= due)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = due;
    this.timer = setTimeout(this.onTimer, Math.max(1, due - this.now()));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.stopped) return;
    const now = this.now();
    if (this.memberDue <= now) return this.expire('data-end');
    if (this.ageDue <= now) {
      this.ageDue = Infinity;
      this.old = true;
      if (this.hooks.atBoundary()) return this.expire('max-age');
      // Otherwise the next command boundary (expectCommand) closes it.
    }
    if (this.clientDue <= now) {
      // Waiting on the member is not the client's delay: start its clock again when it is its turn.
      if (!this.hooks.waitingOnMember()) return this.expire(this.clientWhy);
      this.armClient(this.clientWhy === 'first-command' ? this.cfg.firstCommandMs : this.cfg.commandMs, this.clientWhy);
    }
    this.schedule();
  };

  private expire(why: Expiry): void {
    if (this.stopped) return;
    this.stop();
    this.hooks.expired(why);
  }
}
