/**
 * The typed AST of tmsh statements. One shape serves interactive command lines, tmsh scripts
 * and bigip.conf files. Every node carries the position where it starts.
 *
 * Two layers:
 *  - the syntax layer (`SyntaxNode`): words, quoted strings and `{ }` blocks, exactly as written;
 *  - the statement layer: a verb, a type path, targets and properties shaped by the schema in
 *    @openltm/model (so `members { a:25 { address a } }` is a collection, `vlans { a b }` a list).
 * Anything the schema does not know is kept as syntax (`RawProperty`, `RawObjectStatement`) so a
 * real file never fails to parse merely because openltm does not implement it.
 */
import type { SourcePosition } from '@openltm/model';

export type Position = SourcePosition;

// ---- Syntax layer -------------------------------------------------------------------------

export interface WordNode {
  kind: 'word';
  /** The word as written (`/Common/p1`, `10.0.0.1:25`, `enabled`). */
  text: string;
  pos: Position;
}

export interface StringNode {
  kind: 'string';
  /** The contents with tmsh's escapes kept as written inside the quotes (`GET /\r\n` stays backslash-r). */
  text: string;
  pos: Position;
}

export interface BlockNode {
  kind: 'block';
  /** The items between the braces, in order. */
  items: SyntaxNode[];
  /** Items grouped by the source line they start on (files put one property per line). */
  lines: SyntaxNode[][];
  pos: Position;
  /** Verbatim text between the braces (for `ltm rule` bodies and other opaque blocks). */
  raw: string;
}

export type SyntaxNode = WordNode | StringNode | BlockNode;

// ---- Values ------------------------------------------------------------------------------

/** List edit operators: `members add { ... }`. No operator on create/modify means replace-all. */
export type ListOp = 'add' | 'delete' | 'modify' | 'replace-all-with';

/** A single word or quoted string. `none` is a scalar whose text is `none`. */
export interface ScalarValue {
  kind: 'scalar';
  text: string;
  quoted: boolean;
  pos: Position;
}

/** `{ a b c }` for a list-typed property. `delete { all }` gives items [all]. */
export interface ListValue {
  kind: 'list';
  op?: ListOp;
  items: ScalarValue[];
  pos: Position;
}

/** One entry of a collection: `10.0.0.1:25 { address 10.0.0.1 }` or `tcp { }`. */
export interface CollectionEntry {
  name: string;
  pos: Position;
  properties: Property[];
}

/** `members { ... }`, `profiles replace-all-with { ... }`, `cert-key-chain { ... }`. */
export interface CollectionValue {
  kind: 'collection';
  op?: ListOp;
  entries: CollectionEntry[];
  pos: Position;
}

/** A nested property block: `source-address-translation { type automap }`. */
export interface ObjectValue {
  kind: 'object';
  properties: Property[];
  pos: Position;
}

/** A flag property written as a bare word: `disabled`, `vlans-enabled`. The value is the word. */
export interface FlagValue {
  kind: 'flag';
  word: string;
  pos: Position;
}

/** A monitor rule: `smtp_mon`, `/Common/http and /Common/tcp`, `min 1 of { a b }`. */
export interface MonitorRuleValue {
  kind: 'monitor-rule';
  /** Monitor names in the rule (empty for `none`). */
  monitors: ScalarValue[];
  /** How many must pass: all of them for `a and b`; N for `min N of { ... }`. */
  minimum: number | 'all';
  pos: Position;
}

export type PropertyValue = ScalarValue | ListValue | CollectionValue | ObjectValue | FlagValue | MonitorRuleValue;

/** A property the schema knows, with a value shaped by its type. */
export interface KnownProperty {
  kind: 'property';
  name: string;
  value: PropertyValue;
  pos: Position;
}

/** A property the schema does not know (kept verbatim so files parse; the store decides). */
export interface RawProperty {
  kind: 'raw-property';
  name: string;
  values: SyntaxNode[];
  pos: Position;
}

export type Property = KnownProperty | RawProperty;

// ---- Statements --------------------------------------------------------------------------

/** How objects are selected: a name (`p1`, `/Common/p1`), a glob (`vs_*`), or `all`. */
export type Target =
  | { kind: 'name'; name: string; pos: Position }
  | { kind: 'glob'; pattern: string; pos: Position }
  | { kind: 'all'; pos: Position };

/**
 * A command: `create ltm pool p1 members add { 10.0.0.1:25 }`, `list ltm virtual all-properties`,
 * `save sys config file /tmp/x.conf`, `create cli transaction`, `cd /Common`, `help ltm pool`.
 */
export interface CommandStatement {
  kind: 'command';
  verb: string;
  /** Module and components as written after the verb (`['ltm', 'profile', 'smtps']`). */
  path: string[];
  /** The schema key when `path` names an object type or command path (`ltm profile smtps`, `sys config`). */
  typeKey?: string;
  /** True when `typeKey` is an object type (as opposed to `sys config`, `cli transaction`). */
  isObjectType: boolean;
  targets: Target[];
  properties: Property[];
  /**
   * Options by name: flags (`all-properties`, `one-line`, `recursive`, `merge`, `members`, `raw`)
   * map to true; options with a value (`file /tmp/x.conf`) map to the value.
   */
  options: Record<string, string | true>;
  /** For `list`/`show`: property names given to project the output (`list ltm virtual vs pool`). */
  select: string[];
  /** Words after the verb for verbs with free arguments (`cd /Common`, `help ltm pool`). */
  args: string[];
  pos: Position;
  /** The statement's source text, for `list cli transaction` and error reports. */
  text: string;
}

/** A top-level object in a bigip.conf file: `ltm pool /Common/p { ... }` with a known type. */
export interface ObjectStatement {
  kind: 'object';
  typeKey: string;
  name: string;
  properties: Property[];
  pos: Position;
  text: string;
}

/** A top-level block of a type openltm does not implement (`sys ntp { ... }`, `ltm rule /Common/r { ... }`). */
export interface RawObjectStatement {
  kind: 'raw-object';
  /** Words before the block (`['ltm', 'rule', '/Common/r']`, `['sys', 'ntp']`). */
  path: string[];
  /** The best guess of the type words (without the name), for "skipped N of type X" reports. */
  typeWords: string[];
  body?: BlockNode;
  pos: Position;
  text: string;
}

export type Statement = CommandStatement | ObjectStatement | RawObjectStatement;

/** The result of parsing a whole script or file: every statement, and every error found. */
export interface ParseResult {
  statements: Statement[];
  /** Syntax errors (ConfigError with code SYNTAX and a position); empty when the input is valid. */
  errors: import('@openltm/model').ConfigError[];
  /** The version in a `#TMSH-VERSION: 14.1.2` header, when the text starts with one. */
  tmshVersion?: string;
}
