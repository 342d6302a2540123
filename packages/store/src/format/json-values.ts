/**
 * `list --json`: effective values with numbers as numbers. Integer properties become JSON numbers
 * (words such as `indefinite` stay strings); everything else is the stored form.
 */
import type { PropertyTable } from '@openltm/model';
import { isProps, type StoredProps } from '../stored-value';

export type JsonValue = string | number | JsonValue[] | { [name: string]: JsonValue };

export function jsonValues(table: PropertyTable, props: StoredProps): { [name: string]: JsonValue } {
  const out: { [name: string]: JsonValue } = {};
  for (const [name, v] of Object.entries(props)) {
    const type = table[name]?.type;
    if (type?.kind === 'integer' && typeof v === 'string' && /^\d+$/.test(v)) out[name] = Number(v);
    else if (type?.kind === 'collection' && isProps(v)) {
      out[name] = Object.fromEntries(Object.entries(v).map(([k, e]) => [k, isProps(e) ? jsonValues(type.entry, e) : e]));
    } else if (type?.kind === 'object' && isProps(v)) out[name] = jsonValues(type.properties, v);
    else out[name] = v as JsonValue;
  }
  return out;
}
