import type { ObjectTypeDef } from './object-type';
import { metadata, type PropertyDef } from './value-types';
import { ltmProfileSmtps } from './types/ltm-profile-smtps';
import { ltmProfileClientSsl, ltmProfileServerSsl } from './types/ltm-profile-client-ssl';
import { ltmProfileTcp } from './types/ltm-profile-tcp';
import { ltmPool, ltmNode } from './types/ltm-pool';
import { ltmSnatpool } from './types/ltm-snatpool';
import { ltmPersistenceSourceAddr, ltmPersistenceStoredOnly } from './types/ltm-persistence';
import { ltmSnat, ltmSnatTranslation } from './types/ltm-snat-translation';
import { ltmDataGroupInternal } from './types/ltm-data-group';
import { ltmVirtual } from './types/ltm-virtual';
import { ltmVirtualAddress } from './types/ltm-virtual-address';
import {
  ltmMonitorGatewayIcmp, ltmMonitorHttp, ltmMonitorHttps, ltmMonitorIcmp, ltmMonitorSmtp, ltmMonitorTcp, ltmMonitorTcpHalfOpen,
} from './types/ltm-monitor';
import { sysFileSslCert, sysFileSslCrl, sysFileSslKey } from './types/sys-file';
import { authUser } from './types/auth-user';
import { ltmRule } from './types/ltm-rule';

/** Inheritable types get `defaults-from` pointing at their own type; added here so no type repeats it. */
function withDefaultsFrom(def: ObjectTypeDef): ObjectTypeDef {
  if (!def.inheritable) return def;
  const builtin = def.builtins?.[0]?.name;
  const defaultsFrom: PropertyDef = {
    type: { kind: 'reference', to: [def.key], nullable: false },
    default: builtin,
    help: `Parent ${def.kindName.toLowerCase()}: values not set here follow it`,
    alwaysList: true,
    notInherited: true,
    // Resolved by the store; the values it brings in carry their own effect.
    effect: metadata,
  };
  return { ...def, properties: { 'defaults-from': defaultsFrom, ...def.properties } };
}

/** Every object type openltm implements, in the order `save sys config` writes them. */
export const OBJECT_TYPES: readonly ObjectTypeDef[] = [
  sysFileSslCert,
  sysFileSslKey,
  sysFileSslCrl,
  ltmDataGroupInternal,
  ltmMonitorGatewayIcmp,
  ltmMonitorHttp,
  ltmMonitorHttps,
  ltmMonitorIcmp,
  ltmMonitorSmtp,
  ltmMonitorTcp,
  ltmMonitorTcpHalfOpen,
  ltmNode,
  ltmPool,
  ltmSnat,
  ltmSnatTranslation,
  ltmSnatpool,
  ltmPersistenceSourceAddr,
  ...ltmPersistenceStoredOnly,
  ltmRule,
  ltmProfileClientSsl,
  ltmProfileServerSsl,
  ltmProfileSmtps,
  ltmProfileTcp,
  ltmVirtual,
  ltmVirtualAddress,
  authUser,
].map(withDefaultsFrom);

/** Every monitor type (`ltm monitor smtp`, ...): what a monitor rule may name. */
export const MONITOR_TYPES: readonly string[] = OBJECT_TYPES.filter((d) => d.key.startsWith('ltm monitor ')).map((d) => d.key);

const byKey = new Map(OBJECT_TYPES.map((d) => [d.key, d]));

/** The type with this key (`ltm pool`), or undefined. */
export function getType(key: string): ObjectTypeDef | undefined {
  return byKey.get(key);
}

/** Like getType, but for keys the caller knows exist. */
export function typeOf(key: string): ObjectTypeDef {
  const def = byKey.get(key);
  if (!def) throw new Error(`unknown object type ${key}`);
  return def;
}

/**
 * Configuration paths that are not object types but take verbs: `save sys config`,
 * `create cli transaction`. Listed so the parser and completion know them.
 */
export const COMMAND_PATHS: Readonly<Record<string, { verbs: readonly string[]; help: string; options?: readonly string[]; /** Options that take a value (`client-addr 10.0.0.1`). */ valueOptions?: readonly string[] }>> = {
  'sys config': {
    verbs: ['save', 'load'],
    help: 'The whole configuration as a bigip.conf file: save sys config [file PATH], load sys config [merge] file PATH',
    options: ['file', 'merge', 'verify', 'skip-unknown', 'default'],
  },
  'ltm persistence persist-records': {
    verbs: ['show', 'delete'],
    help: 'The persistence records in force: show ltm persistence persist-records [all-properties] [filters]; delete ltm persistence persist-records [filters] removes the matching records (every record without a filter), so those clients choose a member again. Filters: client-addr A, node-addr A, node-port N, pool P, virtual V, mode source-address',
    options: ['all-properties', 'client-addr', 'node-addr', 'node-port', 'pool', 'virtual', 'mode'],
    valueOptions: ['client-addr', 'node-addr', 'node-port', 'pool', 'virtual', 'mode'],
  },
  'sys version': {
    verbs: ['show'],
    help: 'The product and version: show sys version',
  },
  'cli transaction': {
    verbs: ['create', 'submit', 'delete', 'list'],
    help: 'Queue commands and apply them atomically: create, then submit (or delete to discard)',
  },
};

/** The object types `show` prints (the store's show table has exactly these; completion and help offer only these). */
export const SHOWN_TYPES = ['ltm virtual', 'ltm virtual-address', 'ltm pool', 'ltm node', 'ltm snatpool', 'ltm snat-translation', 'ltm snat', 'ltm rule', 'ltm data-group internal'] as const;
export type ShownType = (typeof SHOWN_TYPES)[number];
/** The shown types with counters of their own, which `reset-stats` clears. */
export const RESETTABLE_TYPES = ['ltm virtual', 'ltm virtual-address', 'ltm pool'] as const satisfies readonly ShownType[];
export type ResettableType = (typeof RESETTABLE_TYPES)[number];

/**
 * Verbs and their one-line help; `objects` says whether the verb takes object type paths, and
 * `types` limits them when only some types have it.
 */
export const VERBS: Readonly<Record<string, { help: string; objects: boolean; types?: readonly string[] }>> = {
  create: { help: 'Create an object', objects: true },
  modify: { help: 'Change properties of objects', objects: true },
  delete: { help: 'Delete objects', objects: true },
  list: { help: 'Show configuration in tmsh format', objects: true },
  show: { help: 'Show status and statistics', objects: true, types: SHOWN_TYPES },
  'reset-stats': { help: 'Clear statistics', objects: true, types: RESETTABLE_TYPES },
  save: { help: 'Save the configuration to a file', objects: false },
  load: { help: 'Load configuration from a file', objects: false },
  submit: { help: 'Apply a cli transaction', objects: false },
  cd: { help: 'Change the current folder (cd /Common)', objects: false },
  help: { help: 'Show help for a command or object type', objects: false },
  quit: { help: 'Leave the shell', objects: false },
  exit: { help: 'Leave the shell', objects: false },
};

/** Options that `list` and `show` accept after the object names. */
export const LIST_OPTIONS = ['all-properties', 'non-default-properties', 'one-line', 'recursive', 'partition'] as const;
export const SHOW_OPTIONS = ['all-properties', 'detail', 'field-fmt', 'members', 'raw', 'recursive'] as const;

/**
 * The options a command path takes with `verb`: display options (`all-properties`) only with
 * list and show (`delete ltm persistence persist-records` takes the filters, not them).
 */
export function commandPathOptions(key: string, verb: string): readonly string[] {
  const all = COMMAND_PATHS[key]?.options ?? [];
  if (verb === 'list' || verb === 'show') return all;
  const display = new Set<string>([...LIST_OPTIONS, ...SHOW_OPTIONS]);
  return all.filter((o) => !display.has(o));
}

/** Every path (object types and command paths) as word arrays, for walking and completion. */
export function allPaths(): string[][] {
  return [...OBJECT_TYPES.map((d) => d.key), ...Object.keys(COMMAND_PATHS)].map((k) => k.split(' '));
}

/** The words that may follow `prefix` in a type path (`['ltm']` -> `['monitor', 'node', 'pool', ...]`). */
export function nextPathWords(prefix: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of allPaths()) {
    if (p.length > prefix.length && prefix.every((w, i) => p[i] === w)) out.add(p[prefix.length]);
  }
  return [...out].sort();
}

/**
 * The longest object-type or command path at the start of `words`.
 * Returns the key and how many words it used, or undefined.
 */
export function matchPath(words: readonly string[]): { key: string; length: number; isObjectType: boolean } | undefined {
  let best: { key: string; length: number; isObjectType: boolean } | undefined;
  for (const p of allPaths()) {
    if (p.length <= words.length && p.every((w, i) => words[i] === w) && (!best || p.length > best.length)) {
      const key = p.join(' ');
      best = { key, length: p.length, isObjectType: byKey.has(key) };
    }
  }
  return best;
}
