/**
 * Rows of the objects table (type, full path, JSON of the object's own properties, builtin flag),
 * their references, their PEM material, and the configuration generation.
 *
 * Records of a type are read once and kept in memory while the generation is unchanged; every
 * write goes to SQLite and to that cache. A rolled-back transaction drops the cache. When
 * another process bumps the generation, the change log (table `changes`) names the objects it
 * touched and only those are read again; without a complete log the whole cache is dropped.
 */
import type { Db } from './database';
import type { ChangedObject, ObjectRecord, ObjectRepository, RefRow } from './object-repository';
import { cloneProps, type StoredProps } from './stored-value';

/** How many generations of change log are kept (older readers re-read everything). */
const CHANGE_LOG_GENERATIONS = 10_000;

export class SqliteRepository implements ObjectRepository {
  private readonly byType = new Map<string, Map<string, ObjectRecord>>();
  /** Records read one at a time for types not read whole (a command touching a few objects of a large store). */
  private readonly single = new Map<string, ObjectRecord | null>();
  private readonly byId = new Map<number, ObjectRecord>();
  private cachedGeneration = -1;
  /** Set by a write; the transaction bumps the generation once when it commits. */
  dirty = false;
  /** Objects this transaction wrote (`type\0path`), for the change log. */
  private readonly touched = new Set<string>();
  private readonly st;

  constructor(private readonly db: Db) {
    this.st = {
      generation: db.prepare("SELECT value FROM meta WHERE key = 'generation'").pluck(),
      bump: db.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"),
      ofType: db.prepare('SELECT id, path, props, builtin FROM objects WHERE type = ?'),
      byId: db.prepare('SELECT id, type, path, props, builtin FROM objects WHERE id = ?'),
      byPath: db.prepare('SELECT id, path, props, builtin FROM objects WHERE type = ? AND path = ?'),
      count: db.prepare('SELECT count(*) FROM objects WHERE type = ?').pluck(),
      types: db.prepare('SELECT DISTINCT type FROM objects ORDER BY type').pluck(),
      verbatim: db.prepare(`SELECT type, path FROM objects WHERE builtin = 0 AND instr(props, '"~preserved"') > 0 ORDER BY type, path`),
      insert: db.prepare('INSERT INTO objects (type, path, props, builtin, ukey) VALUES (?, ?, ?, ?, ?)'),
      update: db.prepare('UPDATE objects SET props = ?, ukey = ? WHERE id = ?'),
      delete: db.prepare('DELETE FROM objects WHERE id = ?'),
      byUkey: db.prepare('SELECT path FROM objects WHERE type = ? AND ukey = ? AND id <> ?').pluck(),
      refsFrom: db.prepare('DELETE FROM refs WHERE from_id = ?'),
      addRef: db.prepare('INSERT INTO refs (from_id, to_id, via) VALUES (?, ?, ?)'),
      refsTo: db.prepare('SELECT from_id AS fromId, to_id AS toId, via FROM refs WHERE to_id = ?'),
      getFile: db.prepare('SELECT pem, passphrase FROM files WHERE object_id = ?'),
      putFile: db.prepare('INSERT OR REPLACE INTO files (object_id, pem, passphrase) VALUES (?, ?, ?)'),
      logChange: db.prepare('INSERT INTO changes (generation, type, path) VALUES (?, ?, ?)'),
      changesFrom: db.prepare("SELECT value FROM meta WHERE key = 'changes_from'").pluck(),
      changesSince: db.prepare('SELECT DISTINCT type, path FROM changes WHERE generation > ?'),
      prune: db.prepare('DELETE FROM changes WHERE generation <= ?'),
      setChangesFrom: db.prepare("UPDATE meta SET value = ? WHERE key = 'changes_from'"),
    };
  }

  /** The committed configuration generation (one indexed read). */
  generation(): number {
    return Number(this.st.generation.get());
  }

  /** Brings cached records up to date if another process (or a rollback) changed the store. */
  refresh(): void {
    const g = this.generation();
    if (g === this.cachedGeneration) return;
    const changed = this.cachedGeneration >= 0 ? this.changesSince(this.cachedGeneration) : undefined;
    if (changed) for (const c of changed) this.reread(c.type, c.path);
    else this.invalidate();
    this.cachedGeneration = g;
  }

  /**
   * The objects changed by generations after `generation`, or undefined when the log does not
   * go back that far (the caller must read everything).
   */
  changesSince(generation: number): ChangedObject[] | undefined {
    if (generation < Number(this.st.changesFrom.get())) return undefined;
    return this.st.changesSince.all(generation) as ChangedObject[];
  }

  /** Forgets one cached object and, for a type held whole, reads it back (or not, if deleted). */
  private reread(type: string, path: string): void {
    const key = `${type}\u0000${path}`;
    const m = this.byType.get(type);
    const old = m?.get(path) ?? this.single.get(key) ?? undefined;
    if (old) this.byId.delete(old.id);
    this.single.delete(key);
    if (!m) return;
    m.delete(path);
    const row = this.st.byPath.get(type, path) as { id: number; path: string; props: string; builtin: number } | undefined;
    if (row) m.set(path, this.remember(type, row));
  }

  invalidate(): void {
    this.byType.clear();
    this.single.clear();
    this.byId.clear();
    this.touched.clear();
    this.cachedGeneration = -1;
    this.dirty = false;
  }

  /** Called inside the transaction just before it commits: the new generation and what it changed. */
  bumpGeneration(): void {
    if (!this.dirty) return;
    this.st.bump.run();
    this.dirty = false;
    const g = this.generation();
    for (const key of this.touched) {
      const i = key.indexOf('\u0000');
      this.st.logChange.run(g, key.slice(0, i), key.slice(i + 1));
    }
    this.touched.clear();
    if (g % 1000 === 0 && g > CHANGE_LOG_GENERATIONS) {
      this.st.prune.run(g - CHANGE_LOG_GENERATIONS);
      this.st.setChangesFrom.run(String(g - CHANGE_LOG_GENERATIONS));
    }
  }

  private touch(type: string, path: string): void {
    this.touched.add(`${type}\u0000${path}`);
  }

  /** Called after a commit: the cache reflects the new generation. */
  committed(): void {
    this.cachedGeneration = this.generation();
  }

  private typeMap(type: string): Map<string, ObjectRecord> {
    let m = this.byType.get(type);
    if (!m) {
      m = new Map();
      for (const row of this.st.ofType.all(type) as { id: number; path: string; props: string; builtin: number }[]) {
        m.set(row.path, this.remember(type, row));
      }
      this.byType.set(type, m);
    }
    return m;
  }

  /** Reads whole types up front (a file load touches most objects; one query beats thousands). */
  preload(types: readonly string[]): void {
    for (const t of types) this.typeMap(t);
  }

  get(type: string, path: string): ObjectRecord | undefined {
    const m = this.byType.get(type);
    if (m) return m.get(path);
    const key = `${type}\u0000${path}`;
    const hit = this.single.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const row = this.st.byPath.get(type, path) as { id: number; path: string; props: string; builtin: number } | undefined;
    const rec = row ? this.remember(type, row) : undefined;
    this.single.set(key, rec ?? null);
    return rec;
  }

  private remember(type: string, row: { id: number; path: string; props: string; builtin: number }): ObjectRecord {
    const known = this.byId.get(row.id);
    if (known) return known;
    const rec: ObjectRecord = { id: row.id, type, path: row.path, props: JSON.parse(row.props), builtin: row.builtin === 1 };
    this.byId.set(rec.id, rec);
    return rec;
  }

  /** Every record of a type, sorted by path. */
  all(type: string): ObjectRecord[] {
    return [...this.typeMap(type).values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  types(): string[] {
    return this.st.types.all() as string[];
  }

  withVerbatim(types: readonly string[]): Array<{ type: string; path: string }> {
    // One pass in SQLite over the JSON text, without parsing a record in JavaScript.
    const wanted = new Set(types);
    return (this.st.verbatim.all() as Array<{ type: string; path: string }>).filter((r) => wanted.has(r.type));
  }

  count(type: string): number {
    return this.byType.get(type)?.size ?? Number(this.st.count.get(type));
  }

  getById(id: number): ObjectRecord | undefined {
    const hit = this.byId.get(id);
    if (hit) return hit;
    const row = this.st.byId.get(id) as { id: number; type: string; path: string; props: string; builtin: number } | undefined;
    if (!row) return undefined;
    return this.get(row.type, row.path);
  }

  insert(type: string, path: string, props: StoredProps, builtin = false, ukey: string | null = null): ObjectRecord {
    const info = this.st.insert.run(type, path, JSON.stringify(props), builtin ? 1 : 0, ukey);
    const rec: ObjectRecord = { id: Number(info.lastInsertRowid), type, path, props, builtin };
    this.byType.get(type)?.set(path, rec);
    this.single.set(`${type}\u0000${path}`, rec);
    this.byId.set(rec.id, rec);
    this.dirty = true;
    this.touch(type, path);
    return rec;
  }

  update(rec: ObjectRecord, props: StoredProps, ukey: string | null = null): void {
    this.st.update.run(JSON.stringify(props), ukey, rec.id);
    rec.props = props;
    this.dirty = true;
    this.touch(rec.type, rec.path);
  }

  delete(rec: ObjectRecord): void {
    this.st.refsFrom.run(rec.id);
    this.st.delete.run(rec.id);
    this.byType.get(rec.type)?.delete(rec.path);
    this.single.set(`${rec.type}\u0000${rec.path}`, null);
    this.byId.delete(rec.id);
    this.dirty = true;
    this.touch(rec.type, rec.path);
  }

  /** Other objects of `type` holding the same uniqueness key. */
  sameKey(type: string, ukey: string, exceptId: number): string[] {
    return this.st.byUkey.all(type, ukey, exceptId) as string[];
  }

  setRefs(fromId: number, refs: readonly { toId: number; via: string }[]): void {
    this.st.refsFrom.run(fromId);
    for (const r of refs) this.st.addRef.run(fromId, r.toId, r.via);
  }

  /** Who refers to this object. */
  referrers(toId: number): RefRow[] {
    return this.st.refsTo.all(toId) as RefRow[];
  }

  getFile(id: number): { pem: string; passphrase: string | null } | undefined {
    return this.st.getFile.get(id) as { pem: string; passphrase: string | null } | undefined;
  }

  putFile(id: number, pem: string, passphrase?: string): void {
    this.st.putFile.run(id, pem, passphrase ?? null);
    this.dirty = true;
    const rec = this.getById(id);
    if (rec) this.touch(rec.type, rec.path);
  }

  /** A detached copy of a record's props, safe to edit. */
  propsCopy(rec: ObjectRecord): StoredProps {
    return cloneProps(rec.props);
  }
}
