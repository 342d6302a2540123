/**
 * The store's persistence seam for objects: records by type and full path (own properties as
 * JSON-able data, a builtin flag, a per-type uniqueness key), who refers to whom, and PEM
 * material kept apart from the properties. Validation, references, inheritance, formatting and
 * the executor work through this interface only; `SqliteRepository` (one file) and
 * `KvRepository` (an in-memory mirror of etcd) implement it. Calls are synchronous and happen
 * inside a transaction the backend opened (see store-backend.ts).
 */
import type { StoredProps } from './stored-value';

export interface ObjectRecord {
  /** Stable for the life of this process only: refer to objects across processes by type and path. */
  id: number;
  type: string;
  path: string;
  props: StoredProps;
  builtin: boolean;
}

/** An object a committed generation created, changed or deleted. */
export interface ChangedObject {
  type: string;
  path: string;
}

export interface RefRow {
  fromId: number;
  toId: number;
  via: string;
}

export interface ObjectRepository {
  get(type: string, path: string): ObjectRecord | undefined;
  /** Every record of a type, sorted by path. */
  all(type: string): ObjectRecord[];
  count(type: string): number;
  /** The types that have at least one record, sorted. */
  types(): string[];
  getById(id: number): ObjectRecord | undefined;
  /** A hint: whole types are about to be read (a file load touches most objects). */
  preload(types: readonly string[]): void;
  insert(type: string, path: string, props: StoredProps, builtin?: boolean, ukey?: string | null): ObjectRecord;
  update(rec: ObjectRecord, props: StoredProps, ukey?: string | null): void;
  delete(rec: ObjectRecord): void;
  /** Paths of other objects of `type` holding the same uniqueness key. */
  sameKey(type: string, ukey: string, exceptId: number): string[];
  /** Replaces the references an object makes. */
  setRefs(fromId: number, refs: readonly { toId: number; via: string }[]): void;
  /** Who refers to this object. */
  referrers(toId: number): RefRow[];
  getFile(id: number): { pem: string; passphrase: string | null } | undefined;
  putFile(id: number, pem: string, passphrase?: string): void;
  /**
   * Type and path of the non-built-in records of these types that may hold verbatim lines (the
   * text `"~preserved"` in their props): a cheap filter for promote-preserved.ts, which checks each.
   */
  withVerbatim(types: readonly string[]): Array<{ type: string; path: string }>;
  /** A detached copy of a record's props, safe to edit. */
  propsCopy(rec: ObjectRecord): StoredProps;
}
