import type { PropertyTable } from './value-types';

/** A built-in object every new store has (`/Common/smtps`, `/Common/clientssl`, ...). */
export interface BuiltinDef {
  name: string;
  /** Values as tmsh writes them; collections and objects in tmsh block syntax (`{ default { cert ... } }`). */
  properties: Readonly<Record<string, string>>;
  /** Parent built-in, for the ones that derive from another. */
  defaultsFrom?: string;
}

/** One configurable object type: `ltm pool`, `ltm profile smtps`, ... */
export interface ObjectTypeDef {
  /** The tmsh path joined by spaces: module then components (`ltm profile smtps`). */
  key: string;
  /** What mcpd calls it in messages: `The requested Pool (/Common/p) was not found.` */
  kindName: string;
  /** One-line help. */
  help: string;
  /** Has `defaults-from`: unset values follow the parent object of the same type. */
  inheritable?: boolean;
  /** Profiles only: where they may sit on a virtual. */
  profile?: { context: 'all' | 'clientside' | 'serverside' };
  /** Objects present in every new store; they can be modified but not deleted. */
  builtins?: readonly BuiltinDef[];
  /** The properties, keyed by their tmsh name. `defaults-from` is added for inheritable types. */
  properties: PropertyTable;
  /**
   * The whole `{ }` body is this property's text, verbatim (`ltm rule`: Tcl, not tmsh properties);
   * list and save print it back between the braces exactly as it came.
   */
  verbatimBody?: string;
  /** Holds secret material (keys): never listed in clear, never logged. */
  sensitive?: boolean;
}
