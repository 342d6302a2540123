/**
 * Admission in the primary. Workers ask it about every connection to a virtual with limits (or
 * with the per-source limit on), so it counts exactly what a
 * single process would: a virtual's `connection-limit` and `rate-limit`, its virtual address's
 * `connection-limit` (across the address's virtuals) and the daemon's
 * per-source limit are checked here, with their full values, before the worker that accepted the
 * connection reads from it (admit-asks.ts; a virtual with none of these limits needs no count). Each admitted
 * connection gets an id; the worker holding it reports the id when the client's socket closes
 * (batched), and a worker that dies gives back every id it held.
 *
 * A worker reports a close a little after the client sees it (one IPC hop, and the worker's event
 * loop, which is busy under load). A client that ends a session and at once opens the next one
 * would race that report and be refused while under its limit; so a connection over a
 * concurrency limit (not a rate) waits, unread, for up to `graceMs` for a slot to be released
 * before it is refused. At most MAX_WAITING connections wait; beyond that they are refused at once.
 *
 * The key is the virtual the connection was accepted for (after matching), never the socket.
 */
import type { VirtualSpec } from '../desired-state';
import { Admission, type AdmissionPolicy, type Peer, type Refusal, type Ticket } from '../listener/admission';
import { RateWindows } from '../listener/rate-windows';

/** The refusal counters of one virtual, as `show ltm virtual` names them. */
export interface RefusalCounts {
  connectionLimitRejected: number;
  sourceLimitRejected: number;
  rateLimitRejected: number;
}

const COUNTER = {
  'connection-limit': 'connectionLimitRejected',
  'source-limit': 'sourceLimitRejected',
  'rate-limit': 'rateLimitRejected',
} as const satisfies Record<Refusal, keyof RefusalCounts>;

interface Entry {
  spec: VirtualSpec;
  admission: Admission;
}

/** Connections waiting for a slot, across every virtual; more are refused at once. */
const MAX_WAITING = 1024;

interface Waiting {
  spec: VirtualSpec;
  peer: Peer;
  admitted(id: number): void;
  refused(why: Refusal): void;
  why: Refusal;
  timer: NodeJS.Timeout;
}

interface Open<Owner> {
  ticket: Ticket;
  owner?: Owner;
}

export class PrimaryAdmission<Owner> {
  private readonly virtuals = new Map<string, Entry>();
  /** Shared by every virtual: rate keys without `object` span virtuals, as in one process. */
  private readonly rates = new RateWindows();
  /** Connections per virtual address, counted across every virtual on it (its connection-limit). */
  private readonly addressCounts = new Map<string, number>();
  private readonly open = new Map<number, Open<Owner>>();
  private readonly owned = new Map<Owner, Set<number>>();
  private readonly refused = new Map<string, RefusalCounts>();
  private nextId = 0;
  private waiting: Waiting[] = [];
  private retryQueued = false;

  constructor(
    private readonly sourceLimit: number,
    private readonly clock: () => number = Date.now,
    private readonly graceMs = 500,
  ) {}

  /**
   * Admits a connection (`admitted` with its id, at once or when a slot frees within the grace)
   * or refuses it (`refused`, counted).
   */
  offer(spec: VirtualSpec, peer: Peer, admitted: (id: number) => void, refused: (why: Refusal) => void): void {
    const r = this.admit(spec, peer, false);
    if (typeof r === 'number') return admitted(r);
    if (r === 'rate-limit' || this.graceMs <= 0 || this.waiting.length >= MAX_WAITING) {
      this.count(spec.name, r);
      return refused(r);
    }
    const w: Waiting = {
      spec,
      peer,
      admitted,
      refused,
      why: r,
      timer: setTimeout(() => {
        this.waiting = this.waiting.filter((x) => x !== w);
        // One last look: a release may have arrived in this same turn.
        const last = this.again(w);
        if (typeof last === 'number') return w.admitted(last);
        this.count(w.spec.name, last);
        w.refused(last);
      }, this.graceMs),
    };
    this.waiting.push(w);
  }

  /** Connections waiting for a slot now. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** An id for an admitted connection, or why it is refused (counted unless `count` is false). A changed spec applies from this connection on. */
  admit(spec: VirtualSpec, peer: Peer, count = true): number | Refusal {
    let entry = this.virtuals.get(spec.name);
    if (!entry) {
      entry = { spec, admission: new Admission(this.policy(spec), this.rates, this.clock, this.addressCounts) };
      this.virtuals.set(spec.name, entry);
    } else if (entry.spec !== spec) {
      entry.spec = spec;
      entry.admission.configure(this.policy(spec));
    }
    const ticket = entry.admission.admit(peer);
    if (typeof ticket === 'string') {
      if (count) this.count(spec.name, ticket);
      return ticket;
    }
    const id = ++this.nextId;
    this.open.set(id, { ticket });
    return id;
  }

  /**
   * A waiting connection, admitted under its virtual's current policy (the spec it arrived with
   * may have been replaced meanwhile: it must not put the old limits back).
   */
  private again(w: Waiting): number | Refusal {
    const entry = this.virtuals.get(w.spec.name);
    return entry ? this.admit(entry.spec, w.peer, false) : w.why;
  }

  private count(virtual: string, why: Refusal): void {
    let counts = this.refused.get(virtual);
    if (!counts) this.refused.set(virtual, (counts = { connectionLimitRejected: 0, sourceLimitRejected: 0, rateLimitRejected: 0 }));
    counts[COUNTER[why]]++;
  }

  /** After releases, waiting connections are looked at again, in arrival order, once per turn. */
  private retryWaiting(): void {
    if (this.retryQueued || this.waiting.length === 0) return;
    this.retryQueued = true;
    setImmediate(() => {
      this.retryQueued = false;
      const still: Waiting[] = [];
      for (const w of this.waiting) {
        const r = this.again(w);
        if (typeof r === 'number') {
          clearTimeout(w.timer);
          w.admitted(r);
        } else still.push(w);
      }
      this.waiting = still;
    });
  }

  /** The connection went to `owner` (a worker); it is released when the owner reports it or goes. */
  handedTo(id: number, owner: Owner): void {
    const o = this.open.get(id);
    if (!o) return;
    o.owner = owner;
    let ids = this.owned.get(owner);
    if (!ids) this.owned.set(owner, (ids = new Set()));
    ids.add(id);
  }

  /** The connection closed (or never reached a worker). Unknown or repeated ids are ignored. */
  release(id: number): void {
    const o = this.open.get(id);
    if (!o) return;
    this.open.delete(id);
    o.ticket.release();
    if (o.owner !== undefined) this.owned.get(o.owner)?.delete(id);
    this.retryWaiting();
  }

  /** The owner died: every connection it held is gone. */
  releaseOwner(owner: Owner): void {
    const ids = this.owned.get(owner);
    this.owned.delete(owner);
    for (const id of ids ?? []) {
      const o = this.open.get(id);
      this.open.delete(id);
      o?.ticket.release();
    }
    this.retryWaiting();
  }

  /** Connections an owner holds now. */
  load(owner: Owner): number {
    return this.owned.get(owner)?.size ?? 0;
  }

  /** Connections admitted and not yet released. */
  get openCount(): number {
    return this.open.size;
  }

  refusals(virtual: string): RefusalCounts | undefined {
    return this.refused.get(virtual);
  }

  /** Turns every waiting connection away now (the daemon is stopping), uncounted. */
  refuseWaiting(): void {
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.refused(w.why);
    }
  }

  /** Virtuals no longer configured: their counts go (connections still open release into nothing). */
  forget(keep: ReadonlySet<string>): void {
    for (const name of this.virtuals.keys()) if (!keep.has(name)) this.virtuals.delete(name);
    for (const name of this.refused.keys()) if (!keep.has(name)) this.refused.delete(name);
  }

  private policy(spec: VirtualSpec): AdmissionPolicy {
    return {
      virtual: spec.name,
      connectionLimit: spec.connectionLimit,
      ...(spec.rateLimit ? { rateLimit: spec.rateLimit } : {}),
      ...(spec.addressLimit ? { addressLimit: spec.addressLimit } : {}),
      sourceLimit: this.sourceLimit,
    };
  }
}
