/**
 * Which persistence a virtual runs with, from its `persist` list and `fallback-persistence`. Only
 * source-addr profiles take effect on a mail proxy; a virtual naming another kind (real estates say
 * `persist { cookie { default yes } }`) is accepted, and each such reference is reported as stored
 * only: in the command's warnings and in `show ltm virtual`. One function, read by the store (rules,
 * warnings, show) and by the daemon when it builds the data plane's spec.
 */
import { PERSISTENCE_TYPES, errors, type ConfigError, type SourcePosition } from '@openltm/model';
import { isProps, type StoredProps } from './stored-value';
import type { StoredOnlySetting } from './stored-only';
import type { ObjectRecord, ObjectRepository } from './object-repository';
import type { RuleContext } from './validate/rules';

export const SOURCE_ADDR = 'ltm persistence source-addr';

export interface PersistenceInForce {
  /** The source-addr profile the data plane acts on, if any. */
  profile?: string;
  /** Where it came from. */
  via?: 'persist' | 'fallback-persistence';
  /** References kept but not acted on, as `show ltm virtual` lists stored-only settings. */
  notActedOn: StoredOnlySetting[];
}

/** The default entry of a `persist` list: the one with `default yes`, or the only one. */
export function defaultPersist(persist: StoredProps): string | undefined {
  const names = Object.keys(persist);
  const marked = names.filter((n) => isProps(persist[n]) && (persist[n] as StoredProps).default === 'yes');
  if (marked.length === 1) return marked[0];
  return names.length === 1 && (persist[names[0]] as StoredProps | undefined)?.default !== 'no' ? names[0] : undefined;
}

/** The type key of a persistence profile in the store, by full path. */
export function persistenceKind(repo: ObjectRepository): (path: string) => string | undefined {
  return (path) => PERSISTENCE_TYPES.find((t) => repo.get(t, path));
}

/** `kindOf` gives the type key of a persistence profile by its full path. */
export function persistenceInForce(eff: StoredProps, kindOf: (path: string) => string | undefined): PersistenceInForce {
  const out: PersistenceInForce = { notActedOn: [] };
  const persist = isProps(eff.persist) ? eff.persist : {};
  const def = defaultPersist(persist);
  const kind = (path: string) => (kindOf(path) ?? 'unknown').replace(/^ltm persistence /, '');
  for (const name of Object.keys(persist)) {
    if (name === def && kindOf(name) === SOURCE_ADDR) {
      out.profile = name;
      out.via = 'persist';
    } else {
      // A non-default entry only means something to an iRule (`persist` command), which openltm does not run.
      out.notActedOn.push({ property: `persist ${name}`, value: `${kind(name)} persistence${name === def ? '' : ', not default (only an iRule would use it)'}` });
    }
  }
  const fallback = typeof eff['fallback-persistence'] === 'string' ? eff['fallback-persistence'] : 'none';
  if (fallback !== 'none' && !out.profile) {
    if (kindOf(fallback) === SOURCE_ADDR) {
      out.profile = fallback;
      out.via = 'fallback-persistence';
    } else out.notActedOn.push({ property: `fallback-persistence ${fallback}`, value: `${kind(fallback)} persistence` });
  }
  return out;
}

/** The stored-only warnings (01070998:4) a create or modify of this virtual earns. */
export function persistenceWarnings(path: string, eff: StoredProps, kindOf: (path: string) => string | undefined, position?: SourcePosition): ConfigError[] {
  return persistenceInForce(eff, kindOf).notActedOn.map((s) => errors.storedOnly('Virtual Server', path, `${s.property} (${s.value})`, position));
}

/**
 * A virtual's `persist` list: one entry is the default (`default yes`, which a single entry gets
 * when none is given, as BIG-IP writes it); two defaults, or several entries and none marked, are refused.
 */
export function virtualPersistRule(rec: ObjectRecord, ctx: RuleContext): void {
  const persist = rec.props.persist;
  if (!isProps(persist)) return;
  const names = Object.keys(persist);
  const marked = names.filter((n) => isProps(persist[n]) && (persist[n] as StoredProps).default === 'yes');
  if (marked.length > 1) throw errors.configError(`Virtual Server (${rec.path}) has more than one default persistence profile (${marked.join(', ')}).`, ctx.position);
  if (names.length > 1 && marked.length === 0) {
    throw errors.configError(`Virtual Server (${rec.path}) lists several persistence profiles and none is default: mark one { default yes }.`, ctx.position);
  }
  const only = names.length === 1 ? persist[names[0]] : undefined;
  if (isProps(only) && only.default === undefined) {
    ctx.write(rec, { ...rec.props, persist: { [names[0]]: { ...only, default: 'yes' } } });
  }
}
