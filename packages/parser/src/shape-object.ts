/**
 * Shapes a top-level statement without a verb, as found in bigip.conf files and `list` output:
 * `ltm pool /Common/p { ... }` (known type: ObjectStatement), `sys ntp { ... }` or
 * `ltm rule /Common/r { Tcl }` (RawObjectStatement), `ltm node 10.0.0.1` (list output, no block).
 */
import { getType } from '@openltm/model';
import { walkPath } from './path-trie';
import type { BlockNode, ObjectStatement, Position, Property, RawObjectStatement, SyntaxNode } from './ast';
import { describe } from './item-cursor';
import { shapeProperties } from './shape-value';
import { syntaxError } from './errors';

/** tmsh modules: a statement starting with one of these is configuration even without a block. */
export const MODULES: ReadonlySet<string> = new Set([
  'afm', 'analytics', 'apm', 'asm', 'auth', 'cli', 'cm', 'fw', 'gtm', 'ilx', 'ltm', 'net', 'pem', 'security', 'sys', 'util', 'vcmp', 'wom',
]);

/** The whole body of an `ltm rule` as its one property, the text exactly as written. */
export function verbatimProperty(name: string, body: BlockNode): Property {
  return { kind: 'property', name, value: { kind: 'scalar', text: body.raw, quoted: false, pos: body.pos }, pos: body.pos };
}

/** Shapes a verb-less top-level statement; throws a ConfigError when it is not configuration. */
export function shapeObject(items: readonly SyntaxNode[], pos: Position, text: string): ObjectStatement | RawObjectStatement {
  const last = items[items.length - 1];
  const body: BlockNode | undefined = last.kind === 'block' ? last : undefined;
  const head = body ? items.slice(0, -1) : items;
  for (const h of head) {
    if (h.kind !== 'word') throw syntaxError(`unexpected "${describe(h)}" before the object's { }`, h.pos);
  }
  const words = head.map((h) => (h as { text: string }).text);
  if (words.length === 0) throw syntaxError('unexpected "{": a statement must start with a word', items[0].pos);
  if (!body && !MODULES.has(words[0])) throw syntaxError(`"${words[0]}" unknown command`, items[0].pos);
  const n = walkPath(words);
  const key = words.slice(0, n).join(' ');
  const def = getType(key);
  if (def && words.length === n + 1) {
    const properties = body ? (def.verbatimBody ? [verbatimProperty(def.verbatimBody, body)] : shapeProperties(def.properties, body.items, 'file')) : [];
    return { kind: 'object', typeKey: key, name: words[n], properties, pos, text };
  }
  if (def && words.length > n + 1) {
    throw syntaxError(`"${words[n + 1]}" unexpected: one object name expected after "${key}"`, head[n + 1].pos);
  }
  const last1 = words[words.length - 1];
  const named = words.length >= 3 || last1.startsWith('/');
  const typeWords = named && words.length > 1 ? words.slice(0, -1) : words;
  return { kind: 'raw-object', path: words, typeWords, ...(body ? { body } : {}), pos, text };
}
