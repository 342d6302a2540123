/**
 * The desired state as the primary sends it to workers: only what changed since the last
 * message. The desired-state reader keeps the identity of unchanged specs, so "changed" is a
 * reference comparison, and a one-line edit with 10,000 virtuals sends one virtual, not all.
 */
import type { ClientSslSpec, DesiredState, PoolSpec, VirtualSpec } from '../desired-state';
import { limitShare } from './limit-shares';
import type { PrimaryMessage, WireVirtual } from './messages';

type StateMessage = Extract<PrimaryMessage, { type: 'state' }>;

/** What was last broadcast; `delta` moves it forward. */
export class StateBroadcast {
  private readonly virtuals = new Map<string, VirtualSpec>();
  private readonly pools = new Map<string, PoolSpec>();
  private generation = -1;

  /**
   * The changes from the last broadcast to `desired` (the base message, before limit shares).
   * One pass of map lookups, no copy of the tables: it runs on every change, with 10,000
   * virtuals too. Names are unique, so only when the table shrank is a removal looked for.
   */
  delta(desired: DesiredState): { virtuals: VirtualSpec[]; removedVirtuals: string[]; pools: PoolSpec[]; removedPools: string[] } {
    const [virtuals, removedVirtuals] = advance(this.virtuals, desired.virtuals);
    const [pools, removedPools] = advance(this.pools, desired.pools);
    this.generation = desired.generation;
    return { virtuals, removedVirtuals, pools, removedPools };
  }

  /** A spec as last broadcast, by name. */
  virtual(name: string): VirtualSpec | undefined {
    return this.virtuals.get(name);
  }

  /** Everything last broadcast, for a worker that just started. */
  everything(): { virtuals: VirtualSpec[]; removedVirtuals: string[]; pools: PoolSpec[]; removedPools: string[] } {
    return { virtuals: [...this.virtuals.values()], removedVirtuals: [], pools: [...this.pools.values()], removedPools: [] };
  }

  get lastGeneration(): number {
    return this.generation;
  }
}

/** Moves `known` to `next` in place; returns the specs that are new or different, and the names gone. */
function advance<T extends { name: string }>(known: Map<string, T>, next: readonly T[]): [changed: T[], removed: string[]] {
  const changed: T[] = [];
  for (const spec of next) {
    if (known.get(spec.name) === spec) continue;
    known.set(spec.name, spec);
    changed.push(spec);
  }
  const removed: string[] = [];
  if (known.size > next.length) {
    const names = new Set(next.map((x) => x.name));
    for (const name of known.keys()) {
      if (!names.has(name)) {
        known.delete(name);
        removed.push(name);
      }
    }
  }
  return [changed, removed];
}

/** One worker's message: its share of every member connection limit, client-ssl specs once by name. */
export function stateMessage(
  change: { virtuals: VirtualSpec[]; removedVirtuals: string[]; pools: PoolSpec[]; removedPools: string[] },
  generation: number,
  full: boolean,
  index: number,
  workers: number,
): StateMessage {
  const clientSsl: Record<string, ClientSslSpec> = {};
  const virtuals: WireVirtual[] = change.virtuals.map((v) => {
    const { clientSsl: ssl, ...rest } = v;
    // Virtual limits travel whole: the primary admits (primary-admission.ts), workers do not.
    const wire: WireVirtual = rest;
    if (ssl) {
      clientSsl[ssl.name] = ssl;
      wire.clientSsl = ssl.name;
    }
    return wire;
  });
  const pools = change.pools.map((p) =>
    p.members.some((m) => m.connectionLimit > 0)
      ? { ...p, members: p.members.map((m) => ({ ...m, connectionLimit: limitShare(m.connectionLimit, index, workers) })) }
      : p,
  );
  return { type: 'state', full, generation, virtuals, removedVirtuals: change.removedVirtuals, pools, removedPools: change.removedPools, clientSsl };
}

/** The worker's side: the desired state rebuilt from the messages, unchanged specs kept as they were. */
export class StateAssembly {
  private readonly virtuals = new Map<string, VirtualSpec>();
  private readonly pools = new Map<string, PoolSpec>();
  /** Client-ssl specs as last received, kept while unchanged so TLS contexts built from them are reused. */
  private readonly clientSsl = new Map<string, { text: string; spec: ClientSslSpec }>();
  private generation = -1;

  private sslSpec(spec: ClientSslSpec): ClientSslSpec {
    const text = JSON.stringify(spec);
    const known = this.clientSsl.get(spec.name);
    if (known && known.text === text) return known.spec;
    this.clientSsl.set(spec.name, { text, spec });
    return spec;
  }

  /** A virtual's spec as last assembled, by name. */
  virtual(name: string): VirtualSpec | undefined {
    return this.virtuals.get(name);
  }

  apply(message: StateMessage): DesiredState {
    if (message.full) {
      this.virtuals.clear();
      this.pools.clear();
    }
    for (const name of message.removedVirtuals) this.virtuals.delete(name);
    for (const name of message.removedPools) this.pools.delete(name);
    const specs = new Map(Object.entries(message.clientSsl).map(([name, spec]) => [name, this.sslSpec(spec)]));
    for (const w of message.virtuals) {
      const { clientSsl, ...rest } = w;
      const ssl = clientSsl !== undefined ? specs.get(clientSsl) : undefined;
      this.virtuals.set(w.name, { ...rest, ...(ssl ? { clientSsl: ssl } : {}) });
    }
    for (const p of message.pools) this.pools.set(p.name, p);
    this.generation = message.generation;
    return { generation: this.generation, virtuals: [...this.virtuals.values()], pools: [...this.pools.values()], monitors: [] };
  }
}

/**
 * The specs diffChanged needs (the changed names and those of `actual`), looked up by name:
 * the same answer as handing it the whole desired state, without a scan of every virtual.
 */
export function specsFor(changed: ReadonlySet<string>, actual: ReadonlyArray<{ name: string }>, lookup: (name: string) => VirtualSpec | undefined): VirtualSpec[] {
  const out: VirtualSpec[] = [];
  for (const name of new Set([...changed, ...actual.map((a) => a.name)])) {
    const spec = lookup(name);
    if (spec) out.push(spec);
  }
  return out;
}
