/**
 * Schema-driven shaping of property values: a property's ValueType decides whether what follows
 * its name is a scalar, a `{ }` list, a collection of named entries, a nested object, a flag or
 * a monitor rule. Unknown properties are kept as RawProperty in files and refused in commands.
 */
import type { PropertyDef, PropertyTable } from '@openltm/model';
import type {
  BlockNode, CollectionEntry, ListOp, Position, Property, PropertyValue, RawProperty, ScalarValue, SyntaxNode, WordNode,
} from './ast';
import { ItemCursor, describe } from './item-cursor';
import { matchProperty } from './property-index';
import { syntaxError, unknownProperty } from './errors';

/** `file`: bigip.conf / list output (unknown properties kept raw); `command`: a command line (strict). */
export type ShapeMode = 'file' | 'command';

export const LIST_OPS: ReadonlySet<string> = new Set(['add', 'delete', 'modify', 'replace-all-with']);

function scalarOf(item: SyntaxNode): ScalarValue {
  if (item.kind === 'block') throw syntaxError('unexpected "{"', item.pos);
  return { kind: 'scalar', text: item.text, quoted: item.kind === 'string', pos: item.pos };
}

function requireItem(cur: ItemCursor, name: string, pos: Position): SyntaxNode {
  const item = cur.next();
  if (!item) throw syntaxError(`"${name}" requires a value`, pos);
  return item;
}

/** `none`, or an optional operator (command lines only) followed by a block. */
function opAndBlock(cur: ItemCursor, name: string, pos: Position, mode: ShapeMode): { none?: ScalarValue; op?: ListOp; block?: BlockNode; single?: SyntaxNode } {
  const first = requireItem(cur, name, pos);
  if (first.kind === 'word' && first.text === 'none') return { none: scalarOf(first) };
  let op: ListOp | undefined;
  let item = first;
  if (mode === 'command' && first.kind === 'word' && LIST_OPS.has(first.text)) {
    op = first.text as ListOp;
    item = requireItem(cur, first.text, first.pos);
  }
  if (item.kind === 'block') return { op, block: item };
  return { op, single: item };
}

function shapeCollection(def: PropertyDef & { type: { kind: 'collection' } }, name: string, cur: ItemCursor, pos: Position, mode: ShapeMode): PropertyValue {
  const r = opAndBlock(cur, name, pos, mode);
  if (r.none) return r.none;
  if (!r.block) throw syntaxError(`"${name}" expects a { } block, not "${describe(r.single as SyntaxNode)}"`, (r.single as SyntaxNode).pos);
  const entries: CollectionEntry[] = [];
  const inner = new ItemCursor(r.block.items);
  while (!inner.atEnd()) {
    const item = inner.next() as SyntaxNode;
    if (item.kind === 'block') throw syntaxError(`"${name}" entry name expected before "{"`, item.pos);
    const entry: CollectionEntry = { name: item.text, pos: item.pos, properties: [] };
    const body = inner.peek();
    if (body && body.kind === 'block') {
      inner.next();
      entry.properties = shapeProperties(def.type.entry, body.items, mode);
    }
    entries.push(entry);
  }
  if (mode === 'command' && entries.length === 0 && (r.op === 'add' || r.op === 'delete' || r.op === 'modify')) {
    throw syntaxError(`"${name} ${r.op}" requires at least one entry`, r.block.pos);
  }
  return { kind: 'collection', ...(r.op ? { op: r.op } : {}), entries, pos: r.block.pos };
}

function shapeList(name: string, cur: ItemCursor, pos: Position, mode: ShapeMode): PropertyValue {
  const r = opAndBlock(cur, name, pos, mode);
  if (r.none) return r.none;
  const op = r.op ? { op: r.op } : {};
  if (r.single) return { kind: 'list', ...op, items: [scalarOf(r.single)], pos: r.single.pos };
  const block = r.block as BlockNode;
  return { kind: 'list', ...op, items: block.items.map(scalarOf), pos: block.pos };
}

function shapeMonitorRule(name: string, cur: ItemCursor, pos: Position): PropertyValue {
  const first = requireItem(cur, name, pos);
  const firstPos = first.pos;
  if (first.kind === 'word' && first.text === 'none') return { kind: 'monitor-rule', monitors: [], minimum: 'all', pos: firstPos };
  if (first.kind === 'word' && first.text === 'min') {
    const n = cur.next();
    if (!n || n.kind !== 'word' || !/^\d+$/.test(n.text)) throw syntaxError('"min" requires a number: min N of { monitors }', n?.pos ?? first.pos);
    const of = cur.next();
    if (!of || of.kind !== 'word' || of.text !== 'of') throw syntaxError('expected "of" after "min N"', of?.pos ?? n.pos);
    const block = cur.next();
    if (!block || block.kind !== 'block') throw syntaxError('expected { monitors } after "min N of"', block?.pos ?? of.pos);
    return { kind: 'monitor-rule', monitors: block.items.map(scalarOf), minimum: Number(n.text), pos: firstPos };
  }
  const monitors = [scalarOf(first)];
  while (cur.peekWord('and')) {
    const and = cur.next() as WordNode;
    const m = cur.next();
    if (!m) throw syntaxError('a monitor name must follow "and"', and.pos);
    monitors.push(scalarOf(m));
  }
  return { kind: 'monitor-rule', monitors, minimum: 'all', pos: firstPos };
}

/** Shapes the value of property `name` (already consumed, at `pos`) from the items at `cur`. */
export function shapeValue(name: string, def: PropertyDef, cur: ItemCursor, pos: Position, mode: ShapeMode): PropertyValue {
  const type = def.type;
  switch (type.kind) {
    case 'collection':
      return shapeCollection(def as PropertyDef & { type: typeof type }, name, cur, pos, mode);
    case 'list':
      return shapeList(name, cur, pos, mode);
    case 'object': {
      const item = requireItem(cur, name, pos);
      if (item.kind === 'word' && item.text === 'none') return scalarOf(item);
      if (item.kind !== 'block') throw syntaxError(`"${name}" expects a { } block, not "${item.text}"`, item.pos);
      return { kind: 'object', properties: shapeProperties(type.properties, item.items, mode), pos: item.pos };
    }
    case 'monitor-rule':
      return shapeMonitorRule(name, cur, pos);
    case 'flag':
      return { kind: 'flag', word: name, pos };
    default:
      return scalarOf(requireItem(cur, name, pos));
  }
}

/** In files: an unknown property takes the rest of its source line (which may end in a block). */
function rawProperty(word: WordNode, cur: ItemCursor): RawProperty {
  const values: SyntaxNode[] = [];
  while (!cur.atEnd() && (cur.peek() as SyntaxNode).pos.line === word.pos.line) values.push(cur.next() as SyntaxNode);
  return { kind: 'raw-property', name: word.text, values, pos: word.pos };
}

/** Shapes a run of `name value` items against a property table. */
export function shapeProperties(table: PropertyTable, items: readonly SyntaxNode[], mode: ShapeMode, cur = new ItemCursor(items)): Property[] {
  const out: Property[] = [];
  while (!cur.atEnd()) {
    const item = cur.next() as SyntaxNode;
    if (item.kind !== 'word') {
      if (mode === 'command' && item.kind === 'string') throw unknownProperty(item.text, item.pos);
      throw syntaxError(item.kind === 'block' ? 'unexpected "{": a property name must come first' : `unexpected "${item.text}": a property name must come first`, item.pos);
    }
    const m = matchProperty(table, item.text);
    if (!m) {
      if (mode === 'command') throw unknownProperty(item.text, item.pos);
      out.push(rawProperty(item, cur));
      continue;
    }
    const value = m.flagWord !== undefined
      ? { kind: 'flag' as const, word: m.flagWord, pos: item.pos }
      : shapeValue(m.name, m.def, cur, item.pos, mode);
    out.push({ kind: 'property', name: m.name, value, pos: item.pos });
  }
  return out;
}
