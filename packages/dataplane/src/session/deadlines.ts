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
  private client: NodeJS.Timeout | undefined;
  private clientDue = 0;
  /** The duration the client timer was armed with, when it can be re-armed by refresh(). */
  private clientMs: number | undefined;
  private clientWhy: Expiry = 'first-command';
  private member: NodeJS.Timeout | undefined;
  private age: NodeJS.Timeout | undefined;
  private old = false;
  private stopped = false;

  constructor(private readonly cfg: DeadlineConfig, private readonly hooks: DeadlineHooks, private readonly now: () => number = Date.now) {}

  /** True while the member's end-of-DATA reply is awaited (the idle timer stays off). */
  get awaitingDataEnd(): boolean {
    return this.member !== undefined;
  }

  start(): void {
    this.armClient(this.cfg.firstCommandMs, 'first-command');
    if (this.cfg.maxAgeMs > 0) this.age = setTimeout(() => this.onAge(), this.cfg.maxAgeMs);
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
    if (due > this.clientDue) this.armAt(due, 'data');
  }

  /** The message is out: the member has dataEndMs to answer, and the client owes nothing. */
  awaitDataReply(): void {
    this.clearClient();
    if (this.cfg.dataEndMs > 0 && !this.stopped) this.member = setTimeout(() => this.expire('data-end'), this.cfg.dataEndMs);
  }

  dataReplied(): void {
    if (this.member) clearTimeout(this.member);
    this.member = undefined;
    this.expectCommand();
  }

  stop(): void {
    this.stopped = true;
    this.clearClient();
    if (this.member) clearTimeout(this.member);
    if (this.age) clearTimeout(this.age);
    this.member = this.age = undefined;
  }

  private armClient(ms: number, why: Expiry): void {
    if (ms <= 0 || this.stopped) return this.clearClient();
    // One command line after another re-arms the same timer: refresh() instead of a new one.
    if (this.client && this.clientMs === ms) {
      this.client.refresh();
      this.clientDue = this.now() + ms;
      this.clientWhy = why;
      return;
    }
    this.armAt(this.now() + ms, why);
    this.clientMs = ms;
  }

  private armAt(due: number, why: Expiry): void {
    this.clearClient();
    this.clientDue = due;
    this.clientWhy = why;
    this.client = setTimeout(() => this.onClientDue(), Math.max(0, due - this.now()));
    this.clientMs = undefined;
  }

  private clearClient(): void {
    if (this.client) clearTimeout(this.client);
    this.client = undefined;
  }

  private onClientDue(): void {
    this.client = undefined;
    if (this.stopped) return;
    // Waiting on the member is not the client's delay: start its clock again when it is its turn.
    if (this.hooks.waitingOnMember()) return this.armClient(this.clientWhy === 'first-command' ? this.cfg.firstCommandMs : this.cfg.commandMs, this.clientWhy);
    this.expire(this.clientWhy);
  }

  private onAge(): void {
    this.age = undefined;
    this.old = true;
    if (this.hooks.atBoundary()) this.expire('max-age');
    // Otherwise the next command boundary (expectCommand) closes it.
  }

  private expire(why: Expiry): void {
    if (this.stopped) return;
    this.stop();
    this.hooks.expired(why);
  }
}
