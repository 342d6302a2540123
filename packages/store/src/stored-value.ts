/**
 * How property values are kept: scalars as canonical strings (references as full paths,
 * destinations as `/Common/addr:port` with numeric ports), lists as string arrays, collections
 * and nested objects as records. This is the JSON in the objects table.
 */
export type StoredValue = string | string[] | StoredProps;
export interface StoredProps {
  [name: string]: StoredValue;
}

export function isProps(v: StoredValue | undefined): v is StoredProps {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy, so a record held in the cache is never changed by a command that later fails. */
export function cloneProps(p: StoredProps): StoredProps {
  return JSON.parse(JSON.stringify(p)) as StoredProps;
}

export function sameValue(a: StoredValue | undefined, b: StoredValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
