/**
 * The store's objects kept as key/value pairs (etcd's model), mirrored in memory so the command
 * logic runs synchronously against it. Every key holds one JSON value:
 *
 *   objects/<type><path>   { props, builtin, ukey?, refs?: [[type, path, via], ...] }
 *   files/<type><path>     { pem, passphrase? }        key material, apart from props
 *   meta/generation        the configuration generation, bumped once per committed change
 *   resume/<pool> <member> manual-resume tokens;  baseline/<kind>/<name>: reset-stats baselines
 *   persist-flush/<seq>    `delete ltm persistence persist-records` requests (persist-flushes.ts)
 *   status/<host>/...      what each host's data plane reports (see kv-status.ts)
 *
 * `raw` holds the committed values (what the cluster holds, as far as this process knows) with
 * the revision that last changed each key; the parsed records are a view of it plus the writes of
 * the open transaction, which are tracked by key (`dirty`) so a rollback, or a commit the cluster
 * refused, re-reads just those keys from `raw`.
 */
import type { ChangedObject, ObjectRecord, ObjectRepository, RefRow } from './object-repository';
import { isSealed, type SecretCipher } from './kv-secrets';
import { cloneProps, type StoredProps } from './stored-value';
import { PRESERVED_KEY } from './preserved';

export interface KvEntry {
  value: string;
  /** The etcd revision that last wrote the key. */
  mod: number;
}

/** A key's new value (undefined: deleted) at a revision. */
export interface KvEvent {
  key: string;
  value?: string;
  mod: number;
}

export const GENERATION_KEY = 'meta/generation';
const OBJECTS = 'objects/';
const FILES = 'files/';
/** How many generations of change log are kept (older readers re-read everything). */
const CHANGE_LOG_GENERATIONS = 10_000;

interface StoredObject {
  props: StoredProps;
  builtin: boolean;
  ukey?: string;
  refs?: Array<[string, string, string]>;
}

/** `objects/<type><path>` -> [type, path] (a type has no '/', a path starts with one). */
function splitObjectKey(key: string, prefix: string): [string, string] {
  const rest = key.slice(prefix.length);
  const i = rest.indexOf('/');
  return [rest.slice(0, i), rest.slice(i)];
}

export class KvRepository implements ObjectRepository {
  readonly raw = new Map<string, KvEntry>();
  /** Keys the open transaction wrote; committed or rolled back as one. */
  readonly dirty = new Set<string>();
  generation = 0;
  /** Called for every key outside objects/ and files/ when it changes (status, resume, baselines). */
  onOther?: (key: string, value: string | undefined) => void;
  /** Seals key material (files/) before it is written, when the hosts share a secrets key. */
  cipher?: SecretCipher;

  private readonly byType = new Map<string, Map<string, ObjectRecord>>();
  private readonly sorted = new Map<string, ObjectRecord[]>();
  private readonly byId = new Map<number, ObjectRecord>();
  private readonly ukeyOf = new Map<string, string>();
  private readonly ukeys = new Map<string, Set<string>>();
  private readonly refsOut = new Map<string, Array<{ to: string; via: string }>>();
  private readonly refsIn = new Map<string, Set<string>>();
  private readonly files = new Map<string, { pem: string; passphrase: string | null }>();
  private readonly other = new Map<string, string>();
  private nextId = 1;
  /** Changed objects by the generation that changed them, complete above `changesFrom`. */
  private readonly log = new Map<number, ChangedObject[]>();
  private changesFrom = 0;

  // ---- the ObjectRepository seam ----

  get(type: string, path: string): ObjectRecord | undefined {
    return this.byType.get(type)?.get(path);
  }

  all(type: string): ObjectRecord[] {
    let list = this.sorted.get(type);
    if (!list) {
      list = [...(this.byType.get(type)?.values() ?? [])].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      this.sorted.set(type, list);
    }
    return [...list];
  }

  count(type: string): number {
    return this.byType.get(type)?.size ?? 0;
  }

  types(): string[] {
    return [...this.byType].filter(([, m]) => m.size > 0).map(([t]) => t).sort();
  }

  withVerbatim(types: readonly string[]): Array<{ type: string; path: string }> {
    return types.flatMap((t) => this.all(t).filter((r) => !r.builtin && r.props[PRESERVED_KEY] !== undefined).map((r) => ({ type: t, path: r.path })));
  }

  getById(id: number): ObjectRecord | undefined {
    return this.byId.get(id);
  }

  preload(): void {
    // Everything is in memory already.
  }

  insert(type: string, path: string, props: StoredProps, builtin = false, ukey: string | null = null): ObjectRecord {
    if (this.get(type, path)) throw new Error(`${type} ${path} exists`);
    const rec = this.place(type, path, props, builtin);
    this.setUkey(rec, ukey);
    this.touch(objectKey(rec));
    return rec;
  }

  update(rec: ObjectRecord, props: StoredProps, ukey: string | null = null): void {
    rec.props = props;
    this.setUkey(rec, ukey);
    this.touch(objectKey(rec));
  }

  delete(rec: ObjectRecord): void {
    const key = objectKey(rec);
    this.remove(rec);
    this.touch(key);
    const file = `${FILES}${rec.type}${rec.path}`;
    if (this.files.delete(file)) this.touch(file);
  }

  sameKey(type: string, ukey: string, exceptId: number): string[] {
    const paths = this.ukeys.get(`${type}\u0000${ukey}`);
    if (!paths) return [];
    return [...paths].filter((p) => this.get(type, p)?.id !== exceptId);
  }

  setRefs(fromId: number, refs: readonly { toId: number; via: string }[]): void {
    const rec = this.byId.get(fromId);
    if (!rec) return;
    const next = refs.flatMap((r) => {
      const to = this.byId.get(r.toId);
      return to ? [{ to: objectKey(to), via: r.via }] : [];
    });
    const key = objectKey(rec);
    const before = this.refsOut.get(key) ?? [];
    if (before.length === next.length && before.every((r, i) => r.to === next[i].to && r.via === next[i].via)) return;
    this.linkRefs(key, next);
    this.touch(key);
  }

  referrers(toId: number): RefRow[] {
    const to = this.byId.get(toId);
    if (!to) return [];
    const toKey = objectKey(to);
    const rows: RefRow[] = [];
    for (const from of this.refsIn.get(toKey) ?? []) {
      const [type, path] = splitObjectKey(from, OBJECTS);
      const user = this.get(type, path);
      if (!user) continue;
      for (const r of this.refsOut.get(from) ?? []) if (r.to === toKey) rows.push({ fromId: user.id, toId, via: r.via });
    }
    return rows;
  }

  getFile(id: number): { pem: string; passphrase: string | null } | undefined {
    const rec = this.byId.get(id);
    return rec && this.files.get(`${FILES}${rec.type}${rec.path}`);
  }

  putFile(id: number, pem: string, passphrase?: string): void {
    const rec = this.byId.get(id);
    if (!rec) return;
    const key = `${FILES}${rec.type}${rec.path}`;
    this.files.set(key, { pem, passphrase: passphrase ?? null });
    this.touch(key);
  }

  propsCopy(rec: ObjectRecord): StoredProps {
    return cloneProps(rec.props);
  }

  // ---- keys outside the object model (resume tokens, baselines, status) ----

  getOther(key: string): string | undefined {
    return this.other.get(key);
  }

  /** Keys outside the object model starting with `prefix`. */
  otherKeys(prefix: string): string[] {
    return [...this.other.keys()].filter((k) => k.startsWith(prefix));
  }

  setOther(key: string, value: string): void {
    this.other.set(key, value);
    this.onOther?.(key, value);
    this.touch(key);
  }

  deleteOther(key: string): void {
    this.other.delete(key);
    this.onOther?.(key, undefined);
    this.touch(key);
  }

  // ---- transactions ----

  private touch(key: string): void {
    this.dirty.add(key);
  }

  /** The open transaction's writes as puts and deletes; a key written back to its committed value is left out. */
  pending(): { puts: Array<[string, string]>; deletes: string[] } {
    const puts: Array<[string, string]> = [];
    const deletes: string[] = [];
    for (const key of this.dirty) {
      const value = this.serialize(key);
      const before = this.raw.get(key)?.value;
      if (value === before) continue;
      if (value === undefined) deletes.push(key);
      else puts.push([key, value]);
    }
    return { puts, deletes };
  }

  /** Objects (and their files) the open transaction changed. */
  private changedObjects(keys: Iterable<string>): ChangedObject[] {
    const seen = new Set<string>();
    const out: ChangedObject[] = [];
    for (const key of keys) {
      const prefix = key.startsWith(OBJECTS) ? OBJECTS : key.startsWith(FILES) ? FILES : undefined;
      if (!prefix) continue;
      const [type, path] = splitObjectKey(key, prefix);
      const id = `${type}\u0000${path}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ type, path });
    }
    return out;
  }

  /** Bumps the generation for the open transaction (called once, just before it commits); returns its put. */
  bumpGeneration(): [string, string] {
    this.generation += 1;
    this.touch(GENERATION_KEY);
    return [GENERATION_KEY, String(this.generation)];
  }

  /** The cluster took the open transaction's writes (`pending()` plus the generation) at `revision`. */
  committed(revision: number, { puts, deletes }: { puts: Array<[string, string]>; deletes: string[] }): void {
    for (const [key, value] of puts) this.raw.set(key, { value, mod: revision });
    for (const key of deletes) this.raw.delete(key);
    if (this.dirty.has(GENERATION_KEY)) this.logChanges(this.generation, this.changedObjects(this.dirty));
    this.dirty.clear();
  }

  /** Forgets the open transaction's writes: every key it wrote is read back from `raw`. */
  rollback(): void {
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const key of keys) this.apply(key, this.raw.get(key)?.value);
  }

  /**
   * Applies changes other writers committed (a watch), in revision order. A key already at the
   * same or a newer revision (our own commit, seen again) is left alone.
   */
  applyEvents(events: readonly KvEvent[]): void {
    if (this.dirty.size) throw new Error('applyEvents inside an open transaction');
    const byRevision = new Map<number, { keys: string[]; generation?: number }>();
    for (const e of events) {
      const known = this.raw.get(e.key);
      if (known && known.mod >= e.mod) continue;
      if (e.value === undefined) this.raw.delete(e.key);
      else this.raw.set(e.key, { value: e.value, mod: e.mod });
      this.apply(e.key, e.value);
      let rev = byRevision.get(e.mod);
      if (!rev) byRevision.set(e.mod, (rev = { keys: [] }));
      rev.keys.push(e.key);
      if (e.key === GENERATION_KEY) rev.generation = this.generation;
    }
    for (const rev of byRevision.values()) {
      if (rev.generation !== undefined) this.logChanges(rev.generation, this.changedObjects(rev.keys));
    }
  }

  /** Replaces everything with a full read of the cluster (start-up, or a watch that lost its place). */
  reset(entries: ReadonlyArray<KvEvent>): void {
    this.dirty.clear();
    for (const key of [...this.raw.keys()]) this.raw.delete(key);
    this.byType.clear();
    this.sorted.clear();
    this.byId.clear();
    this.ukeyOf.clear();
    this.ukeys.clear();
    this.refsOut.clear();
    this.refsIn.clear();
    this.files.clear();
    for (const key of [...this.other.keys()]) {
      this.other.delete(key);
      this.onOther?.(key, undefined);
    }
    this.generation = 0;
    for (const e of entries) if (e.value !== undefined) this.raw.set(e.key, { value: e.value, mod: e.mod });
    for (const e of entries) if (e.value !== undefined) this.apply(e.key, e.value);
    this.log.clear();
    this.changesFrom = this.generation;
  }

  changesSince(generation: number): ChangedObject[] | undefined {
    if (generation < this.changesFrom) return undefined;
    const out: ChangedObject[] = [];
    for (const [g, changes] of this.log) if (g > generation) out.push(...changes);
    return out;
  }

  private logChanges(generation: number, changes: ChangedObject[]): void {
    this.log.set(generation, changes);
    if (this.log.size > CHANGE_LOG_GENERATIONS) {
      const oldest = Math.min(...this.log.keys());
      this.log.delete(oldest);
      this.changesFrom = oldest;
    }
  }

  // ---- between the key/value form and the records ----

  /** The current value of a key as the cluster should hold it (undefined: absent). */
  private serialize(key: string): string | undefined {
    if (key === GENERATION_KEY) return String(this.generation);
    if (key.startsWith(OBJECTS)) {
      const [type, path] = splitObjectKey(key, OBJECTS);
      const rec = this.get(type, path);
      if (!rec) return undefined;
      const stored: StoredObject = { props: rec.props, builtin: rec.builtin };
      const ukey = this.ukeyOf.get(key);
      if (ukey !== undefined) stored.ukey = ukey;
      const refs = this.refsOut.get(key);
      if (refs?.length) stored.refs = refs.map((r) => [...splitObjectKey(r.to, OBJECTS), r.via] as [string, string, string]);
      return JSON.stringify(stored);
    }
    if (key.startsWith(FILES)) {
      const f = this.files.get(key);
      if (!f) return undefined;
      const before = this.raw.get(key)?.value;
      const plain = JSON.stringify(f.passphrase === null ? { pem: f.pem } : f);
      if (!this.cipher) return plain;
      // Sealing is randomised: keep the stored form when the content did not change.
      if (before !== undefined && isSealed(before) && this.cipher.open(before) === plain) return before;
      return this.cipher.seal(plain);
    }
    return this.other.get(key);
  }

  /** Makes the parsed view of one key match `value` (undefined: absent). */
  private apply(key: string, value: string | undefined): void {
    if (key === GENERATION_KEY) {
      this.generation = value === undefined ? 0 : Number(value);
    } else if (key.startsWith(OBJECTS)) {
      const [type, path] = splitObjectKey(key, OBJECTS);
      const rec = this.get(type, path);
      if (value === undefined) {
        if (rec) this.remove(rec);
        return;
      }
      const stored = JSON.parse(value) as StoredObject;
      const target = rec ?? this.place(type, path, stored.props, stored.builtin);
      target.props = stored.props;
      target.builtin = stored.builtin;
      this.setUkey(target, stored.ukey ?? null);
      this.linkRefs(key, (stored.refs ?? []).map(([t, p, via]) => ({ to: `${OBJECTS}${t}${p}`, via })));
    } else if (key.startsWith(FILES)) {
      if (value === undefined) this.files.delete(key);
      else if (!this.cipher && isSealed(value)) {
        // Sealed by hosts holding the secrets key: this one has none, so it has no key material.
        this.files.delete(key);
      } else {
        const f = JSON.parse(this.cipher ? this.cipher.open(value) : value) as { pem: string; passphrase?: string };
        this.files.set(key, { pem: f.pem, passphrase: f.passphrase ?? null });
      }
    } else {
      if (value === undefined) this.other.delete(key);
      else this.other.set(key, value);
      this.onOther?.(key, value);
    }
  }

  private place(type: string, path: string, props: StoredProps, builtin: boolean): ObjectRecord {
    const rec: ObjectRecord = { id: this.nextId++, type, path, props, builtin };
    let m = this.byType.get(type);
    if (!m) this.byType.set(type, (m = new Map()));
    m.set(path, rec);
    this.sorted.delete(type);
    this.byId.set(rec.id, rec);
    return rec;
  }

  private remove(rec: ObjectRecord): void {
    const key = objectKey(rec);
    this.byType.get(rec.type)?.delete(rec.path);
    this.sorted.delete(rec.type);
    this.byId.delete(rec.id);
    this.setUkey(rec, null);
    this.linkRefs(key, []);
  }

  private setUkey(rec: ObjectRecord, ukey: string | null): void {
    const key = objectKey(rec);
    const old = this.ukeyOf.get(key);
    if (old === (ukey ?? undefined)) return;
    if (old !== undefined) {
      const set = this.ukeys.get(`${rec.type}\u0000${old}`);
      set?.delete(rec.path);
      if (set?.size === 0) this.ukeys.delete(`${rec.type}\u0000${old}`);
      this.ukeyOf.delete(key);
    }
    if (ukey !== null) {
      this.ukeyOf.set(key, ukey);
      const k = `${rec.type}\u0000${ukey}`;
      let set = this.ukeys.get(k);
      if (!set) this.ukeys.set(k, (set = new Set()));
      set.add(rec.path);
    }
  }

  private linkRefs(from: string, refs: Array<{ to: string; via: string }>): void {
    for (const r of this.refsOut.get(from) ?? []) {
      const set = this.refsIn.get(r.to);
      set?.delete(from);
      if (set?.size === 0) this.refsIn.delete(r.to);
    }
    if (refs.length === 0) this.refsOut.delete(from);
    else this.refsOut.set(from, refs);
    for (const r of refs) {
      let set = this.refsIn.get(r.to);
      if (!set) this.refsIn.set(r.to, (set = new Set()));
      set.add(from);
    }
  }
}

function objectKey(rec: ObjectRecord): string {
  return `${OBJECTS}${rec.type}${rec.path}`;
}
