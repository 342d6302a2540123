/**
 * A REST request body as tmsh text, so that it runs through the same parser, executor,
 * validation and error messages as a typed command. Every value is quoted with the parser's own
 * quoting (a JSON string can never end the statement or add one); control characters become
 * tmsh escapes; names must be legal object names.
 */
import { errors, type PropertyDef, type PropertyTable } from '@openltm/model';
import { escapeTmsh, quote } from '@openltm/parser';
import type { Json } from './object-json';
import { RestError } from './rest-error';
import { camelCase, flagFor, kebabCase, restValue, tmshName } from './rest-types';

/** Fields every REST object carries that are not properties. */
const IDENTITY = new Set(['name', 'partition', 'subPath', 'fullPath', 'kind', 'selfLink', 'generation']);

const NAME = /^[A-Za-z0-9_.:%-]+$/;
const PARTITION = /^[A-Za-z0-9_.-]+$/;

function typeError(property: string, value: Json, expected: string): never {
  throw errors.invalidValue(property, typeof value === 'string' ? value : JSON.stringify(value), expected);
}

/** A full path from `name` (+ `partition`), refusing anything that is not a plain object name. */
export function objectPath(name: Json | undefined, partition?: Json): string {
  if (typeof name !== 'string' || !name) throw new RestError(400, 'The request needs a "name" (a string).');
  if (name.startsWith('/')) {
    const m = /^\/([^/]+)\/(.+)$/.exec(name);
    if (!m || !PARTITION.test(m[1]) || !NAME.test(m[2])) throw new RestError(400, `Invalid name "${name}": expected NAME or /Partition/NAME.`);
    return name;
  }
  const p = partition === undefined ? 'Common' : partition;
  if (typeof p !== 'string' || !PARTITION.test(p)) throw new RestError(400, `Invalid partition ${JSON.stringify(p)}.`);
  if (!NAME.test(name)) throw new RestError(400, `Invalid name "${name}": use letters, digits and _ - . : %.`);
  return `/${p}/${name}`;
}

function scalarText(property: string, value: Json): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'enabled' : 'disabled';
  if (typeof value !== 'string') typeError(property, value, 'a string or a number');
  if (/[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(value)) typeError(property, value, 'text without control characters');
  return quote(value.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t'));
}

/**
 * `/Common/a and /Common/b`, `min 1 of { a b }`: words written as tmsh words, each checked. Braces
 * only as `min N of { ... }`: anywhere else they would close the block the rule sits in, and the
 * rest of the string would set other properties.
 */
function monitorRuleText(property: string, value: Json): string {
  const expected = 'a monitor rule (a monitor name, "a and b", "min N of { a b }" or none)';
  if (typeof value !== 'string') typeError(property, value, expected);
  const words = value.replace(/[{}]/g, ' $& ').trim().split(/\s+/).filter(Boolean);
  if (!words.length) return 'none';
  const minOf = words[0] === 'min' && /^\d+$/.test(words[1] ?? '') && words[2] === 'of' && words[3] === '{' && words[words.length - 1] === '}';
  const names = minOf ? words.slice(4, -1) : words;
  if (!names.length || !names.every((w) => /^[A-Za-z0-9_.:%/-]+$/.test(w))) typeError(property, value, expected);
  return words.join(' ');
}

function entryName(property: string, e: Json): string {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) typeError(property, e, 'an array of objects with a "name"');
  const obj = e as Record<string, Json>;
  return obj.partition !== undefined || (typeof obj.name === 'string' && obj.name.startsWith('/')) ? objectPath(obj.name, obj.partition) : objectPath(obj.name).replace(/^\/Common\//, '');
}

function valueText(property: string, def: PropertyDef, value: Json): string {
  const t = def.type;
  if (value === null) return 'none';
  switch (t.kind) {
    case 'list': {
      const items = Array.isArray(value) ? value : [value];
      return items.length ? `{ ${items.map((i) => scalarText(property, i)).join(' ')} }` : 'none';
    }
    case 'collection': {
      const entries = Array.isArray(value) ? value : value && typeof value === 'object' && Array.isArray((value as Record<string, Json>).items) ? ((value as Record<string, Json>).items as Json[]) : typeError(property, value, 'an array of objects with a "name"');
      if (!entries.length) return 'none';
      return `{ ${entries.map((e) => `${entryName(property, e)} { ${propertiesText(t.entry, e as Record<string, Json>).join(' ')} }`).join(' ')} }`;
    }
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) typeError(property, value, 'an object');
      return `{ ${propertiesText(t.properties, value as Record<string, Json>).join(' ')} }`;
    case 'monitor-rule':
      return monitorRuleText(property, value);
    case 'flag':
      typeError(property, value, 'true or false');
      break;
    default:
      // A secret (a password) is plain text, not tmsh's escaped form: a backslash is a backslash.
      if (def.secret && typeof value === 'string') return quote(escapeTmsh(value));
      return scalarText(property, value);
  }
  return '';
}

/**
 * The `name value` pieces for a body. Unknown names pass through in their tmsh form so that the
 * executor refuses them with tmsh's own message.
 */
export function propertiesText(table: PropertyTable, body: Record<string, Json>, typeKey = ''): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (IDENTITY.has(key)) continue;
    // A subcollection link without items is what a GET returned: nothing to set.
    if (key.endsWith('Reference') && table[kebabCase(key.slice(0, -'Reference'.length))]) {
      const items = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, Json>).items : undefined;
      if (items === undefined) continue;
      const name = kebabCase(key.slice(0, -'Reference'.length));
      out.push(`${name} ${valueText(name, table[name], items)}`);
      continue;
    }
    const name = typeKey ? tmshName(typeKey, key) : kebabCase(key);
    const def = table[name];
    const flag = !def || def.type.kind === 'flag' ? flagFor(table, key) : undefined;
    if (flag) {
      if (typeof value !== 'boolean') typeError(camelCase(flag.word), value, 'true or false');
      const word = value ? flag.word : flag.other;
      if (word) out.push(word);
      continue;
    }
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(name)) throw errors.syntax(`"${key}" unknown property`);
    if (!def) {
      out.push(`${name} ${typeof value === 'object' && value !== null ? '{ }' : scalarText(name, value)}`);
      continue;
    }
    out.push(`${name} ${valueText(name, def, restValue(name, value) as Json)}`);
  }
  return out;
}
