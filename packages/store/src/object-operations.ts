/**
 * create / modify / delete of objects inside the caller's transaction, with the staged checks:
 * schema (while applying values) -> references -> cross-object rules. Statements of one batch
 * (a file load) can defer the later stages to the end, so references resolve after reading
 * everything.
 */
import {
  ConfigError, ErrorCodes, errors, getType, typeOf, type ObjectTypeDef, type SourcePosition,
} from '@openltm/model';
import type { Property } from '@openltm/parser';
import { applyTable, type ApplyMode } from './apply-properties';
import { builtinProps } from './builtins';
import { fromTmsh } from './default-values';
import { importFile } from './file-objects';
import { effectiveProps } from './inheritance';
import { checkNewName, fullPath } from './names';
import { partitionExists } from './folders';
import { hashUserPassword } from './passwords';
import type { ObjectRecord, ObjectRepository } from './object-repository';
import type { StoredProps } from './stored-value';
import { linkReferences, type Reference, type UnmodeledReference } from './validate/references';
import { INCOMPLETE_KEY, carriesUnresolved, sweepPlaceholders, waitingOn, withUnresolved, type UnresolvedRef } from './unresolved';
import { canonicalAddress } from './validate/scalar';
import { VIRTUAL_ADDRESS, destinationAddress, sweepVirtualAddresses } from './validate/virtual-address';
import { PRELINK_RULES, RULES, uniqueKey, type RuleContext } from './validate/rules';

export interface OpContext {
  folder: string;
  position?: SourcePosition;
  mode: ApplyMode;
  /** For sys file objects loaded from a saved file: the PEM copy to import instead of source-path. */
  pemPath?: string;
}

/** `2024-05-01:10:00:00`, the form BIG-IP writes creation-time and last-modified-time in. */
export function timestamp(d = new Date()): string {
  return d.toISOString().slice(0, 19).replace('T', ':');
}

export class ObjectOperations {
  /** Objects created or modified since the last check, with where their statement was. */
  readonly touched = new Map<ObjectRecord, SourcePosition | undefined>();
  /** Set while a file loads: virtuals openltm cannot serve are kept, marked not served (validate/rules.ts). */
  loading = false;
  /** References to what openltm does not model, found by the checks since this was last emptied. */
  readonly unmodeled: UnmodeledReference[] = [];
  /** While check() runs its rules: why objects are not acted on, worked out once each. */
  private memo?: Map<number, string[]>;

  constructor(readonly repo: ObjectRepository) {}

  /**
   * A reference whose target is nowhere is kept by name (the object marked, not acted on) while a
   * file loads, or when the object already carried it unresolved (a modify checks only the
   * references it changes); a typed command naming a missing object is refused (01020036).
   */
  private keepMissing(rec: ObjectRecord): (ref: Reference) => boolean {
    return (ref) => this.loading || carriesUnresolved(rec.props, ref.via, ref.path);
  }

  /** The reference stage of one object: refs rows, and its unresolved-reference marker. */
  private linkOne(rec: ObjectRecord, position?: SourcePosition): void {
    const missing: UnresolvedRef[] = [];
    this.unmodeled.push(...linkReferences(this.repo, rec, position, this.keepMissing(rec), missing));
    const next = withUnresolved(rec.props, missing);
    if (next) this.write(rec, next);
  }

  /** What value checks may ask of the store: which partitions exist, where a relative name is. */
  private lookups(): { partitionExists: (p: string) => boolean; exists: (types: readonly string[], path: string) => boolean } {
    return {
      partitionExists: (p) => partitionExists(this.repo, p),
      exists: (types, path) => types.some((t) => this.repo.get(t, path) !== undefined),
    };
  }

  effective(rec: ObjectRecord): StoredProps {
    return effectiveProps(this.repo, rec);
  }

  /** Writes own props (and the type's uniqueness key). */
  write(rec: ObjectRecord, props: StoredProps): void {
    this.repo.update(rec, props, uniqueKey(rec.type, props));
  }

  find(typeKey: string, name: string, folder: string, position?: SourcePosition): ObjectRecord {
    const path = fullPath(name, folder);
    const rec = this.repo.get(typeKey, path);
    if (!rec) throw errors.notFound(typeOf(typeKey).kindName, path, position);
    return rec;
  }

  create(typeKey: string, name: string, properties: readonly Property[], ctx: OpContext): ObjectRecord {
    const def = typeOf(typeKey);
    const path = fullPath(name, ctx.folder);
    if (this.repo.get(typeKey, path)) throw errors.alreadyExists(def.kindName, path, 'Common', ctx.position);
    checkNewName(def.kindName, path, this.repo, ctx.position);
    const props = applyTable(def.properties, {}, properties, { ...ctx, ...this.lookups(), owner: { kind: def.kindName, path } });
    // `create ltm node 10.1.2.3`: BIG-IP takes a node's address from a name that is an address.
    if ((def.key === 'ltm node' || def.key === VIRTUAL_ADDRESS || def.key === 'ltm snat-translation') && props.address === undefined) {
      const fromName = canonicalAddress(path.slice(path.lastIndexOf('/') + 1));
      if (fromName) props.address = fromName;
    }
    this.fillOnCreate(def, props, ctx);
    hashUserPassword(def, props, ctx.position);
    const passphrase = takePassphrase(def, props);
    const rec = this.repo.insert(typeKey, path, props, false, uniqueKey(typeKey, props));
    if (def.key.startsWith('sys file ')) importFile(this.repo, rec, passphrase, ctx);
    this.touched.set(rec, ctx.position);
    return rec;
  }

  /** Addresses whose virtual address may have lost its last virtual (deleted at the next check). */
  private readonly leftAddresses = new Set<string>();

  modify(rec: ObjectRecord, properties: readonly Property[], ctx: OpContext): void {
    const def = typeOf(rec.type);
    this.noteAddress(rec);
    let eff: StoredProps | undefined;
    const props = applyTable(def.properties, this.repo.propsCopy(rec), properties, {
      ...ctx,
      ...this.lookups(),
      owner: { kind: def.kindName, path: rec.path },
      current: (p) => (eff ??= effectiveProps(this.repo, rec, new Set(), false))[p],
    });
    if (def.key === 'ltm virtual' && ctx.mode !== 'load') props['last-modified-time'] = timestamp();
    hashUserPassword(def, props, ctx.position);
    const passphrase = takePassphrase(def, props);
    const newSource = properties.some((p) => p.name === 'source-path');
    const reimport = def.key.startsWith('sys file ') && (newSource || properties.some((p) => p.name === 'passphrase'));
    this.write(rec, props);
    if (reimport) importFile(this.repo, rec, passphrase, ctx, newSource);
    this.touched.set(rec, ctx.position);
  }

  /**
   * Replaces an object's own values wholesale (a merge load of an existing object). A built-in
   * starts again from its built-in values, as BIG-IP loads /defaults before bigip.conf.
   */
  replace(rec: ObjectRecord, properties: readonly Property[], ctx: OpContext): void {
    const def = typeOf(rec.type);
    this.noteAddress(rec);
    const base = rec.builtin ? { ...(builtinProps(rec.type, rec.path) ?? {}) } : {};
    const props = applyTable(def.properties, base, properties, { ...ctx, ...this.lookups(), owner: { kind: def.kindName, path: rec.path } });
    if (!rec.builtin) this.fillOnCreate(def, props, ctx);
    hashUserPassword(def, props, ctx.position);
    const passphrase = takePassphrase(def, props);
    this.write(rec, props);
    if (def.key.startsWith('sys file ') && !rec.builtin) importFile(this.repo, rec, passphrase, ctx);
    this.touched.set(rec, ctx.position);
  }

  /** A virtual about to change or go: its address may be left without virtuals. */
  private noteAddress(rec: ObjectRecord): void {
    if (rec.type !== 'ltm virtual') return;
    const a = destinationAddress(rec.props.destination);
    if (a) this.leftAddresses.add(a.address);
  }

  /** Auto-deletes the virtual addresses the last virtual left (BIG-IP's auto-delete true). */
  private sweepAddresses(): void {
    if (this.leftAddresses.size === 0) return;
    sweepVirtualAddresses(this.repo, this.leftAddresses);
    this.leftAddresses.clear();
  }

  /**
   * What a loaded file may leave out that a command may not: a virtual's destination (it has
   * traffic-matching-criteria; kept, not served) and an FQDN node's address (kept, not resolved).
   */
  private keptWithout(type: string, property: string, props: StoredProps): boolean {
    if (!this.loading) return false;
    if (type === 'ltm virtual' && property === 'destination') return true;
    // BIG-IP's own files (`system-path` only): kept without content, marked by importFile.
    if (type.startsWith('sys file ') && property === 'source-path') return true;
    return type === 'ltm node' && property === 'address' && props.fqdn !== undefined;
  }

  private fillOnCreate(def: ObjectTypeDef, props: StoredProps, ctx: OpContext): void {
    const absent = missingRequired(def, props, (name) => this.keptWithout(def.key, name, props));
    if (absent) {
      const message = `"${absent}" is required to create a ${def.kindName}.`;
      // A loaded fragment keeps the object, marked incomplete: nothing acts on it (or on what uses it) until it is whole.
      if (!this.loading) throw errors.configError(message, ctx.position);
      props[INCOMPLETE_KEY] = message;
    }
    // A node is an address, or (stored only) an FQDN.
    const fqdn = props.fqdn as StoredProps | undefined;
    if (def.key === 'ltm node' && props.address === undefined && !(fqdn && typeof fqdn.name === 'string')) {
      throw errors.configError('"address" is required to create a Node.', ctx.position);
    }
    if (def.inheritable && props['defaults-from'] === undefined && def.builtins?.[0]) props['defaults-from'] = def.builtins[0].name;
    if (def.key === 'ltm virtual') {
      // BIG-IP always lists a virtual's profiles; the default set is written down on create.
      if (props.profiles === undefined && def.properties.profiles.default) props.profiles = fromTmsh(def.properties.profiles.type, def.properties.profiles.default);
      const now = timestamp();
      props['creation-time'] ??= now;
      props['last-modified-time'] ??= now;
    }
  }

  /** Deletes `recs`; objects in use by others outside the set, and built-ins, are refused. */
  delete(recs: readonly ObjectRecord[], position?: SourcePosition): void {
    const doomed = new Set(recs.map((r) => r.id));
    for (const rec of recs) {
      if (rec.builtin) {
        throw errors.configError(`The ${typeOf(rec.type).kindName} (${rec.path}) is a built-in object: it can be modified but not deleted.`, position);
      }
    }
    let pending = [...recs];
    while (pending.length) {
      const blocked: ObjectRecord[] = [];
      for (const rec of pending) {
        const users = this.repo.referrers(rec.id).filter((r) => r.fromId !== rec.id);
        if (users.length === 0) {
          this.noteAddress(rec);
          this.repo.delete(rec);
          doomed.delete(rec.id);
          this.touched.delete(rec);
        } else blocked.push(rec);
      }
      if (blocked.length === pending.length) {
        const rec = blocked.find((r) => this.repo.referrers(r.id).some((u) => !doomed.has(u.fromId))) ?? blocked[0];
        const user = this.repo.referrers(rec.id).map((u) => this.repo.getById(u.fromId)!).find((u) => u.id !== rec.id)!;
        throw inUseError(rec, user, position);
      }
      pending = blocked;
    }
    this.sweepAddresses();
  }

  /**
   * The reference stage only (pool members' nodes, the refs table) for what was touched so far,
   * keeping it touched: inside a cli transaction each statement sees the references of the ones
   * before it (delete knows what is in use), while the cross-object rules wait for the final state.
   */
  link(): void {
    for (const [rec, position] of this.touched) {
      if (!this.repo.getById(rec.id)) continue;
      const ctx = this.ruleContext(position);
      for (const rule of PRELINK_RULES[rec.type] ?? []) rule(rec, ctx);
      this.linkOne(rec, position);
    }
  }

  /**
   * The reference and cross-object stages for every touched object, then the rules of objects
   * that depend on them (a virtual whose profile changed). Clears the touched set.
   */
  check(): void {
    this.memo = new Map();
    const touched = [...this.touched].filter(([rec]) => this.repo.getById(rec.id));
    this.touched.clear();
    for (const [rec, position] of touched) {
      const ctx = this.ruleContext(position);
      for (const rule of PRELINK_RULES[rec.type] ?? []) rule(rec, ctx);
      this.linkOne(rec, position);
      this.refreshIncomplete(rec);
    }
    // Level-triggered: objects waiting for one of these paths resolve now (and what uses them follows).
    const seen = new Set(touched.map(([r]) => r.id));
    for (const [rec] of [...touched]) {
      for (const waiter of waitingOn(this.repo, rec.path)) {
        if (seen.has(waiter.id)) continue;
        seen.add(waiter.id);
        this.linkOne(waiter);
        touched.push([waiter, undefined]);
      }
    }
    const done = new Set<number>();
    // What virtuals use is judged before them (a pool before its virtuals, everything else first).
    const rank = (t: string) => (t === 'ltm virtual' ? 2 : t === 'ltm pool' ? 1 : 0);
    for (const [rec, position] of [...touched].sort((a, b) => rank(a[0].type) - rank(b[0].type))) {
      const ctx = this.ruleContext(position);
      for (const rule of RULES[rec.type] ?? []) rule(rec, ctx);
      done.add(rec.id);
    }
    for (const [rec, position] of touched) this.checkDependents(rec, done, position);
    this.sweepAddresses();
    sweepPlaceholders(this.repo);
    this.memo = undefined;
  }

  /** A record kept incomplete from a loaded file is complete once its required properties are all set. */
  private refreshIncomplete(rec: ObjectRecord): void {
    if (rec.props[INCOMPLETE_KEY] === undefined) return;
    if (missingRequired(typeOf(rec.type), rec.props, () => false)) return;
    const props = { ...rec.props };
    delete props[INCOMPLETE_KEY];
    this.write(rec, props);
  }

  private checkDependents(rec: ObjectRecord, done: Set<number>, position?: SourcePosition): void {
    const queue = [rec];
    const seen = new Set<number>([rec.id]);
    while (queue.length) {
      const cur = queue.shift()!;
      for (const r of this.repo.referrers(cur.id)) {
        if (seen.has(r.fromId)) continue;
        seen.add(r.fromId);
        const user = this.repo.getById(r.fromId);
        if (!user) continue;
        if (!done.has(user.id)) {
          const ctx = this.ruleContext(position);
          for (const rule of RULES[user.type] ?? []) rule(user, ctx);
          done.add(user.id);
        }
        queue.push(user);
      }
    }
  }

  ruleContext(position?: SourcePosition): RuleContext {
    return {
      repo: this.repo,
      loading: this.loading,
      effective: (r) => this.effective(r),
      write: (r, p) => this.write(r, p),
      position,
      memo: this.memo,
    };
  }
}

/** The first required property `props` lacks (unless `excused`), or undefined. */
function missingRequired(def: ObjectTypeDef, props: StoredProps, excused: (name: string) => boolean): string | undefined {
  for (const [name, p] of Object.entries(def.properties)) if (p.required && props[name] === undefined && !excused(name)) return name;
  return undefined;
}

function takePassphrase(def: ObjectTypeDef, props: StoredProps): string | undefined {
  if (def.key !== 'sys file ssl-key') return undefined;
  const p = props.passphrase;
  delete props.passphrase;
  return typeof p === 'string' ? p : undefined;
}

/** The BIG-IP message for deleting an object still in use, naming the user. */
export function inUseError(rec: ObjectRecord, user: ObjectRecord, position?: SourcePosition): ConfigError {
  // Preserved objects have no modelled kind name: their type words stand in.
  const kind = getType(rec.type)?.kindName ?? rec.type;
  const userKind = getType(user.type)?.kindName ?? user.type;
  if (rec.type === 'ltm node') {
    return new ConfigError(ErrorCodes.NODE_IN_USE, `Node address '${rec.path}' is referenced by a member of pool '${user.path}'.`, { position });
  }
  if (rec.type.startsWith('ltm monitor ')) {
    return new ConfigError(ErrorCodes.MONITOR_IN_USE, `Monitor ${rec.path} is in use by ${userKind} (${user.path}).`, { position });
  }
  return errors.inUse(kind, rec.path, userKind, user.path, position);
}

