/** Best-effort shaping of properties of object types openltm does not know (kept, not applied). */
import type { RawProperty, SyntaxNode } from './ast';
import { ItemCursor } from './item-cursor';
import { syntaxError } from './errors';

/**
 * Command-line properties of an unknown type: each word takes the items after it up to and
 * including the first block, or one word (`members add { a b }`, `ip-protocol tcp`, `profiles { }`).
 */
export function rawCommandProperties(cur: ItemCursor): RawProperty[] {
  const out: RawProperty[] = [];
  while (!cur.atEnd()) {
    const name = cur.next() as SyntaxNode;
    if (name.kind !== 'word') throw syntaxError('unexpected "{": a property name must come first', name.pos);
    const values: SyntaxNode[] = [];
    while (!cur.atEnd()) {
      const v = cur.next() as SyntaxNode;
      values.push(v);
      if (v.kind === 'block') break;
      const after = cur.peek();
      if (!after || after.kind !== 'block') break;
    }
    out.push({ kind: 'raw-property', name: name.text, values, pos: name.pos });
  }
  return out;
}
