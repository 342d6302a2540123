/**
 * The walk behind completion: follows the tokens of a partial command through the schema (the
 * same way the shaper does) and says what kind of thing may come at the end of the input.
 */
import type { IToken } from 'chevrotain';
import { MONITOR_TYPES, type PropertyDef, type PropertyTable, type ValueType } from '@openltm/model';
import { LCurly, QuotedString, RCurly, Word } from './tokens';
import { matchProperty } from './property-index';
import { LIST_OPS } from './shape-value';

/** What the input expects at its end. */
export type WalkEnd =
  /** A property name of `table` (plus `extra` words such as `and` after a monitor name). */
  | { kind: 'property-name'; table: PropertyTable; extra?: string[] }
  /** The value of property `name`; `afterOp` once `add`/`delete`/... was typed. */
  | { kind: 'value'; name: string; def: PropertyDef; afterOp?: boolean }
  /** An entry name inside a collection block. */
  | { kind: 'entry'; name: string; def: PropertyDef }
  /** An item inside a list block (or a monitor inside `min N of { }`). */
  | { kind: 'item'; name: string; item: ValueType }
  /** Nothing the schema can suggest. */
  | { kind: 'none' };

/** A cursor over the tokens of the statement being completed. */
export class TokenWalk {
  i = 0;
  constructor(readonly tokens: readonly IToken[]) {}

  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }

  peek(): IToken | undefined {
    return this.tokens[this.i];
  }

  /** The next token if it is a word (or quoted string when `strings`). */
  word(strings = false): string | undefined {
    const t = this.tokens[this.i];
    if (t && (t.tokenType === Word || (strings && t.tokenType === QuotedString))) return t.image;
    return undefined;
  }

  is(type: typeof Word): boolean {
    return this.tokens[this.i]?.tokenType === type;
  }

  /** Skips a whole `{ ... }` starting at the current `{`; true when it was closed. */
  skipBlock(): boolean {
    let depth = 0;
    for (; this.i < this.tokens.length; this.i++) {
      const tt = this.tokens[this.i].tokenType;
      if (tt === LCurly) depth++;
      else if (tt === RCurly && --depth === 0) {
        this.i++;
        return true;
      }
    }
    return false;
  }
}

const NONE: WalkEnd = { kind: 'none' };

/** Walks `name value` pairs of `table` until a `}` (consumed; returns undefined) or the end. */
export function walkProperties(w: TokenWalk, table: PropertyTable): WalkEnd | undefined {
  for (;;) {
    if (w.atEnd()) return { kind: 'property-name', table };
    if (w.is(RCurly)) {
      w.i++;
      return undefined;
    }
    const word = w.word();
    if (word === undefined) {
      if (w.is(LCurly) && w.skipBlock()) continue;
      return NONE;
    }
    w.i++;
    const m = matchProperty(table, word);
    if (!m) return NONE;
    if (m.flagWord !== undefined) continue;
    const end = walkValue(w, m.name, m.def, table);
    if (end) return end;
  }
}

function walkBlockItems(w: TokenWalk, name: string, item: ValueType): WalkEnd | undefined {
  for (;;) {
    if (w.atEnd()) return { kind: 'item', name, item };
    if (w.is(RCurly)) {
      w.i++;
      return undefined;
    }
    if (w.is(LCurly)) {
      if (!w.skipBlock()) return NONE;
    } else w.i++;
  }
}

function walkCollection(w: TokenWalk, name: string, def: PropertyDef, entry: PropertyTable): WalkEnd | undefined {
  for (;;) {
    if (w.atEnd()) return { kind: 'entry', name, def };
    if (w.is(RCurly)) {
      w.i++;
      return undefined;
    }
    if (w.word(true) === undefined) return NONE;
    w.i++;
    if (w.is(LCurly)) {
      w.i++;
      const end = walkProperties(w, entry);
      if (end) return end;
    }
  }
}

function walkMonitorRule(w: TokenWalk, name: string, def: PropertyDef, table: PropertyTable): WalkEnd | undefined {
  const first = w.word();
  if (first === 'none') {
    w.i++;
    return undefined;
  }
  if (first === 'min') {
    w.i++;
    if (w.atEnd() || w.word() === undefined) return NONE;
    w.i++;
    if (w.atEnd()) return { kind: 'property-name', table: {}, extra: ['of'] };
    if (w.word() !== 'of') return NONE;
    w.i++;
    if (w.atEnd()) return NONE;
    if (!w.is(LCurly)) return NONE;
    w.i++;
    return walkBlockItems(w, name, { kind: 'reference', to: MONITOR_TYPES });
  }
  if (first === undefined) return NONE;
  w.i++;
  for (;;) {
    if (w.atEnd()) return { kind: 'property-name', table, extra: ['and'] };
    if (w.word() !== 'and') return undefined;
    w.i++;
    if (w.atEnd()) return { kind: 'value', name, def: { ...def, type: { kind: 'reference', to: MONITOR_TYPES } } };
    w.i++;
  }
}

/** Walks the value of property `name`; returns where the input ended inside it, if it did. */
export function walkValue(w: TokenWalk, name: string, def: PropertyDef, table: PropertyTable): WalkEnd | undefined {
  if (w.atEnd()) return { kind: 'value', name, def };
  const type = def.type;
  if (type.kind === 'monitor-rule') return walkMonitorRule(w, name, def, table);
  if (type.kind === 'collection' || type.kind === 'list' || type.kind === 'object') {
    if (w.word() === 'none') {
      w.i++;
      return undefined;
    }
    if (type.kind !== 'object' && w.word() !== undefined && LIST_OPS.has(w.word() as string)) {
      w.i++;
      if (w.atEnd()) return { kind: 'value', name, def, afterOp: true };
    }
    if (!w.is(LCurly)) {
      if (type.kind === 'list' && w.word(true) !== undefined) {
        w.i++;
        return undefined;
      }
      return NONE;
    }
    w.i++;
    if (type.kind === 'collection') return walkCollection(w, name, def, type.entry);
    if (type.kind === 'list') return walkBlockItems(w, name, type.item);
    return walkProperties(w, type.properties);
  }
  if (w.is(LCurly)) return w.skipBlock() ? undefined : NONE;
  w.i++;
  return undefined;
}
