/**
 * Admission in the primary. The primary accepts every connection, so it counts exactly what a
 * single process would: a virtual's `connection-limit` and `rate-limit` and the daemon's
 * per-source limit are checked here, with their full values, before a connection goes to a
 * worker (workers admit nothing; see VirtualListener's external mode). Each admitted
 * connection gets an id; the worker holding it reports the id when the client's socket closes
 * (batched), and a worker that dies gives back every id it held.
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

interface Open<Owner> {
  ticket: Ticket;
  owner?: Owner;
}

export class PrimaryAdmission<Owner> {
  private readonly virtuals = new Map<string, Entry>();
  /** Shared by every virtual: rate keys without `object` span virtuals, as in one process. */
  private readonly rates = new RateWindows();
  private readonly open = new Map<number, Open<Owner>>();
  private readonly owned = new Map<Owner, Set<number>>();
  private readonly refused = new Map<string, RefusalCounts>();
  private nextId = 0;

  constructor(private readonly sourceLimit: number, private readonly clock: () => number = Date.now) {}

  /** An id for an admitted connection, or why it is refused. A changed spec applies from this connection on. */
  admit(spec: VirtualSpec, peer: Peer): number | Refusal {
    let entry = this.virtuals.get(spec.name);
    if (!entry) {
      entry = { spec, admission: new Admission(this.policy(spec), this.rates, this.clock) };
      this.virtuals.set(spec.name, entry);
    } else if (entry.spec !== spec) {
      entry.spec = spec;
      entry.admission.configure(this.policy(spec));
    }
    const ticket = entry.admission.admit(peer);
    if (typeof ticket === 'string') {
      let counts = this.refused.get(spec.name);
      if (!counts) this.refused.set(spec.name, (counts = { connectionLimitRejected: 0, sourceLimitRejected: 0, rateLimitRejected: 0 }));
      counts[COUNTER[ticket]]++;
      return ticket;
    }
    const id = ++this.nextId;
    this.open.set(id, { ticket });
    return id;
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
      sourceLimit: this.sourceLimit,
    };
  }
}
