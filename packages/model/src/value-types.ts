/**
 * The kinds of value a property can hold. The schema is data: a property names one of these,
 * and the parser (shape), store (validation, list output) and shell (completion, help) all read it.
 */
export type ValueType =
  /** Free text; printed quoted when it needs quotes. */
  | { kind: 'string' }
  /** A whole number in a range; `words` are extra accepted words such as `indefinite`. */
  | { kind: 'integer'; min: number; max: number; words?: readonly string[] }
  /** One word out of a fixed set. */
  | { kind: 'enum'; values: readonly string[] }
  /** A reference to another object, by name or full path; `none` clears it when `nullable`. */
  | { kind: 'reference'; to: readonly string[]; nullable?: boolean }
  /** An IPv4 or IPv6 address, optionally with a route domain (`10.0.0.1%2`). */
  | { kind: 'address'; words?: readonly string[] }
  /** An address and port: `10.0.0.1:25`, `10.0.0.1%2:25`, `2001:db8::1.25`, `/Common/10.0.0.1:smtp`. */
  | { kind: 'destination' }
  /** A dotted netmask or a CIDR (`source 0.0.0.0/0`); `words` are extra accepted words such as `none`. */
  | { kind: 'netmask'; words?: readonly string[] }
  | { kind: 'cidr' }
  /**
   * A `{ a b c }` set of words (each of `item`). `lines`: `list` and `save` print one item per
   * line, as BIG-IP does for lists of object names (`rules`, `vlans`); a list of references always does.
   */
  | { kind: 'list'; item: ValueType; lines?: boolean }
  /**
   * Named entries each with their own properties: `members { 10.0.0.1:25 { address 10.0.0.1 } }`.
   * `key` says what the entry names are: a reference (profiles), a pool member, or free names.
   */
  | { kind: 'collection'; key: CollectionKey; entry: PropertyTable }
  /** A nested block of properties: `source-address-translation { type automap }`. */
  | { kind: 'object'; properties: PropertyTable }
  /**
   * A flag property: written as one of its bare `values` with no value after it
   * (`disabled`, `vlans-enabled`). The property's value is the word that was written.
   */
  | { kind: 'flag'; values: readonly string[] }
  /** A monitor rule: `smtp_mon`, `/Common/http and /Common/tcp`, `min 1 of { a b }`, `none`. */
  | { kind: 'monitor-rule' }
  /** A `file:/path` or plain path to read a PEM from. */
  | { kind: 'source-path' };

export type CollectionKey =
  | { kind: 'reference'; to: readonly string[] }
  | { kind: 'member' }
  | { kind: 'name' };

/** One property of an object type (or of a collection entry / nested object). */
export interface PropertyDef {
  type: ValueType;
  /** The value a new object has when neither it nor its parent sets one (as tmsh prints it). */
  default?: string;
  /** One-line help, shown by `?`, `help` and completion. */
  help: string;
  /** Must be given on create. */
  required?: boolean;
  /** Set by the system; shown by `list`, refused on create/modify. */
  readOnly?: boolean;
  /** Cannot change after create (`ltm node address`). */
  immutable?: boolean;
  /** Never printed by `list` and never saved in clear (key passphrases). */
  secret?: boolean;
  /** Printed by `list` / `save` even when equal to the default (BIG-IP always writes these). */
  alwaysList?: boolean;
  /** Not inherited through `defaults-from` (e.g. `description`). */
  notInherited?: boolean;
  /**
   * What the data plane does with it (the truthful-configuration rule): `enforced` names the test
   * files that prove it over a real socket; `stored-only` is kept for BIG-IP import fidelity, has no
   * effect and warns when set; `metadata` has no runtime meaning by nature (description, app-service).
   * Required, so a new property cannot be added without saying which it is.
   */
  effect: PropertyEffect;
  /**
   * Setting the property to one of `values` (on create or modify) is accepted with this warning
   * printed after the command: a choice the operator should know weakens something.
   */
  warnWhen?: { values: readonly string[]; message: string };
}

export type PropertyEffect =
  | { kind: 'enforced'; tests: readonly string[] }
  | { kind: 'stored-only' }
  | { kind: 'metadata' };

/** Shorthands for `effect`: `effect: enforced('test/e2e-sni.test.ts')`. */
export const enforced = (...tests: string[]): PropertyEffect => ({ kind: 'enforced', tests });
export const storedOnly: PropertyEffect = { kind: 'stored-only' };
export const metadata: PropertyEffect = { kind: 'metadata' };

export type PropertyTable = Readonly<Record<string, PropertyDef>>;

/** Helpers so type definitions read as tables. */
export const t = {
  string: (): ValueType => ({ kind: 'string' }),
  int: (min = 0, max = 2 ** 32 - 1, words?: readonly string[]): ValueType => ({ kind: 'integer', min, max, words }),
  enumOf: (...values: string[]): ValueType => ({ kind: 'enum', values }),
  onOff: (): ValueType => ({ kind: 'enum', values: ['enabled', 'disabled'] }),
  ref: (to: string | string[], nullable = true): ValueType => ({ kind: 'reference', to: Array.isArray(to) ? to : [to], nullable }),
  list: (item: ValueType = { kind: 'string' }): ValueType => ({ kind: 'list', item }),
  flag: (...values: string[]): ValueType => ({ kind: 'flag', values }),
};
