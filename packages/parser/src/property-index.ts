/** Fast lookup of the words that start a property in a schema table (names and flag words). */
import type { PropertyDef, PropertyTable } from '@openltm/model';

/** What a word means in a property table: property `name`, and the flag word when it is a flag. */
export interface PropertyMatch {
  name: string;
  def: PropertyDef;
  flagWord?: string;
}

const cache = new WeakMap<PropertyTable, Map<string, PropertyMatch>>();

/** The words of a table: every property name, plus every value of a flag property. */
export function propertyWords(table: PropertyTable): Map<string, PropertyMatch> {
  let map = cache.get(table);
  if (map) return map;
  map = new Map();
  for (const [name, def] of Object.entries(table)) {
    if (def.type.kind === 'flag') {
      for (const w of def.type.values) map.set(w, { name, def, flagWord: w });
    }
  }
  for (const [name, def] of Object.entries(table)) {
    if (!map.has(name)) map.set(name, def.type.kind === 'flag' ? { name, def, flagWord: name } : { name, def });
  }
  cache.set(table, map);
  return map;
}

/** The property a word names in `table`, or undefined. */
export function matchProperty(table: PropertyTable, word: string): PropertyMatch | undefined {
  return propertyWords(table).get(word);
}
