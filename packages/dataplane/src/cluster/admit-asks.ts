/**
 * A worker's admission asks. Virtual limits (connection-limit, rate-limit, the virtual address's
 * connection-limit) and the daemon's per-source limit are counted exactly, across workers, by the
 * primary (primary-admission.ts). A connection for a virtual with none of them is admitted by the
 * worker that accepted it, with no message at all; one with any of them waits, unread, for the
 * primary's answer. Asks made in one turn of the event loop travel in one message, and the
 * primary answers a turn's asks in one message too.
 */
import type { Peer, Refusal } from '../listener/admission';
import type { VirtualSpec } from '../desired-state';
import type { PrimaryMessage, WorkerMessage } from './messages';

/** An admission id, a refusal, or `gone` (the virtual no longer runs, or the primary is gone). */
export type AdmitAnswer = number | Refusal | 'gone';

type Asks = Extract<WorkerMessage, { type: 'admit' }>['asks'];

/** Whether the primary must count a connection to `spec` (with the daemon's per-source limit `sourceLimit`). */
export function primaryCounts(spec: VirtualSpec, sourceLimit: number): boolean {
  return sourceLimit !== 0 || spec.connectionLimit !== 0 || (spec.rateLimit?.perSecond ?? 0) !== 0 || (spec.addressLimit?.limit ?? 0) !== 0;
}

export class AdmitAsks {
  private next = 0;
  private readonly waiting = new Map<number, (answer: AdmitAnswer) => void>();
  private batch: Asks = [];
  private queued = false;

  constructor(
    private readonly send: (message: WorkerMessage) => boolean,
  ) {}

  get pending(): number {
    return this.waiting.size;
  }

  ask(virtual: string, peer: Peer, done: (answer: AdmitAnswer) => void): void {
    const id = ++this.next;
    this.waiting.set(id, done);
    this.batch.push([id, virtual, peer.remoteAddress, peer.localAddress]);
    if (this.queued) return;
    this.queued = true;
    setImmediate(() => this.flush());
  }

  answer(message: Extract<PrimaryMessage, { type: 'admitted' }>): void {
    for (const [ask, answer] of message.answers) {
      const done = this.waiting.get(ask);
      this.waiting.delete(ask);
      done?.(answer);
    }
  }

  /** The primary is gone: nobody will answer. */
  abandon(): void {
    this.batch = [];
    const all = [...this.waiting.values()];
    this.waiting.clear();
    for (const done of all) done('gone');
  }

  private flush(): void {
    this.queued = false;
    const asks = this.batch;
    this.batch = [];
    if (asks.length > 0 && !this.send({ type: 'admit', asks })) this.abandon();
  }
}
