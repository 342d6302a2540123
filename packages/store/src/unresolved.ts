/**
 * Fragments of an estate: a loaded file may name objects it does not define (a pool's monitor, a
 * virtual's pool or rule kept in another partition's file, or nowhere) and hold objects that are
 * incomplete on their own (a SNAT pool without members). They load: the reference is kept by name
 * and the object is marked, and nothing acts on it (nor on what uses it) until the missing part
 * exists. Typed commands stay strict (01020036).
 *
 * Resolution is level-triggered: each missing target has a placeholder record (internal type
 * UNRESOLVED_TYPE, path = the missing path) that the waiting objects refer to in the refs table,
 * so creating the target finds its waiters with one lookup by path, whatever the store's size.
 */
import { getType } from '@openltm/model';
import type { ObjectRecord, ObjectRepository } from './object-repository';
import { isProps, type StoredProps, type StoredValue } from './stored-value';

/** The placeholder records' type: never a tmsh type (tmsh words have no `~`), never listed or saved. */
export const UNRESOLVED_TYPE = '~unresolved';

/** Where a record keeps its unresolved references: `{ "<via> <path>": "<Kind>" }`. */
export const UNRESOLVED_KEY = '~unresolved-refs';

/** Where a record kept from a loaded file without a required property says which (BIG-IP's message). */
export const INCOMPLETE_KEY = '~incomplete';

/** Record types that are the store's own bookkeeping, not configuration. */
export function isInternalType(type: string): boolean {
  return type.startsWith('~');
}

export interface UnresolvedRef {
  via: string;
  path: string;
  /** What mcpd calls the target (`Pool`, `Monitor`, `rule`). */
  kind: string;
}

/** BIG-IP's line for a reference that does not resolve. */
export function notFoundText(kind: string, path: string): string {
  return `01020036:3: The requested ${kind} (${path}) was not found.`;
}

/** The unresolved references a record carries (empty when it has none). */
export function unresolvedRefs(props: StoredProps): UnresolvedRef[] {
  const m = props[UNRESOLVED_KEY];
  if (!isProps(m)) return [];
  return Object.entries(m).map(([key, kind]) => {
    const i = key.lastIndexOf(' ');
    return { via: key.slice(0, i), path: key.slice(i + 1), kind: String(kind) };
  });
}

/** True when `props` already carried this reference unresolved (a modify may keep it so). */
export function carriesUnresolved(props: StoredProps, via: string, path: string): boolean {
  const m = props[UNRESOLVED_KEY];
  return isProps(m) && m[`${via} ${path}`] !== undefined;
}

/** `props` with the marker set to `refs` (or removed when none); undefined when nothing changes. */
export function withUnresolved(props: StoredProps, refs: readonly UnresolvedRef[]): StoredProps | undefined {
  const next: StoredProps = {};
  for (const r of refs) next[`${r.via} ${r.path}`] = r.kind;
  const had = props[UNRESOLVED_KEY];
  if (!refs.length && had === undefined) return undefined;
  if (refs.length && JSON.stringify(had) === JSON.stringify(next)) return undefined;
  const out = { ...props };
  if (refs.length) out[UNRESOLVED_KEY] = next as StoredValue;
  else delete out[UNRESOLVED_KEY];
  return out;
}

/** The placeholder a waiting reference points at, made when it is first needed. */
export function placeholder(repo: ObjectRepository, path: string): ObjectRecord {
  return repo.get(UNRESOLVED_TYPE, path) ?? repo.insert(UNRESOLVED_TYPE, path, {});
}

/** Objects waiting for something at `path` to exist. */
export function waitingOn(repo: ObjectRepository, path: string): ObjectRecord[] {
  const ph = repo.get(UNRESOLVED_TYPE, path);
  if (!ph) return [];
  return repo.referrers(ph.id).map((r) => repo.getById(r.fromId)).filter((r): r is ObjectRecord => r !== undefined);
}

/** Deletes placeholders nothing waits on any more (the target came, or the waiter changed or went). */
export function sweepPlaceholders(repo: ObjectRepository): void {
  for (const ph of repo.all(UNRESOLVED_TYPE)) if (repo.referrers(ph.id).length === 0) repo.delete(ph);
}

/** Why a record itself is not acted on: its unresolved references and missing required properties. */
export function ownReasons(props: StoredProps): string[] {
  const out = unresolvedRefs(props).map((r) => `the requested ${r.kind} (${r.path}) was not found`);
  const incomplete = props[INCOMPLETE_KEY];
  if (typeof incomplete === 'string') out.push(incomplete);
  return out;
}

/** The kind name of a record for messages (`Pool`, `SNAT Pool`), or its type words. */
export function kindOf(rec: ObjectRecord): string {
  return getType(rec.type)?.kindName ?? rec.type;
}
