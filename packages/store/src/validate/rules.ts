/**
 * Cross-object rules, per type, run after references resolve: a virtual's profiles fit their
 * sides and its protocol, an SMTPS profile in allow/require mode has a client-ssl profile beside
 * it, enabled virtuals do not share a destination, a certificate's key matches it, and pool
 * members have their nodes (created when missing).
 */
import {
  ConfigError, ErrorCodes, IMPLEMENTED_LOAD_BALANCING_MODES, PERSISTENCE_TYPES, PROFILE_TYPES, SNI_SHARED_SETTINGS, UNIMPLEMENTED_MODE_REASONS, errors, getType,
  typeOf, type SourcePosition,
} from '@openltm/model';
import { loadKey, checkPair } from '../certificates';
import type { ObjectRecord, ObjectRepository } from '../object-repository';
import { isProps, type StoredProps } from '../stored-value';
import { collectReferences, memberNode, resolve, resolveUnmodeled } from './references';
import { kindOf, ownReasons, unresolvedRefs } from '../unresolved';
import { MISSING_FILE_KEY, NOT_SERVED_KEY } from '../preserved';
import { canonicalAddress } from './scalar';
import { checkNewName } from '../names';
import { snatpoolSupported, virtualSupported } from './unsupported';
import { virtualPersistRule } from '../persistence-in-force';
import { sameMatch, virtualDestination, virtualMatch } from './virtual-destination';
import { dataGroupRecords } from './data-group';
import { VIRTUAL_ADDRESS, addressKey, virtualHasAddress } from './virtual-address';
import { SNAT_TRANSLATION, snatpoolMembersHaveTranslations } from './snat-translations';

export interface RuleContext {
  repo: ObjectRepository;
  /** A file is being loaded: a virtual openltm cannot serve is kept, marked not served, instead of refused. */
  loading?: boolean;
  effective(rec: ObjectRecord): StoredProps;
  /** Writes changed own props of a record (normalisations made by a rule). */
  write(rec: ObjectRecord, props: StoredProps): void;
  position?: SourcePosition;
  /** Per check: why each object looked at is not acted on (see notActedOn). */
  memo?: Map<number, string[]>;
}

type Rule = (rec: ObjectRecord, ctx: RuleContext) => void;

const configError = (detail: string, position?: SourcePosition) => errors.configError(detail, position);

/** Before references resolve: pool members create their ltm node when it does not exist. */
function poolMembersHaveNodes(rec: ObjectRecord, ctx: RuleContext): void {
  const members = rec.props.members;
  if (!isProps(members)) return;
  let changed = false;
  const next: StoredProps = {};
  for (const [key, value] of Object.entries(members)) {
    const entry = { ...(value as StoredProps) };
    const { node } = memberNode(key);
    const given = typeof entry.address === 'string' ? entry.address : undefined;
    let nodeRec = ctx.repo.get('ltm node', node);
    if (!nodeRec) {
      const fromName = canonicalAddress(node.slice(node.lastIndexOf('/') + 1));
      const address = given ?? fromName;
      if (!address && entry.fqdn !== undefined && ctx.loading) {
        // BIG-IP creates an FQDN member's node; kept, not resolved (its members take no traffic).
        checkNewName('Node', node, ctx.repo, ctx.position);
        ctx.repo.insert('ltm node', node, { fqdn: entry.fqdn });
        next[key] = entry;
        continue;
      }
      if (!address) throw errors.notFound('Node', node, ctx.position);
      if (fromName && given && fromName !== given) {
        throw configError(`The address ${given} of pool member ${key} does not match its node name ${node}.`, ctx.position);
      }
      checkNewName('Node', node, ctx.repo, ctx.position);
      const holder = ctx.repo.sameKey('ltm node', address, -1)[0];
      if (holder) throw configError(`Pool member ${key} would create node ${node}, but node ${holder} already has the address ${address}: name the member ${holder.slice(holder.lastIndexOf('/') + 1)}:${memberNode(key).port}.`, ctx.position);
      nodeRec = ctx.repo.insert('ltm node', node, { address }, false, address);
    } else if (given && given !== nodeRec.props.address) {
      throw configError(`The address ${given} of pool member ${key} does not match node ${node} (${String(nodeRec.props.address)}).`, ctx.position);
    }
    if (entry.address !== nodeRec.props.address) {
      entry.address = nodeRec.props.address;
      changed = true;
    }
    next[key] = entry;
  }
  if (changed) ctx.write(rec, { ...rec.props, members: next });
}

/**
 * A pool runs the mode it lists, or is refused: a mode accepted and run as another would mislead.
 * Weighted least connections weighs each member by its connection limit, so every member needs one.
 */
/**
 * A pool whose load-balancing mode openltm does not implement is refused when typed; from a
 * loaded file it is kept, marked not served (no data plane pool; its virtuals are not served).
 */
function poolServed(rec: ObjectRecord, ctx: RuleContext): void {
  const lenient = ctx.loading === true || rec.props[NOT_SERVED_KEY] !== undefined;
  const reasons: string[] = [];
  try {
    poolModeImplemented(rec, ctx);
  } catch (err) {
    if (!ConfigError.is(err) || !lenient) throw err;
    reasons.push(err.message.replace(/^Configuration error: /, '').replace(`Pool (${rec.path}) `, ''));
  }
  // A monitor kept by name that is nowhere (a fragment of an estate), or one kept but not acted on: nothing could check the members.
  const deps = [...ownReasons(rec.props), ...dependencyReasons(rec, ctx)];
  if (deps.length && !lenient) throw configError(`Pool (${rec.path}): ${deps[0]}.`, ctx.position);
  reasons.push(...deps);
  markNotServed(rec, ctx, reasons);
}

function markNotServed(rec: ObjectRecord, ctx: RuleContext, reasons: string[]): void {
  if (JSON.stringify(rec.props[NOT_SERVED_KEY]) === JSON.stringify(reasons.length ? reasons : undefined)) return;
  const props = { ...rec.props };
  if (reasons.length) props[NOT_SERVED_KEY] = reasons;
  else delete props[NOT_SERVED_KEY];
  ctx.write(rec, props);
  ctx.memo?.clear();
}

/**
 * Rules of a setting openltm cannot honour on an object other than a virtual or pool (a client-ssl
 * profile with renegotiation enabled, an adaptive monitor): refused when typed; from a loaded file
 * the object is kept, marked not acted on, and the virtuals using it are not served, until a
 * change makes it acceptable.
 */
function orKept(...rules: Rule[]): Rule {
  return (rec, ctx) => {
    const lenient = ctx.loading === true || rec.props[NOT_SERVED_KEY] !== undefined;
    const reasons: string[] = [];
    for (const rule of rules) {
      try {
        rule(rec, ctx);
      } catch (err) {
        if (!ConfigError.is(err) || !lenient) throw err;
        // Said next to the object's name: without the `Kind (path)` the message may start with.
        const own = `(${rec.path})`;
        const msg = err.message.replace(/^Configuration error: /, '');
        const at = msg.indexOf(own);
        reasons.push(at >= 0 && at < 40 ? msg.slice(at + own.length).replace(/^:? /, '') : msg);
      }
    }
    markNotServed(rec, ctx, reasons);
  };
}

function poolModeImplemented(rec: ObjectRecord, ctx: RuleContext): void {
  if (ctx.effective(rec)['queue-on-connection-limit'] === 'enabled') {
    throw configError(
      `Pool (${rec.path}) queue-on-connection-limit enabled is not supported: openltm does not queue connections; a client finding every member at its connection-limit gets 421 4.3.2 and retries later, as SMTP clients do.`,
      ctx.position,
    );
  }
  const mode = String(ctx.effective(rec)['load-balancing-mode'] ?? 'round-robin');
  if (!(IMPLEMENTED_LOAD_BALANCING_MODES as readonly string[]).includes(mode)) {
    const why = UNIMPLEMENTED_MODE_REASONS[mode] ?? 'openltm does not implement it';
    throw configError(
      `Pool (${rec.path}) load-balancing-mode ${mode} is not supported: ${why}. Supported modes: ${IMPLEMENTED_LOAD_BALANCING_MODES.join(', ')}.`,
      ctx.position,
    );
  }
  if (mode === 'weighted-least-connections-member' && isProps(rec.props.members)) {
    for (const [key, entry] of Object.entries(rec.props.members)) {
      const limit = isProps(entry) ? Number(entry['connection-limit'] ?? 0) : 0;
      if (limit === 0) {
        throw configError(`Pool (${rec.path}) uses load-balancing-mode weighted-least-connections-member, which needs a connection-limit on every member; ${key} has none.`, ctx.position);
      }
    }
  }
}

/**
 * tcp monitor modes openltm can honour: `reverse` judges the reply against `recv`, so it needs
 * a send and a receive string (as on BIG-IP); `transparent` would route the probe through the
 * member to another address, which a userspace prober cannot do.
 */
function tcpMonitorModes(rec: ObjectRecord, ctx: RuleContext): void {
  const eff = ctx.effective(rec);
  if (eff.adaptive === 'enabled') {
    throw configError(`Monitor (${rec.path}) adaptive mode is not supported: openltm does not track probe latency; only a probe's success or failure marks a member.`, ctx.position);
  }
  if (rec.type === 'ltm monitor tcp' && !unsetText(eff['recv-disable'])) {
    throw configError(`Monitor (${rec.path}) recv-disable is not supported on tcp monitors: a tcp reply has no end to judge it at; use an http monitor.`, ctx.position);
  }
  if (eff.transparent === 'enabled') {
    throw configError(`Monitor (${rec.path}) transparent mode is not supported: openltm probes each member directly and cannot route a probe through a member to another destination.`, ctx.position);
  }
  const unset = (v: unknown) => v === undefined || v === 'none' || v === '';
  // http and https always send (their default request); tcp needs a send string of its own.
  const needsSend = rec.type === 'ltm monitor tcp';
  if (eff.reverse === 'enabled' && ((needsSend && unset(eff.send)) || unset(eff.recv))) {
    throw configError(`Monitor (${rec.path}) has reverse enabled, which needs both a send string and a receive string.`, ctx.position);
  }
}

const unsetText = (v: unknown): boolean => v === undefined || v === 'none' || v === '';

/** Two nodes (or two virtual addresses) cannot have one address. */
function addressUnique(rec: ObjectRecord, ctx: RuleContext): void {
  const address = rec.props.address;
  if (typeof address !== 'string') return;
  const other = ctx.repo.sameKey(rec.type, uniqueKey(rec.type, rec.props) ?? address, rec.id)[0];
  const kind = typeOf(rec.type).kindName;
  if (other) throw configError(`The address ${address} of ${kind} (${rec.path}) is already the address of ${kind} (${other}).`, ctx.position);
}

/** A defaults-from chain must end at a root. */
function noInheritanceCycle(rec: ObjectRecord, ctx: RuleContext): void {
  const seen = new Set<string>([rec.path]);
  let cur: ObjectRecord | undefined = rec;
  while (cur) {
    const parent: unknown = cur.props['defaults-from'];
    if (typeof parent !== 'string' || parent === 'none') return;
    if (seen.has(parent)) throw configError(`defaults-from of ${rec.path} forms a loop through ${parent}.`, ctx.position);
    seen.add(parent);
    cur = ctx.repo.get(rec.type, parent);
  }
}

interface AttachedProfile {
  path: string;
  type: string;
  context: string;
  rec: ObjectRecord;
}

function virtualProfiles(rec: ObjectRecord, ctx: RuleContext): AttachedProfile[] {
  const profiles = rec.props.profiles;
  const out: AttachedProfile[] = [];
  if (!isProps(profiles)) {
    const tcp = ctx.repo.get('ltm profile tcp', '/Common/tcp');
    return tcp ? [{ path: tcp.path, type: tcp.type, context: 'all', rec: tcp }] : [];
  }
  let changed = false;
  const next: StoredProps = {};
  for (const [path, value] of Object.entries(profiles)) {
    const entry = { ...(value as StoredProps) };
    const target = resolve(ctx.repo, { to: PROFILE_TYPES, path, via: 'profiles' });
    if (!target) throw errors.notFound('profile', path, ctx.position);
    const side = getType(target.type)!.profile?.context ?? 'all';
    const given = typeof entry.context === 'string' ? entry.context : 'all';
    if (side !== 'all' && given === 'all') {
      entry.context = side;
      changed = true;
    } else if (side === 'all' && entry.context === 'all') {
      delete entry.context; // `tcp { }`, as BIG-IP lists it
      changed = true;
    } else if (side !== 'all' && given !== side) {
      throw configError(`Profile ${path} is a ${typeOf(target.type).kindName} and can only be used ${side}, not ${given}, on Virtual Server (${rec.path}).`, ctx.position);
    }
    next[path] = entry;
    out.push({ path, type: target.type, context: String(entry.context ?? 'all'), rec: target });
  }
  if (changed) ctx.write(rec, { ...rec.props, profiles: next });
  return out;
}

function virtualRules(rec: ObjectRecord, ctx: RuleContext): void {
  const profiles = virtualProfiles(rec, ctx);
  const eff = ctx.effective(rec);
  const of = (t: string) => profiles.filter((p) => p.type === t);
  const tcp = of('ltm profile tcp');
  const smtps = of('ltm profile smtps');
  const cssl = of('ltm profile client-ssl');
  const incompatible = (detail: string) =>
    new ConfigError(ErrorCodes.PROFILE_PROTOCOL_MISMATCH, `Virtual server ${rec.path} lists profiles incompatible with its protocol: ${detail}.`, { position: ctx.position });
  if ((smtps.length || cssl.length) && tcp.length === 0) throw incompatible('an smtps or client-ssl profile needs a tcp profile');
  if (tcp.length && eff['ip-protocol'] !== 'tcp') throw incompatible(`a tcp profile needs ip-protocol tcp, not ${String(eff['ip-protocol'])}`);
  if (smtps.length > 1) throw configError(`Virtual Server (${rec.path}) has more than one SMTPS profile.`, ctx.position);
  if (smtps.length === 1) {
    const mode = ctx.effective(smtps[0].rec)['activation-mode'];
    if ((mode === 'allow' || mode === 'require') && cssl.length === 0) {
      throw configError(
        `Virtual Server (${rec.path}) uses SMTPS Profile (${smtps[0].path}) with activation-mode ${String(mode)}, which needs a client-ssl profile on the virtual server.`,
        ctx.position,
      );
    }
  }
  const sssl = of('ltm profile server-ssl');
  if (sssl.length > 1) throw configError(`Virtual Server (${rec.path}) has more than one server-ssl profile; openltm uses one server-ssl profile for every pool member.`, ctx.position);
  if (cssl.length > 1) sniRules(rec.path, cssl, ctx);
  duplicateMatch(rec, ctx);
}

/**
 * BIG-IP's 01070333: two enabled virtuals whose destination, mask and source are the same (no
 * connection could tell them apart). Candidates share the stored destination (one indexed read).
 */
function duplicateMatch(rec: ObjectRecord, ctx: RuleContext): void {
  const ukey = virtualKey(rec.props);
  if (!ukey) return;
  const mine = virtualMatch(ctx.effective(rec));
  if (!mine) return;
  for (const path of ctx.repo.sameKey('ltm virtual', ukey, rec.id)) {
    const other = ctx.repo.get('ltm virtual', path);
    const theirs = other ? virtualMatch(ctx.effective(other)) : undefined;
    if (theirs && sameMatch(mine, theirs)) {
      throw new ConfigError(
        ErrorCodes.DESTINATION_IN_USE,
        `Virtual Server ${rec.path} illegally shares destination address, source address, service port, ip-protocol, and vlan with Virtual Server ${path}.`,
        { position: ctx.position },
      );
    }
  }
}

/**
 * Several client-ssl profiles on one virtual: exactly one SNI default (BIG-IP's rule), every other
 * one reachable by its own server-name, and all agreeing on the settings fixed before SNI is read.
 */
function sniRules(virtual: string, cssl: AttachedProfile[], ctx: RuleContext): void {
  const defaults = cssl.filter((p) => ctx.effective(p.rec)['sni-default'] === 'true');
  if (defaults.length !== 1) {
    const what = defaults.length > 1 ? 'more than one' : 'no';
    throw new ConfigError(ErrorCodes.SNI_DEFAULT, `Virtual Server ${virtual} has ${what} clientssl/serverssl profile that is default for SNI.`, { position: ctx.position });
  }
  const def = ctx.effective(defaults[0].rec);
  const names = new Map<string, string>();
  for (const p of cssl) {
    const eff = ctx.effective(p.rec);
    const name = String(eff['server-name'] ?? 'none').toLowerCase();
    if (p !== defaults[0] && name === 'none') {
      throw configError(`Client SSL profile (${p.path}) on Virtual Server (${virtual}) has no server-name: only the SNI default profile can do without one.`, ctx.position);
    }
    if (name !== 'none') {
      const other = names.get(name);
      if (other) throw configError(`Client SSL profiles (${other}) and (${p.path}) on Virtual Server (${virtual}) have the same server-name ${name}.`, ctx.position);
      names.set(name, p.path);
    }
    for (const setting of SNI_SHARED_SETTINGS) {
      if (JSON.stringify(eff[setting]) !== JSON.stringify(def[setting])) {
        throw configError(
          `Client SSL profile (${p.path}) on Virtual Server (${virtual}) differs from the SNI default profile (${defaults[0].path}) in ${setting}; ` +
            `${SNI_SHARED_SETTINGS.join(', ')} are taken from the SNI default profile for every name.`,
          ctx.position,
        );
      }
    }
  }
}

/**
 * A virtual openltm can serve passes every rule. One it cannot (a profile of a type openltm does
 * not serve, udp, a route domain, ...) is refused when typed, but kept from a loaded file (a real
 * estate must load whole) and marked not served: the data plane opens no listener for it, and
 * `show` and the load summary say why. A virtual already marked stays so until it is servable.
 */
function virtualServed(rec: ObjectRecord, ctx: RuleContext): void {
  const lenient = ctx.loading === true || rec.props[NOT_SERVED_KEY] !== undefined;
  const refused: ConfigError[] = [];
  const profiles = isProps(rec.props.profiles) ? Object.keys(rec.props.profiles) : [];
  for (const path of profiles) {
    if (resolve(ctx.repo, { to: PROFILE_TYPES, path, via: 'profiles' })) continue;
    const u = resolveUnmodeled(ctx.repo, { to: PROFILE_TYPES, path, via: 'profiles' });
    const why = u
      ? `it is ${u.type}${u.rec ? '' : ' (a BIG-IP built-in)'}, which openltm does not serve.`
      : 'it is not in the configuration (kept by name until it exists; BIG-IP keeps ASM and access policies outside bigip.conf).';
    refused.push(errors.notSupported('Virtual Server', rec.path, `profile ${path}`, why, ctx.position));
  }
  for (const why of missingTls(rec, ctx)) refused.push(errors.notSupported('Virtual Server', rec.path, why.what, why.why, ctx.position));
  // References kept by name from a loaded fragment (its profiles are said above), and what it uses that is not acted on.
  for (const r of unresolvedRefs(rec.props)) {
    if (r.via !== 'profiles') refused.push(new ConfigError(ErrorCodes.NOT_FOUND, `Virtual Server (${rec.path}): ${r.via} ${r.path}: the requested ${r.kind} (${r.path}) was not found (kept by name; served once it exists).`, { position: ctx.position }));
  }
  for (const why of dependencyReasons(rec, ctx)) refused.push(new ConfigError(ErrorCodes.NOT_FOUND, `Virtual Server (${rec.path}): ${why}`, { position: ctx.position }));
  const pool = typeof rec.props.pool === 'string' ? ctx.repo.get('ltm pool', rec.props.pool) : undefined;
  try {
    if (pool) poolModeImplemented(pool, ctx);
  } catch (err) {
    if (!ConfigError.is(err)) throw err;
    refused.push(errors.notSupported('Virtual Server', rec.path, `pool ${pool!.path}`, err.message.replace(/^Configuration error: /, '').replace(`Pool (${pool!.path}) `, ''), ctx.position));
  }
  for (const rule of refused.length ? [virtualSupported] : [virtualRules, virtualSupported, virtualPersistRule]) {
    try {
      rule(rec, ctx);
    } catch (err) {
      if (!ConfigError.is(err)) throw err;
      refused.push(err);
    }
  }
  if (refused.length && !lenient) throw refused[0];
  // Said next to the virtual's name: without the `Virtual Server (path): ` the message starts with.
  const reasons = [...new Set(refused.map((e) => e.message.replace(/^Configuration error: /, '').replace(`Virtual Server (${rec.path}): `, '')))];
  markNotServed(rec, ctx, reasons);
}

/**
 * What an object uses that is not acted on (a pool whose monitor is nowhere, a SNAT pool without
 * members, a profile whose parent is nowhere), followed through what those use: `Pool
 * (/Common/p) is not acted on: the requested Monitor (/Common/m) was not found`. Files kept
 * without their PEM are said by missingTls.
 */
function dependencyReasons(rec: ObjectRecord, ctx: RuleContext, stack: Set<number> = new Set([rec.id])): string[] {
  const out: string[] = [];
  const done = new Set<number>();
  for (const ref of collectReferences(rec)) {
    // A parent only lends values: what the child inherits is judged by the child's own rules (and missingTls).
    if (ref.via === 'defaults-from') continue;
    const target = resolve(ctx.repo, ref);
    if (!target || stack.has(target.id) || done.has(target.id) || target.type.startsWith('sys file ')) continue;
    done.add(target.id);
    const why = notActedOn(target, ctx, stack);
    if (why.length) out.push(`${kindOf(target)} (${target.path}) is not acted on: ${why.join('; ')}`);
  }
  return out;
}

/** Why an object is not acted on, itself or through what it uses (memoised for one check: markers are set before rules run). */
function notActedOn(rec: ObjectRecord, ctx: RuleContext, stack: Set<number>): string[] {
  const hit = ctx.memo?.get(rec.id);
  if (hit) return hit;
  stack.add(rec.id);
  // A pool's own not-served reasons are its mode (said by virtualServed) and what is counted here.
  const marked = rec.type === 'ltm pool' ? [] : notServedReasons(rec.props);
  const why = [...ownReasons(rec.props), ...marked, ...dependencyReasons(rec, ctx, stack)];
  stack.delete(rec.id);
  ctx.memo?.set(rec.id, why);
  return why;
}

/** Certificates and keys a virtual's TLS profiles name that were kept without their PEM. */
function missingTls(rec: ObjectRecord, ctx: RuleContext): Array<{ what: string; why: string }> {
  const out: Array<{ what: string; why: string }> = [];
  const profiles = isProps(rec.props.profiles) ? Object.keys(rec.props.profiles) : [];
  for (const path of profiles) {
    for (const type of ['ltm profile client-ssl', 'ltm profile server-ssl']) {
      const p = ctx.repo.get(type, path);
      const chain = p ? ctx.effective(p)['cert-key-chain'] : undefined;
      for (const entry of isProps(chain) ? Object.values(chain) : []) {
        if (!isProps(entry)) continue;
        for (const [t, name] of [['sys file ssl-cert', entry.cert], ['sys file ssl-key', entry.key]] as const) {
          const f = typeof name === 'string' ? ctx.repo.get(t, name) : undefined;
          // Named (perhaps inherited from a parent) and nowhere: a fragment of an estate.
          if (!f && typeof name === 'string' && name !== 'none') out.push({ what: `profile ${path}`, why: `${t} ${name} was not found` });
          if (f && f.props[MISSING_FILE_KEY] !== undefined) out.push({ what: `profile ${path}`, why: `${t} ${f.path} has no PEM: ${String(f.props[MISSING_FILE_KEY])}` });
        }
      }
    }
  }
  return out;
}

/** The reasons a virtual (or a pool) is not served (empty when it is). */
export function notServedReasons(props: StoredProps): string[] {
  const r = props[NOT_SERVED_KEY];
  return Array.isArray(r) ? r : [];
}

/** The uniqueness key of a virtual: its destination while it is enabled and served (mask and source are compared on the few that share it). */
export function virtualKey(props: StoredProps): string | null {
  if (props.enabled === 'disabled' || typeof props.destination !== 'string' || props[NOT_SERVED_KEY] !== undefined) return null;
  return props.destination;
}

function checkChainEntry(owner: string, entry: StoredProps, ctx: RuleContext): void {
  const cert = ctx.repo.get('sys file ssl-cert', String(entry.cert));
  const key = ctx.repo.get('sys file ssl-key', String(entry.key));
  if (!cert || !key) return; // missing references are reported by the reference stage
  const certFile = ctx.repo.getFile(cert.id);
  const keyFile = ctx.repo.getFile(key.id);
  if (!certFile || !keyFile) {
    // Kept from a loaded file without its PEM: the profile stays, its virtuals are not served.
    if (ctx.loading) return;
    throw configError(`${owner}: ${cert.path} or ${key.path} has no PEM content.`, ctx.position);
  }
  const pass = typeof entry.passphrase === 'string' && entry.passphrase !== 'none' ? entry.passphrase : keyFile.passphrase ?? undefined;
  const k = loadKey(key.path, keyFile.pem, pass, ctx.position);
  checkPair(cert.path, certFile.pem, key.path, k, ctx.position);
}

function clientSslRules(rec: ObjectRecord, ctx: RuleContext): void {
  if (ctx.effective(rec).renegotiation === 'enabled') {
    throw configError(`Client SSL profile (${rec.path}): renegotiation enabled is not supported; openltm refuses client-initiated TLS renegotiation (a CPU-exhaustion lever no mail client needs).`, ctx.position);
  }
  const eff = ctx.effective(rec);
  if (eff['peer-cert-mode'] === 'require' && (eff['ca-file'] ?? 'none') === 'none') {
    throw configError(`Client SSL profile (${rec.path}): peer-cert-mode require needs a ca-file to verify client certificates against.`, ctx.position);
  }
  const chain = rec.props['cert-key-chain'];
  if (!isProps(chain)) return;
  for (const entry of Object.values(chain)) if (isProps(entry)) checkChainEntry(rec.path, entry, ctx);
}

function serverSslRules(rec: ObjectRecord, ctx: RuleContext): void {
  const eff = ctx.effective(rec);
  if (eff['peer-cert-mode'] === 'require' && (eff['ca-file'] ?? 'none') === 'none') {
    throw configError(`Server SSL profile (${rec.path}): peer-cert-mode require needs a ca-file to verify pool members against.`, ctx.position);
  }
  if (eff.cert !== 'none' && eff.key !== 'none' && (rec.props.cert !== undefined || rec.props.key !== undefined)) {
    checkChainEntry(rec.path, { cert: eff.cert, key: eff.key }, ctx);
  }
}

/** Rules run before references are linked (they may create what the references need). */
export const PRELINK_RULES: Readonly<Record<string, Rule[]>> = {
  'ltm pool': [poolMembersHaveNodes],
  'ltm virtual': [virtualHasAddress],
  'ltm snatpool': [snatpoolMembersHaveTranslations],
};

/** Rules run after references are linked. */
export const RULES: Readonly<Record<string, Rule[]>> = {
  // The destination is normalised and checked as BIG-IP does (a bad mask fails a load too); what openltm cannot serve is then refused or marked.
  'ltm virtual': [virtualDestination, virtualServed],
  'ltm pool': [poolServed],
  'ltm snatpool': [orKept(snatpoolSupported)],
  'ltm data-group internal': [dataGroupRecords],
  'ltm node': [addressUnique],
  [VIRTUAL_ADDRESS]: [addressUnique],
  [SNAT_TRANSLATION]: [addressUnique],
  'ltm profile client-ssl': [noInheritanceCycle, orKept(clientSslRules)],
  'ltm profile server-ssl': [noInheritanceCycle, orKept(serverSslRules)],
  'ltm profile smtps': [noInheritanceCycle],
  'ltm profile tcp': [noInheritanceCycle],
  ...Object.fromEntries(PERSISTENCE_TYPES.map((t) => [t, [noInheritanceCycle]])),
  'ltm monitor smtp': [noInheritanceCycle],
  'ltm monitor tcp': [noInheritanceCycle, orKept(tcpMonitorModes)],
  'ltm monitor http': [noInheritanceCycle, orKept(tcpMonitorModes)],
  'ltm monitor https': [noInheritanceCycle, orKept(tcpMonitorModes)],
  'ltm monitor tcp-half-open': [noInheritanceCycle, orKept(tcpMonitorModes)],
  'ltm monitor icmp': [noInheritanceCycle],
  'ltm monitor gateway-icmp': [noInheritanceCycle],
};

/** The per-type uniqueness key kept in the objects table: an enabled virtual's destination, a node's address. */
export function uniqueKey(type: string, props: StoredProps): string | null {
  if (type === 'ltm virtual') return virtualKey(props);
  if (type === VIRTUAL_ADDRESS && typeof props.address === 'string') return addressKey(props.address);
  if ((type === 'ltm node' || type === SNAT_TRANSLATION) && typeof props.address === 'string') return props.address;
  return null;
}
