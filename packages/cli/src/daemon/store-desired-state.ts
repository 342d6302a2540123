/**
 * Builds the data plane's desired state from the store: effective values (defaults filled,
 * `defaults-from` resolved), PEMs loaded, names as full paths. The one place that knows both
 * the store's stored forms and the data plane's specs.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { PERSISTENCE_TYPES, formatAddress, fullBits, netmaskPrefix, parseDestination, parsePrefix, type PersistFlush } from '@openltm/model';
import { unescapeTmsh } from '@openltm/parser';
import type { Store, EffectiveObject, StoredProps, StoredValue } from '@openltm/store';
import { parseMonitorRule, memberNode, persistenceInForce, SOURCE_ADDR, NOT_SERVED_KEY } from '@openltm/store';
import type {
  ActivationMode, CertKeyPair, ClientIdentity, XclientFallback, ClientSslSpec, ServerSslSpec, DesiredState, DesiredStateSource, MemberSpec, MonitorRule,
  MonitorSpec, PersistSpec, PoolSpec, RateLimitMode, RateLimitSpec, VirtualSpec,
} from '@openltm/dataplane';

const TYPES = [
  'ltm virtual', 'ltm pool', 'ltm node', 'ltm profile smtps', 'ltm profile client-ssl', 'ltm profile server-ssl', 'ltm profile tcp',
  'ltm monitor smtp', 'ltm monitor tcp', 'ltm monitor http', 'ltm monitor https', 'ltm monitor tcp-half-open',
  'ltm monitor icmp', 'ltm monitor gateway-icmp', 'ltm snatpool', 'ltm snat-translation', 'ltm virtual-address', ...PERSISTENCE_TYPES,
];

/** The monitor types the data plane runs, by the spec type it runs them as. */
const RUN_MONITORS = { smtp: 'ltm monitor smtp', tcp: 'ltm monitor tcp', http: 'ltm monitor http', https: 'ltm monitor https', 'tcp-half-open': 'ltm monitor tcp-half-open' } as const;

function str(v: StoredValue | undefined, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

/** A stored number; `indefinite` means no limit, which the data plane writes as 0. */
function num(v: StoredValue | undefined, fallback: number): number {
  const s = str(v);
  if (s === 'indefinite') return 0;
  const n = Number(s);
  return s !== '' && Number.isFinite(n) ? n : fallback;
}

function optional(v: StoredValue | undefined): string | undefined {
  const s = str(v);
  return s === '' || s === 'none' ? undefined : s;
}

function byName(list: EffectiveObject[] | undefined): Map<string, EffectiveObject> {
  return new Map((list ?? []).map((o) => [o.name, o]));
}

/**
 * A monitor rule for the data plane. Monitors openltm stores but does not run (icmp, gateway-icmp;
 * the store warns when a rule names one) count as passing: they leave an `and` rule, and each one
 * a `min N of` rule names lowers N by one.
 */
function monitorRule(text: string, storedOnly: ReadonlySet<string>): MonitorRule {
  const r = parseMonitorRule(text);
  const monitors = r.monitors.filter((m) => !storedOnly.has(m));
  if (r.minimum === 'all') return { monitors, minimum: 'all' };
  const minimum = Math.max(0, r.minimum - (r.monitors.length - monitors.length));
  return minimum === 0 ? { monitors: [], minimum: 'all' } : { monitors, minimum };
}

/** Reads a PEM from the store, adding it to the digest of what a profile was built from. */
type PemReader = (type: 'sys file ssl-cert' | 'sys file ssl-key' | 'sys file ssl-crl', name: string) => { pem: string; passphrase?: string } | undefined;

/**
 * TLS profile specs by profile, with their PEMs read once per snapshot and kept while the
 * profile and the digests of its files are unchanged: every virtual using a profile shares one
 * spec object, so the reconcile diff and the workers see it unchanged at a glance, and a TLS
 * context is built once per profile. A PEM missing from the store is an error (logged, naming
 * the file) rather than a pair silently skipped; a client-ssl profile missing its certificate or
 * key then loads no pair, so its virtuals report "has no certificate and key".
 */
class ProfileCache {
  private readonly specs = new Map<string, { key: string; spec: unknown }>();
  private seen = new Map<string, unknown>();

  constructor(
    private readonly store: Store,
    private readonly logger?: Logger,
  ) {}

  /** Starts a new snapshot: profiles are looked at again, once each. */
  begin(): void {
    this.seen = new Map();
  }

  get<T>(profile: EffectiveObject, build: (p: StoredProps, read: PemReader) => T): T {
    const known = this.seen.get(profile.name);
    if (known) return known as T;
    const digest = createHash('sha256').update(JSON.stringify(profile.properties));
    const missing: string[] = [];
    const read: PemReader = (type, name) => {
      const f = this.store.pem(type as 'sys file ssl-cert', name);
      if (!f) missing.push(`${type} ${name}`);
      else digest.update(f.pem).update(f.passphrase ?? '');
      return f;
    };
    const spec = build(profile.properties, read);
    const key = digest.update(missing.join()).digest('hex');
    const cached = this.specs.get(profile.name);
    if (missing.length > 0 && cached?.key !== key) {
      this.logger?.error(
        { profile: profile.name, missing },
        `SSL profile (${profile.name}): ${missing.join(', ')} has no key material in the store; the profile is applied without it`,
      );
    }
    const result = cached && cached.key === key ? cached.spec : spec;
    this.specs.set(profile.name, { key, spec: result });
    this.seen.set(profile.name, result);
    return result as T;
  }
}

function clientSsl(p: StoredProps, read: PemReader): ClientSslSpec {
  const chain = (p['cert-key-chain'] ?? {}) as StoredProps;
  const pairs: CertKeyPair[] = [];
  let pairMissing = false;
  for (const entry of Object.values(chain) as StoredProps[]) {
    const cert = read('sys file ssl-cert', str(entry.cert));
    const key = read('sys file ssl-key', str(entry.key));
    const extra = optional(entry.chain) ? read('sys file ssl-cert', str(entry.chain)) : undefined;
    if (!cert || !key || (optional(entry.chain) && !extra)) {
      pairMissing = true;
      continue;
    }
    const passphrase = optional(entry.passphrase) ?? key.passphrase;
    pairs.push({ cert: extra ? `${cert.pem.trim()}\n${extra.pem.trim()}\n` : cert.pem, key: key.pem, ...(passphrase ? { passphrase } : {}) });
  }
  const options = p.options;
  const serverName = optional(p['server-name']);
  const caFile = optional(p['ca-file']) ? read('sys file ssl-cert', str(p['ca-file']))?.pem : undefined;
  const crlFile = optional(p['crl-file']) ? read('sys file ssl-crl', str(p['crl-file']))?.pem : undefined;
  return {
    name: '',
    // A pair with a file missing fails the whole profile rather than serving with fewer pairs.
    certKeyChain: pairMissing ? [] : pairs,
    ciphers: str(p.ciphers, 'DEFAULT'),
    options: Array.isArray(options) ? options.filter((o) => o !== 'none') : [],
    handshakeTimeout: num(p['handshake-timeout'], 10),
    ...(serverName ? { serverName } : {}),
    sniDefault: str(p['sni-default']) === 'true',
    sniRequire: str(p['sni-require']) === 'true',
    peerCertMode: peerCertMode(str(p['peer-cert-mode'], 'ignore')),
    ...(caFile ? { caFile } : {}),
    ...(crlFile ? { crlFile } : {}),
    authenticateDepth: num(p['authenticate-depth'], 9),
    cacheSize: num(p['cache-size'], 262144),
    cacheTimeout: num(p['cache-timeout'], 3600),
    sessionTicket: str(p['session-ticket']) === 'enabled',
  };
}

function serverSsl(p: StoredProps, read: PemReader): ServerSslSpec {
  const cert = optional(p.cert) ? read('sys file ssl-cert', str(p.cert)) : undefined;
  const key = optional(p.key) ? read('sys file ssl-key', str(p.key)) : undefined;
  const chain = optional(p.chain) ? read('sys file ssl-cert', str(p.chain)) : undefined;
  const caFile = optional(p['ca-file']) ? read('sys file ssl-cert', str(p['ca-file']))?.pem : undefined;
  const serverName = optional(p['server-name']);
  const options = p.options;
  return {
    name: '',
    ...(cert && key ? { certKey: { cert: chain ? `${cert.pem.trim()}\n${chain.pem.trim()}\n` : cert.pem, key: key.pem, ...(key.passphrase ? { passphrase: key.passphrase } : {}) } } : {}),
    ciphers: str(p.ciphers, 'DEFAULT'),
    options: Array.isArray(options) ? options.filter((o) => o !== 'none') : [],
    ...(serverName ? { serverName } : {}),
    peerCertMode: str(p['peer-cert-mode']) === 'require' ? 'require' : 'ignore',
    ...(caFile ? { caFile } : {}),
    handshakeTimeout: num(p['handshake-timeout'], 10),
  };
}

/** `auto` is BIG-IP's name for "as the system decides": openltm decides ignore. */
function peerCertMode(v: string): ClientSslSpec['peerCertMode'] {
  return v === 'request' || v === 'require' ? v : 'ignore';
}

/**
 * A virtual's client-ssl profiles: the only one, or the SNI default with the others beside it
 * (the store refuses several without exactly one `sni-default true`).
 */
function clientSslProfiles(list: ClientSslSpec[]): { clientSsl?: ClientSslSpec; sniProfiles?: ClientSslSpec[] } {
  if (list.length === 0) return {};
  if (list.length === 1) return { clientSsl: list[0] };
  const def = list.find((s) => s.sniDefault) ?? list[0];
  return { clientSsl: def, sniProfiles: list.filter((s) => s !== def) };
}

/** The profile objects a virtual's profile names resolve to, by full path. */
interface ProfileMaps {
  smtps: Map<string, EffectiveObject>;
  clientSsl: Map<string, EffectiveObject>;
  serverSsl: Map<string, EffectiveObject>;
  tcp: Map<string, EffectiveObject>;
  /** Not a profile, but resolved by name the same way (source-address-translation pool). */
  snatpools: Map<string, EffectiveObject>;
  /** Persistence profiles of every kind, by type key (only source-addr ones take effect). */
  persistence: Map<string, Map<string, EffectiveObject>>;
  /** SNAT translations by name: a SNAT pool's members name them. */
  translations: Map<string, EffectiveObject>;
  /** Virtual addresses by their address (`10.0.0.1`), as a virtual's destination names them. */
  addresses: Map<string, EffectiveObject>;
}

/** The virtual's source-addr persistence, from its persist list or fallback-persistence (the store's rule). */
function persistSpec(p: StoredProps, profiles: ProfileMaps): Pick<VirtualSpec, 'persist'> {
  const kindOf = (path: string) => PERSISTENCE_TYPES.find((t) => profiles.persistence.get(t)?.has(path));
  const { profile } = persistenceInForce(p, kindOf);
  const obj = profile ? profiles.persistence.get(SOURCE_ADDR)?.get(profile) : undefined;
  if (!obj) return {};
  const q = obj.properties;
  const on = (name: string) => str(q[name]) === 'enabled';
  const persist: PersistSpec = {
    profile: obj.name,
    timeout: num(q.timeout, 180),
    mask: str(q.mask, 'none'),
    matchAcrossPools: on('match-across-pools'),
    matchAcrossServices: on('match-across-services'),
    matchAcrossVirtuals: on('match-across-virtuals'),
    overrideConnectionLimit: on('override-connection-limit'),
  };
  return { persist };
}

/** BIG-IP writes the wildcard addresses 0.0.0.0 and :: as any and any6. */
const addressOf = (o: EffectiveObject): string => ({ any: '0.0.0.0', any6: '::' })[str(o.properties.address)] ?? str(o.properties.address);

function byAddress(list: Iterable<EffectiveObject>): Map<string, EffectiveObject> {
  return new Map([...list].map((o) => [addressOf(o), o]));
}

/** The virtual address of a virtual: `enabled no` disables every virtual on it; its connection-limit spans them. */
function addressSettings(va: EffectiveObject | undefined): { enabled: boolean; limit?: VirtualSpec['addressLimit'] } {
  if (!va) return { enabled: true };
  const limit = num(va.properties['connection-limit'], 0);
  return { enabled: str(va.properties.enabled, 'yes') !== 'no', ...(limit > 0 ? { limit: { name: va.name, limit } } : {}) };
}

function virtualSpec(vs: EffectiveObject, profiles: ProfileMaps, cache: ProfileCache): VirtualSpec | undefined {
  const p = vs.properties;
  // Kept from a loaded file but not servable (a profile openltm does not serve, udp, ...): no listener; show says why.
  if (p[NOT_SERVED_KEY] !== undefined) return undefined;
  const dest = parseDestination(str(p.destination));
  if (!dest) return undefined;
  let member: ServerSslSpec | undefined;
  let smtps: VirtualSpec['smtps'];
  const ssl: ClientSslSpec[] = [];
  let idleTimeout = 300;
  for (const name of Object.keys((p.profiles ?? {}) as StoredProps)) {
    const s = profiles.smtps.get(name);
    if (s) {
      smtps = {
        name,
        activationMode: str(s.properties['activation-mode'], 'require') as ActivationMode,
        allowPlaintextAuth: str(s.properties['allow-plaintext-auth'], 'disabled') === 'enabled',
        clientIdentity: str(s.properties['client-identity'], 'none') as ClientIdentity,
        xclientFallback: str(s.properties['xclient-fallback'], 'next-member') as XclientFallback,
      };
    }
    const c = profiles.clientSsl.get(name);
    if (c) ssl.push(cache.get(c, (props, read) => ({ ...clientSsl(props, read), name: c.name })));
    const sv = profiles.serverSsl.get(name);
    if (sv) member = cache.get(sv, (props, read) => ({ ...serverSsl(props, read), name: sv.name }));
    const t = profiles.tcp.get(name);
    if (t) idleTimeout = num(t.properties['idle-timeout'], 300);
  }
  const va = addressSettings(profiles.addresses.get(formatAddress(dest)));
  return {
    name: vs.name,
    enabled: str(p.enabled, 'enabled') !== 'disabled' && va.enabled,
    ...(va.limit ? { addressLimit: va.limit } : {}),
    address: dest.address,
    port: dest.port,
    ...matchRule(p, dest.family),
    ...(smtps ? { smtps } : {}),
    ...clientSslProfiles(ssl),
    ...(member ? { serverSsl: member } : {}),
    idleTimeout,
    ...(optional(p.pool) ? { pool: str(p.pool) } : {}),
    connectionLimit: num(p['connection-limit'], 0),
    ...rateLimit(p),
    ...snat(p, profiles.snatpools, profiles.translations),
    ...persistSpec(p, profiles),
  };
}

/** The destination prefix (from `mask`; the store writes it there) and the source prefix, when not a host and any client. */
function matchRule(p: StoredProps, family: 4 | 6): Pick<VirtualSpec, 'prefix' | 'source'> {
  const mask = str(p.mask, '255.255.255.255');
  const prefix = mask === '255.255.255.255' && family === 6 ? 128 : netmaskPrefix(mask, family) ?? fullBits(family);
  const src = parsePrefix(str(p.source, '0.0.0.0/0'));
  return {
    ...(prefix !== fullBits(family) ? { prefix } : {}),
    ...(src && src.prefix > 0 ? { source: { address: src.address, prefix: src.prefix } } : {}),
  };
}

/** `source-address-translation`: the store refuses lsn and a snat type without a pool. */
function snat(p: StoredProps, snatpools: Map<string, EffectiveObject>, translations: Map<string, EffectiveObject>): Pick<VirtualSpec, 'snat'> {
  const sat = (p['source-address-translation'] ?? {}) as StoredProps;
  const type = str(sat.type, 'none');
  if (type === 'automap') return { snat: { type: 'automap' } };
  if (type !== 'snat') return {};
  const pool = snatpools.get(str(sat.pool));
  const members = pool?.properties.members;
  // Members name SNAT translations; a disabled translation is skipped, as on BIG-IP. A store
  // written before members named translations holds bare addresses: they are used as they are.
  const addressOf = (m: string): string | undefined => {
    const tr = translations.get(m);
    if (!tr) return m.startsWith('/') ? undefined : m;
    return str(tr.properties.enabled, 'enabled') === 'disabled' ? undefined : str(tr.properties.address);
  };
  const addresses = (Array.isArray(members) ? members : []).map((m) => addressOf(String(m))).filter((a): a is string => a !== undefined);
  return { snat: { type: 'snat', pool: str(sat.pool), addresses } };
}

/** `rate-limit disabled` (or 0) is no limit; the mode and masks only matter with a rate. */
function rateLimit(p: StoredProps): { rateLimit?: RateLimitSpec } {
  const perSecond = str(p['rate-limit'], 'disabled') === 'disabled' ? 0 : num(p['rate-limit'], 0);
  if (perSecond <= 0) return {};
  return {
    rateLimit: {
      perSecond,
      mode: str(p['rate-limit-mode'], 'object') as RateLimitMode,
      srcMask: num(p['rate-limit-src-mask'], 0),
      dstMask: num(p['rate-limit-dst-mask'], 0),
    },
  };
}

function poolSpec(pool: EffectiveObject, nodes: Map<string, EffectiveObject>, resumeTokens: Record<string, number>, storedOnly: ReadonlySet<string>): PoolSpec {
  const p = pool.properties;
  const members: MemberSpec[] = [];
  for (const [name, raw] of Object.entries((p.members ?? {}) as StoredProps)) {
    const m = raw as StoredProps;
    const { node, port } = memberNode(name);
    const nodeProps = nodes.get(node)?.properties ?? {};
    // A node forced down takes all its members with it, as on BIG-IP.
    const down = str(m.state) === 'user-down' || str(nodeProps.state) === 'user-down';
    const disabled = str(m.session) === 'user-disabled' || str(nodeProps.session) === 'user-disabled';
    const own = str(m.monitor, 'default');
    const address = str(m.address) || str(nodeProps.address);
    // An FQDN node kept from a loaded file has no address: openltm does not resolve it, so its members take no traffic.
    if (!address) continue;
    members.push({
      name,
      address,
      port,
      ratio: num(m.ratio, 1),
      priorityGroup: num(m['priority-group'], 0),
      connectionLimit: num(m['connection-limit'], 0),
      state: down ? 'user-down' : 'user-up',
      session: disabled ? 'user-disabled' : 'user-enabled',
      ...(own !== 'default' ? { monitor: monitorRule(own, storedOnly) } : {}),
      resumeToken: resumeTokens[`${pool.name} ${name}`] ?? 0,
      nodeRatio: num(nodeProps.ratio, 1),
    });
  }
  return {
    name: pool.name,
    loadBalancingMode: str(p['load-balancing-mode'], 'round-robin'),
    minActiveMembers: num(p['min-active-members'], 0),
    monitor: monitorRule(str(p.monitor, 'none'), storedOnly),
    members,
  };
}

function monitorSpec(mon: EffectiveObject, type: MonitorSpec['type']): MonitorSpec {
  const p = mon.properties;
  const send = optional(p.send);
  const recv = optional(p.recv);
  const recvDisable = optional(p['recv-disable']);
  return {
    name: mon.name,
    type,
    interval: num(p.interval, 5),
    timeout: num(p.timeout, 16),
    ...(optional(p.domain) ? { domain: str(p.domain) } : {}),
    ...(send ? { send: unescapeTmsh(send) } : {}),
    ...(recv ? { recv: unescapeTmsh(recv) } : {}),
    ...(recvDisable ? { recvDisable: unescapeTmsh(recvDisable) } : {}),
    ...(type === 'https' ? { cipherlist: str(p.cipherlist, 'DEFAULT') } : {}),
    destination: str(p.destination, '*:*'),
    upInterval: num(p['up-interval'], 0),
    timeUntilUp: num(p['time-until-up'], 0),
    ...(str(p.reverse) === 'enabled' ? { reverse: true } : {}),
    ...(str(p['manual-resume']) === 'enabled' ? { manualResume: true } : {}),
  };
}

/** Object types whose changes are applied one object at a time; any other change re-reads everything. */
const INCREMENTAL = new Set(['ltm virtual', 'ltm pool', 'ltm node', 'ltm virtual-address']);

interface Snapshot {
  generation: number;
  objects: Record<string, Map<string, EffectiveObject>>;
  profiles: ProfileMaps;
  virtuals: Map<string, VirtualSpec | undefined>;
  pools: Map<string, PoolSpec>;
  monitors: MonitorSpec[];
  /** Monitors stored but not run (icmp, gateway-icmp): they count as passing in rules. */
  storedOnlyMonitors: Set<string>;
  /** Manual-resume tokens the pools were mapped with (they change without a pool edit). */
  resumeTokens: string;
  /** `delete ltm persistence persist-records` requests (they change without any object changing). */
  persistFlushes: PersistFlush[];
}

/**
 * Reads the desired state from the store, on one consistent snapshot each time. After the first
 * read it asks the store what changed since the generation it last read: a change to virtuals,
 * pools or nodes re-reads and re-maps only those objects (so a one-line edit costs the same with
 * 10,000 virtuals as with ten); a change to anything else (a profile, a monitor, a certificate)
 * re-reads everything. Specs that did not change keep their identity.
 */
export class DesiredStateReader {
  private last?: Snapshot;
  private readonly ssl: ProfileCache;

  constructor(
    private readonly store: Store,
    logger?: Logger,
  ) {
    this.ssl = new ProfileCache(store, logger);
  }

  read(): DesiredState {
    return this.store.consistentRead(() => {
      const generation = this.store.generation();
      const last = this.last;
      if (last && last.generation !== generation) {
        const changes = this.store.changesSince(last.generation);
        if (changes && changes.every((c) => INCREMENTAL.has(c.type))) this.apply(last, generation, changes);
        else this.last = undefined;
      }
      this.last ??= this.full();
      return this.desired(this.last);
    });
  }

  private full(): Snapshot {
    const { generation, objects } = this.store.snapshot(TYPES);
    const maps = Object.fromEntries(TYPES.map((t) => [t, byName(objects[t])])) as Record<string, Map<string, EffectiveObject>>;
    const profiles: ProfileMaps = {
      smtps: maps['ltm profile smtps'], clientSsl: maps['ltm profile client-ssl'], serverSsl: maps['ltm profile server-ssl'], tcp: maps['ltm profile tcp'], snatpools: maps['ltm snatpool'], translations: maps['ltm snat-translation'],
      persistence: new Map(PERSISTENCE_TYPES.map((t) => [t, maps[t]])),
      addresses: byAddress(maps['ltm virtual-address'].values()),
    };
    this.ssl.begin();
    const storedOnlyMonitors = new Set([...maps['ltm monitor icmp'].keys(), ...maps['ltm monitor gateway-icmp'].keys()]);
    const snap: Snapshot = { generation, objects: maps, profiles, virtuals: new Map(), pools: new Map(), monitors: [], storedOnlyMonitors, resumeTokens: '', persistFlushes: this.store.persistFlushes() };
    for (const v of maps['ltm virtual'].values()) snap.virtuals.set(v.name, virtualSpec(v, profiles, this.ssl));
    const tokens = this.store.resumeTokens();
    snap.resumeTokens = JSON.stringify(tokens);
    for (const p of maps['ltm pool'].values()) snap.pools.set(p.name, poolSpec(p, maps['ltm node'], tokens, storedOnlyMonitors));
    snap.monitors = Object.entries(RUN_MONITORS).flatMap(([type, key]) => [...maps[key].values()].map((m) => monitorSpec(m, type as MonitorSpec['type'])));
    return snap;
  }

  /** Re-reads only the changed virtuals, pools and nodes (and the pools of changed nodes). */
  private apply(snap: Snapshot, generation: number, changes: ReadonlyArray<{ type: string; path: string }>): void {
    this.ssl.begin();
    const nodes = new Set<string>();
    const pools = new Set<string>();
    const addresses = new Set<string>();
    for (const c of changes) {
      if (c.type === 'ltm virtual-address') {
        // Virtuals are re-mapped below, once the address table is whole again.
        const old = snap.objects[c.type].get(c.path);
        if (old) addresses.add(addressOf(old));
      }
      const obj = this.store.getEffective(c.type, c.path);
      const map = snap.objects[c.type];
      if (obj) map.set(c.path, obj);
      else map.delete(c.path);
      if (c.type === 'ltm virtual') {
        if (obj) snap.virtuals.set(c.path, virtualSpec(obj, snap.profiles, this.ssl));
        else snap.virtuals.delete(c.path);
      } else if (c.type === 'ltm pool') pools.add(c.path);
      else if (c.type === 'ltm virtual-address') {
        if (obj) addresses.add(addressOf(obj));
      } else nodes.add(c.path);
    }
    if (addresses.size > 0) {
      snap.profiles.addresses = byAddress(snap.objects['ltm virtual-address'].values());
      for (const v of snap.objects['ltm virtual'].values()) {
        const d = parseDestination(str(v.properties.destination));
        if (d && addresses.has(formatAddress(d))) snap.virtuals.set(v.name, virtualSpec(v, snap.profiles, this.ssl));
      }
    }
    // A resume token moved: every pool is mapped again (they are few next to virtuals).
    const tokens = this.store.resumeTokens();
    const tokenText = JSON.stringify(tokens);
    if (tokenText !== snap.resumeTokens) {
      for (const name of snap.objects['ltm pool'].keys()) pools.add(name);
      snap.resumeTokens = tokenText;
    }
    if (nodes.size > 0) {
      for (const pool of snap.objects['ltm pool'].values()) {
        if (Object.keys((pool.properties.members ?? {}) as StoredProps).some((m) => nodes.has(memberNode(m).node))) pools.add(pool.name);
      }
    }
    for (const name of pools) {
      const pool = snap.objects['ltm pool'].get(name);
      if (pool) snap.pools.set(name, poolSpec(pool, snap.objects['ltm node'], tokens, snap.storedOnlyMonitors));
      else snap.pools.delete(name);
    }
    snap.persistFlushes = this.store.persistFlushes();
    snap.generation = generation;
  }

  private desired(snap: Snapshot): DesiredState {
    return {
      generation: snap.generation,
      virtuals: [...snap.virtuals.values()].filter((v): v is VirtualSpec => !!v),
      // A pool kept from a loaded file with a mode openltm does not implement is not served (nor are its virtuals).
      pools: [...snap.pools.values()].filter((p) => snap.objects['ltm pool'].get(p.name)?.properties[NOT_SERVED_KEY] === undefined),
      monitors: snap.monitors,
      persistFlushes: snap.persistFlushes,
    };
  }
}

/** Reads the whole desired state at one generation (one consistent snapshot). */
export function readDesiredState(store: Store, logger?: Logger): DesiredState {
  return new DesiredStateReader(store, logger).read();
}

/**
 * The DesiredStateSource the data plane polls. The store says when to look now instead of at
 * the next poll (SQLite: a watch on its WAL file; etcd: its watch stream).
 */
export function storeSource(store: Store, logger?: Logger): DesiredStateSource {
  const reader = new DesiredStateReader(store, logger);
  return {
    generation: () => store.generation(),
    read: () => reader.read(),
    watch: (listener) => store.watch(listener),
  };
}
