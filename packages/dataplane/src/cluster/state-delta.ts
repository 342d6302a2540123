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
  private virtuals = new Map<string, VirtualSpec>();
  private pools = new Map<string, PoolSpec>();
  private generation = -1;

  /** The changes from the last broadcast to `desired` (the base message, before limit shares). */
  delta(desired: DesiredState): { virtuals: VirtualSpec[]; removedVirtuals: string[]; pools: PoolSpec[]; removedPools: string[] } {
    const virtuals = desired.virtuals.filter((v) => this.virtuals.get(v.name) !== v);
    const pools = desired.pools.filter((p) => this.pools.get(p.name) !== p);
    const nextV = new Map(desired.virtuals.map((v) => [v.name, v]));
    const nextP = new Map(desired.pools.map((p) => [p.name, p]));
    const removedVirtuals = [...this.virtuals.keys()].filter((n) => !nextV.has(n));
    const removedPools = [...this.pools.keys()].filter((n) => !nextP.has(n));
    this.virtuals = nextV;
    this.pools = nextP;
    this.generation = desired.generation;
    return { virtuals, removedVirtuals, pools, removedPools };
  }

  /** Everything last broadcast, for a worker that just started. */
  everything(): { virtuals: VirtualSpec[]; removedVirtuals: string[]; pools: PoolSpec[]; removedPools: string[] } {
    return { virtuals: [...this.virtuals.values()], removedVirtuals: [], pools: [...this.pools.values()], removedPools: [] };
  }

  get lastGeneration(): number {
    return this.generation;
  }
}

/** One worker's message: its share of every limit, client-ssl specs once by name. */
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
    const wire: WireVirtual = {
      ...rest,
      connectionLimit: limitShare(v.connectionLimit, index, workers),
      ...(v.rateLimit ? { rateLimit: { ...v.rateLimit, perSecond: limitShare(v.rateLimit.perSecond, index, workers) } } : {}),
      ...(v.addressLimit ? { addressLimit: { ...v.addressLimit, limit: limitShare(v.addressLimit.limit, index, workers) } } : {}),
    };
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
