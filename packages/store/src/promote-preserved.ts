/**
 * Records an older openltm kept as they came (a whole `ltm snat-translation`, or a virtual's
 * `source-address-translation` line) become first-class once this build models them: when the
 * store opens, each is read again with the current schema from the text `save` would write for
 * it, and loaded over itself (validated as a load validates, references resolved as a load
 * resolves them). One that does not validate stays as it came, marked with why (KEPT_KEY): list
 * and save show it verbatim, show says why, the data plane never sees it, and the next open
 * tries again. Everything goes through the ObjectRepository, so SQLite and etcd need nothing of
 * their own.
 */
import { ConfigError, OBJECT_TYPES, getType, type ObjectTypeDef } from '@openltm/model';
import { parseScript } from '@openltm/parser';
import { formatBlock, itemsOf } from './format/list-format';
import { listedProps } from './list-command';
import type { ObjectOperations } from './object-operations';
import type { ObjectRecord } from './object-repository';
import { KEPT_KEY, PRESERVED_KEY, formatPreserved, isKept, type PreservedLine } from './preserved';
import { sameValue, type StoredProps } from './stored-value';

/** What opening the store did to records kept as they came. */
export interface PromotionReport {
  /** `type path` of the records that became first-class. */
  promoted: string[];
  /** Records of modelled types still kept whole as they came (stored only, out of the data plane), with why. */
  kept: { type: string; path: string; reason: string }[];
  /** First-class records whose verbatim lines the schema now models but which did not validate: the lines stay stored only. */
  partial: { type: string; path: string; reason: string }[];
}

/** A record this build may read better than the one that wrote it. */
export interface Candidate {
  type: string;
  path: string;
}

function lines(props: StoredProps): PreservedLine[] {
  const l = props[PRESERVED_KEY] as unknown as PreservedLine[] | undefined;
  return Array.isArray(l) ? l : [];
}

/** True when a record holds verbatim what its type now models (or is kept and worth another try). */
function promotable(def: ObjectTypeDef, rec: ObjectRecord): boolean {
  if (rec.builtin || def.key.startsWith('sys file ')) return false; // a certificate needs its PEM, which a record never held
  if (isKept(rec) || rec.props['~no-body'] === 'true') return true;
  return lines(rec.props).some((line) => {
    const first = line[0];
    if (typeof first === 'string') return def.properties[first] !== undefined;
    return def.verbatimBody !== undefined && typeof first === 'object' && 'tcl' in first;
  });
}

/** Every record of a modelled type that holds verbatim lines the schema now models. */
export function promotionCandidates(ops: ObjectOperations): Candidate[] {
  // The repository narrows it down without reading every record (a store of 20,000 objects opens
  // for every tmsh command); each one it names is then checked.
  return ops.repo.withVerbatim(OBJECT_TYPES.map((d) => d.key)).filter((c) => {
    const rec = ops.repo.get(c.type, c.path);
    return rec !== undefined && promotable(getType(c.type)!, rec);
  });
}

/** A record with nothing but what came verbatim (an object of a type the writing build did not model). */
function whollyPreserved(rec: ObjectRecord): boolean {
  return Object.keys(rec.props).every((k) => k.startsWith('~'));
}

/** The text `save sys config` writes for a record: what a load of it would read. */
function recordText(ops: ObjectOperations, def: ObjectTypeDef, rec: ObjectRecord): string {
  if (whollyPreserved(rec)) return formatPreserved(rec.type, rec.path, rec.props, {});
  const style = { mode: 'save' as const, folder: '/Common' };
  const props = listedProps(ops, def, rec, { save: true });
  delete props[KEPT_KEY];
  return formatBlock(def, rec.path, itemsOf(def.properties, props, style), style, props);
}

/** Nothing to change: the transaction rolls back. */
export class Unchanged extends Error {}

/**
 * Loads one record over itself from its saved text, inside the caller's write transaction.
 * Throws a ConfigError (nothing changes) when it does not validate, Unchanged when it reads the same.
 */
export function promoteOne(ops: ObjectOperations, c: Candidate): void {
  const def = getType(c.type);
  const rec = ops.repo.get(c.type, c.path);
  if (!def || !rec) throw new Unchanged();
  const text = recordText(ops, def, rec);
  const parsed = parseScript(text, { source: `the stored ${c.type} ${c.path}` });
  const stmt = parsed.statements[0];
  if (parsed.errors.length) throw parsed.errors[0];
  if (parsed.statements.length !== 1 || stmt.kind !== 'object') throw new Unchanged();
  const before = ops.repo.propsCopy(rec);
  ops.loading = true;
  try {
    ops.replace(rec, stmt.properties, { folder: '/Common', position: stmt.pos, mode: 'load' });
    ops.check();
  } finally {
    ops.loading = false;
    ops.unmodeled.length = 0;
  }
  const after = ops.repo.get(c.type, c.path);
  if (after && sameValue(after.props, before)) throw new Unchanged();
}

/**
 * Marks a whole record kept as it came with why (inside a write transaction). A first-class record
 * whose verbatim lines did not validate is left as it is (those lines stay stored only, as
 * before): false then, and when the mark is already there.
 */
export function markKept(ops: ObjectOperations, c: Candidate, reason: string): boolean {
  const rec = ops.repo.get(c.type, c.path);
  if (!rec || !whollyPreserved(rec) || rec.props[KEPT_KEY] === reason) return false;
  ops.repo.update(rec, { ...ops.repo.propsCopy(rec), [KEPT_KEY]: reason }, null);
  return true;
}

/** True when a candidate is kept whole (not a first-class record with some verbatim lines). */
export function keptWhole(ops: ObjectOperations, c: Candidate): boolean {
  const rec = ops.repo.get(c.type, c.path);
  return rec !== undefined && whollyPreserved(rec);
}

/** Why a promotion failed, in one line. */
export function reasonOf(err: unknown): string {
  return ConfigError.is(err) ? err.toString() : String((err as Error)?.message ?? err);
}
