/**
 * Builds the data plane's desired state from the store: effective values (defaults filled,
 * `defaults-from` resolved), PEMs loaded, names as full paths. The one place that knows both
 * the store's stored forms and the data plane's specs.
 */
import { parseDestination } from '@openltm/model';
import { unescapeTmsh } from '@openltm/parser';
import type { Store, EffectiveObject, StoredProps, StoredValue } from '@openltm/store';
import { parseMonitorRule, memberNode } from '@openltm/store';
import type {
  ActivationMode, CertKeyPair, ClientSslSpec, ServerSslSpec, DesiredState, DesiredStateSource, MemberSpec, MonitorRule,
  MonitorSpec, PoolSpec, RateLimitMode, RateLimitSpec, VirtualSpec,
} from '@openltm/dataplane';

const TYPES = [
  'ltm virtual', 'ltm pool', 'ltm node', 'ltm profile smtps', 'ltm profile client-ssl', 'ltm profile server-ssl', 'ltm profile tcp',
  'ltm monitor smtp', 'ltm monitor tcp',
] as const;

type Objects = Record<string, EffectiveObject[]>;

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

function monitorRule(text: string): MonitorRule {
  const r = parseMonitorRule(text);
  return { monitors: r.monitors, minimum: r.minimum };
}

function clientSsl(store: Store, profile: EffectiveObject): ClientSslSpec {
  const p = profile.properties;
  const chain = (p['cert-key-chain'] ?? {}) as StoredProps;
  const pairs: CertKeyPair[] = [];
  for (const entry of Object.values(chain) as StoredProps[]) {
    const cert = store.pem('sys file ssl-cert', str(entry.cert));
    const key = store.pem('sys file ssl-key', str(entry.key));
    if (!cert || !key) continue; // the store refuses dangling references; a missing file means no pair
    const extra = optional(entry.chain) ? store.pem('sys file ssl-cert', str(entry.chain)) : undefined;
    const passphrase = optional(entry.passphrase) ?? key.passphrase;
    pairs.push({ cert: extra ? `${cert.pem.trim()}\n${extra.pem.trim()}\n` : cert.pem, key: key.pem, ...(passphrase ? { passphrase } : {}) });
  }
  const options = p.options;
  const serverName = optional(p['server-name']);
  const caFile = optional(p['ca-file']) ? store.pem('sys file ssl-cert', str(p['ca-file']))?.pem : undefined;
  const crlFile = optional(p['crl-file']) ? store.pem('sys file ssl-crl', str(p['crl-file']))?.pem : undefined;
  return {
    name: profile.name,
    certKeyChain: pairs,
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

function serverSsl(store: Store, profile: EffectiveObject): ServerSslSpec {
  const p = profile.properties;
  const cert = optional(p.cert) ? store.pem('sys file ssl-cert', str(p.cert)) : undefined;
  const key = optional(p.key) ? store.pem('sys file ssl-key', str(p.key)) : undefined;
  const chain = optional(p.chain) ? store.pem('sys file ssl-cert', str(p.chain)) : undefined;
  const caFile = optional(p['ca-file']) ? store.pem('sys file ssl-cert', str(p['ca-file']))?.pem : undefined;
  const serverName = optional(p['server-name']);
  const options = p.options;
  return {
    name: profile.name,
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

function virtualSpec(store: Store, vs: EffectiveObject, objects: Objects): VirtualSpec | undefined {
  const p = vs.properties;
  const dest = parseDestination(str(p.destination));
  if (!dest) return undefined;
  const smtpsProfiles = byName(objects['ltm profile smtps']);
  const sslProfiles = byName(objects['ltm profile client-ssl']);
  const serverSslProfiles = byName(objects['ltm profile server-ssl']);
  let member: ServerSslSpec | undefined;
  const tcpProfiles = byName(objects['ltm profile tcp']);
  let smtps: VirtualSpec['smtps'];
  const ssl: ClientSslSpec[] = [];
  let idleTimeout = 300;
  for (const name of Object.keys((p.profiles ?? {}) as StoredProps)) {
    const s = smtpsProfiles.get(name);
    if (s) {
      smtps = {
        name,
        activationMode: str(s.properties['activation-mode'], 'require') as ActivationMode,
        allowPlaintextAuth: str(s.properties['allow-plaintext-auth'], 'disabled') === 'enabled',
      };
    }
    const c = sslProfiles.get(name);
    if (c) ssl.push(clientSsl(store, c));
    const sv = serverSslProfiles.get(name);
    if (sv) member = serverSsl(store, sv);
    const t = tcpProfiles.get(name);
    if (t) idleTimeout = num(t.properties['idle-timeout'], 300);
  }
  return {
    name: vs.name,
    enabled: str(p.enabled, 'enabled') !== 'disabled',
    address: dest.address,
    port: dest.port,
    ...(smtps ? { smtps } : {}),
    ...clientSslProfiles(ssl),
    ...(member ? { serverSsl: member } : {}),
    idleTimeout,
    ...(optional(p.pool) ? { pool: str(p.pool) } : {}),
    connectionLimit: num(p['connection-limit'], 0),
    ...rateLimit(p),
  };
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

function poolSpec(pool: EffectiveObject, nodes: Map<string, EffectiveObject>, resumeTokens: Record<string, number>): PoolSpec {
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
    members.push({
      name,
      address: str(m.address) || str(nodeProps.address),
      port,
      ratio: num(m.ratio, 1),
      priorityGroup: num(m['priority-group'], 0),
      connectionLimit: num(m['connection-limit'], 0),
      state: down ? 'user-down' : 'user-up',
      session: disabled ? 'user-disabled' : 'user-enabled',
      ...(own !== 'default' ? { monitor: monitorRule(own) } : {}),
      resumeToken: resumeTokens[`${pool.name} ${name}`] ?? 0,
      nodeRatio: num(nodeProps.ratio, 1),
    });
  }
  return {
    name: pool.name,
    loadBalancingMode: str(p['load-balancing-mode'], 'round-robin'),
    minActiveMembers: num(p['min-active-members'], 0),
    monitor: monitorRule(str(p.monitor, 'none')),
    members,
  };
}

function monitorSpec(mon: EffectiveObject, type: 'smtp' | 'tcp'): MonitorSpec {
  const p = mon.properties;
  const send = optional(p.send);
  const recv = optional(p.recv);
  return {
    name: mon.name,
    type,
    interval: num(p.interval, 5),
    timeout: num(p.timeout, 16),
    ...(optional(p.domain) ? { domain: str(p.domain) } : {}),
    ...(send ? { send: unescapeTmsh(send) } : {}),
    ...(recv ? { recv: unescapeTmsh(recv) } : {}),
    destination: str(p.destination, '*:*'),
    upInterval: num(p['up-interval'], 0),
    timeUntilUp: num(p['time-until-up'], 0),
    ...(str(p.reverse) === 'enabled' ? { reverse: true } : {}),
    ...(str(p['manual-resume']) === 'enabled' ? { manualResume: true } : {}),
  };
}

/** Reads the whole desired state at one generation. */
export function readDesiredState(store: Store): DesiredState {
  const { generation, objects } = store.snapshot(TYPES);
  const nodes = byName(objects['ltm node']);
  const resumeTokens = store.resumeTokens();
  return {
    generation,
    virtuals: (objects['ltm virtual'] ?? []).map((v) => virtualSpec(store, v, objects)).filter((v): v is VirtualSpec => !!v),
    pools: (objects['ltm pool'] ?? []).map((p) => poolSpec(p, nodes, resumeTokens)),
    monitors: [
      ...(objects['ltm monitor smtp'] ?? []).map((m) => monitorSpec(m, 'smtp')),
      ...(objects['ltm monitor tcp'] ?? []).map((m) => monitorSpec(m, 'tcp')),
    ],
  };
}

/** The DesiredStateSource the data plane polls. */
export function storeSource(store: Store): DesiredStateSource {
  return { generation: () => store.generation(), read: () => readDesiredState(store) };
}
