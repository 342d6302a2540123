import type { PropertyDef, PropertyTable } from './value-types';

/** One property anywhere in a type: top level, inside collection entries or nested objects. */
export interface PropertyAt {
  /** Names from the top (`['members', 'ratio']`; a collection entry adds no name of its own). */
  path: string[];
  def: PropertyDef;
}

/** Every property of a table, nested ones after their parent, in schema order. */
export function eachProperty(table: PropertyTable, prefix: string[] = []): PropertyAt[] {
  const out: PropertyAt[] = [];
  for (const [name, def] of Object.entries(table)) {
    const path = [...prefix, name];
    out.push({ path, def });
    if (def.type.kind === 'collection') out.push(...eachProperty(def.type.entry, path));
    if (def.type.kind === 'object') out.push(...eachProperty(def.type.properties, path));
  }
  return out;
}
