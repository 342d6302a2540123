/**
 * Preserved objects and properties: configuration openltm does not model (`ltm profile http`,
 * `ltm rule`, whole modules such as `apm` or `net`, unknown properties of known types) kept as
 * it came so an estate loads, lists and saves back unchanged. Stored in the ordinary record
 * shape (type, path, props): the property tree lives under PRESERVED_KEY, so a storage driver
 * needs nothing special for it. Nothing here is acted on: `show` and the load summary say so.
 */
import { getType } from '@openltm/model';
import type { BlockNode, RawProperty, SyntaxNode } from '@openltm/parser';
import { formatItems, type Item } from './format/list-format';
import type { StoredProps, StoredValue } from './stored-value';
import { isInternalType } from './unresolved';

/** Where a record keeps what came verbatim (never a tmsh property name: tmsh names have no `~`). */
export const PRESERVED_KEY = '~preserved';

/** A word as written, a quoted string (escapes kept), a `{ }` block, or a verbatim Tcl body. */
export type PreservedItem = string | { q: string } | { b: PreservedLine[]; inline?: true } | { tcl: string };
/** One line of a block: the items that were written on it. */
export type PreservedLine = PreservedItem[];

/** The tree of a `{ }` block: its lines; a block with no items but text (iRule Tcl, comments) kept verbatim. */
export function blockTree(block: BlockNode): PreservedItem {
  if (block.items.length === 0) return block.raw.trim() === '' ? { b: [] } : { tcl: block.raw };
  const lines = block.lines.map((l) => l.map(itemOf));
  return block.raw.includes('\n') ? { b: lines } : { b: lines, inline: true };
}

function itemOf(node: SyntaxNode): PreservedItem {
  if (node.kind === 'word') return node.text;
  if (node.kind === 'string') return { q: node.text };
  return blockTree(node);
}

/** An unknown property of a known type, as one line (`persist { /Common/source_addr { default yes } }`). */
export function rawPropertyLine(p: RawProperty): PreservedLine {
  return [p.name, ...p.values.map(itemOf)];
}

/** The lines of an object's body, or none for a declaration without braces. */
export function bodyLines(body: BlockNode | undefined): PreservedLine[] {
  if (!body) return [];
  const t = blockTree(body);
  return typeof t === 'object' && 'b' in t ? t.b : [[t]];
}

function isBlock(i: PreservedItem): i is { b: PreservedLine[]; inline?: true } {
  return typeof i === 'object' && 'b' in i;
}

function text(i: PreservedItem): string {
  if (typeof i === 'string') return i;
  if ('q' in i) return `"${i.q}"`;
  if ('tcl' in i) return `{${i.tcl}}`;
  if (i.b.length === 0) return '{ }';
  return `{ ${i.b.map((l) => l.map(text).join(' ')).join(' ')} }`;
}

/**
 * A line as a list Item, so it prints with the same renderer (indentation, `one-line`) as modelled
 * properties: a line ending in a multi-line block becomes a nested item; anything else one text.
 */
export function lineItem(line: PreservedLine): Item {
  const last = line[line.length - 1];
  if (last !== undefined && isBlock(last) && !last.inline) {
    return { key: line.slice(0, -1).map(text).join(' '), children: last.b.map(lineItem) };
  }
  const [first, ...rest] = line;
  return rest.length ? { key: text(first), value: rest.map(text).join(' ') } : { key: first === undefined ? '' : text(first) };
}

/** The preserved lines of a record's (or an entry's) props, as list Items. */
export function preservedItems(props: StoredProps): Item[] {
  const lines = props[PRESERVED_KEY] as unknown as PreservedLine[] | undefined;
  return Array.isArray(lines) ? lines.map(lineItem) : [];
}

/** Appends a preserved line to props (the tree is JSON data, like every stored value). */
export function addPreservedLine(props: StoredProps, line: PreservedLine): void {
  const lines = (props[PRESERVED_KEY] as unknown as PreservedLine[] | undefined) ?? [];
  lines.push(line);
  props[PRESERVED_KEY] = lines as unknown as StoredValue;
}

/** Props of a preserved object: its body, and whether it had braces at all. */
export function preservedProps(body: BlockNode | undefined): StoredProps {
  const props: StoredProps = { [PRESERVED_KEY]: bodyLines(body) as unknown as StoredValue };
  if (!body) props['~no-body'] = 'true';
  return props;
}

/** True for a record type openltm does not model: its records are preserved objects (not the store's own bookkeeping). */
export function isPreservedType(type: string): boolean {
  return getType(type) === undefined && !isInternalType(type);
}

/** The words of a preserved object's header: its type and, unless a singleton (`sys ntp`), its name. */
export function preservedHeader(type: string, path: string): string {
  return path === '' ? type : `${type} ${path}`;
}

/** A preserved object in BIG-IP's layout: `type name { ... }`, an iRule's Tcl exactly as it came. */
export function formatPreserved(type: string, path: string, props: StoredProps, style: { oneLine?: boolean; name?: string }): string {
  const header = preservedHeader(type, style.name ?? path);
  if (props['~no-body'] === 'true') return header;
  const lines = (props[PRESERVED_KEY] as unknown as PreservedLine[] | undefined) ?? [];
  const only = lines.length === 1 && lines[0].length === 1 ? lines[0][0] : undefined;
  if (only !== undefined && typeof only === 'object' && 'tcl' in only) return `${header} {${only.tcl}}`;
  return formatItems(header, lines.map(lineItem), style);
}

/** Where a virtual kept from a loaded file records why openltm does not serve it (see validate/rules.ts). */
export const NOT_SERVED_KEY = '~not-served';

/** Where a `sys file` kept from a loaded file records that its PEM could not be read (see file-objects.ts). */
export const MISSING_FILE_KEY = '~missing-file';

/**
 * Where a record of a type openltm now models, written as it came by an older openltm, says why it
 * could not be made first-class (promote-preserved.ts). Such a record stays preserved: listed and
 * saved as it came, shown with why, never given to the data plane, and not modifiable.
 */
export const KEPT_KEY = '~kept';

export function isKept(rec: { props: StoredProps }): boolean {
  return typeof rec.props[KEPT_KEY] === 'string';
}
