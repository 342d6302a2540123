import type { DesiredState, VirtualSpec } from '../desired-state';
import { prefixOf, sameMatchRule } from '../listener/virtual-matcher';

/** A listener start or update that failed; kept until the configuration or a retry clears it. */
export interface VirtualFailure {
  /** The spec that could not be applied. */
  spec: VirtualSpec;
  reason: string;
  /** Whether a retry without a configuration change can help (port in use: yes; bad key: no). */
  retryable: boolean;
  /** Consecutive failures of this same spec. */
  attempts: number;
  /** When a retryable failure may be tried again (ms since epoch). */
  retryAt: number;
}

/** What runs for one virtual, as the reconciler sees it. */
export interface ActualVirtual {
  name: string;
  /** The spec the running listener serves; undefined when no listener runs. */
  running?: VirtualSpec;
  failure?: VirtualFailure;
}

export type ReconcileAction =
  /** Open a listener (new or enabled virtual, or a retry). */
  | { kind: 'create'; spec: VirtualSpec }
  /** Same address:port: new sessions use the new spec, running sessions keep theirs. */
  | { kind: 'update'; spec: VirtualSpec }
  /** The destination changed: open the new listener, then drain the old one. */
  | { kind: 'replace'; spec: VirtualSpec }
  /** Disabled or deleted: stop accepting, let sessions finish, then 421. */
  | { kind: 'drain'; name: string; why: 'disabled' | 'deleted' }
  /** Drop the failure record of a virtual that no longer wants a listener, or whose failed edit was undone. */
  | { kind: 'forget'; name: string };

/** Structural equality of plain data (specs are JSON-like). */
export function sameSpec(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameSpec((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Destination, mask and source: a change there moves the virtual to other sockets and matcher entries (a replace). */
const sameDestination = sameMatchRule;

/** The action that moves a virtual from what runs to `spec`. */
function change(running: VirtualSpec | undefined, spec: VirtualSpec): ReconcileAction {
  if (!running) return { kind: 'create', spec };
  return sameDestination(running, spec) ? { kind: 'update', spec } : { kind: 'replace', spec };
}

/**
 * What to do to make the running virtuals match the desired state: a pure function of the
 * whole desired state, what runs, and the time (for retry backoff). Level-triggered: it does
 * not care which edits led here. A spec that already failed is tried again only when its
 * failure is retryable and its backoff has passed; a bad edit to a running virtual leaves the
 * old listener serving. Drains come first, then moves, then new listeners, so a port that a
 * deleted or moved virtual frees can be taken by another one in the same run.
 */
export function diff(desired: Pick<DesiredState, 'virtuals'>, actual: readonly ActualVirtual[], now: number): ReconcileAction[] {
  const wanted = new Map(desired.virtuals.map((v) => [v.name, v]));
  const drains: ReconcileAction[] = [];
  const replaces: ReconcileAction[] = [];
  const starts: ReconcileAction[] = [];
  const updates: ReconcileAction[] = [];
  const forgets: ReconcileAction[] = [];
  const seen = new Set<string>();

  for (const a of actual) {
    seen.add(a.name);
    const spec = wanted.get(a.name);
    if (!spec || !spec.enabled) {
      if (a.running) drains.push({ kind: 'drain', name: a.name, why: spec ? 'disabled' : 'deleted' });
      else if (a.failure) forgets.push({ kind: 'forget', name: a.name });
      continue;
    }
    if (a.running && sameSpec(a.running, spec)) {
      if (a.failure) forgets.push({ kind: 'forget', name: a.name });
      continue;
    }
    if (a.failure && sameSpec(a.failure.spec, spec) && !(a.failure.retryable && now >= a.failure.retryAt)) continue;
    const action = change(a.running, spec);
    (action.kind === 'update' ? updates : action.kind === 'replace' ? replaces : starts).push(action);
  }
  for (const spec of desired.virtuals) {
    if (!seen.has(spec.name) && spec.enabled) starts.push({ kind: 'create', spec });
  }
  const byName = (x: ReconcileAction, y: ReconcileAction): number => nameOf(x).localeCompare(nameOf(y));
  // Network and wildcard virtuals start before host virtuals: a port that will need the wildcard
  // binds it first (and a restarted daemon takes the inherited wildcard first) instead of
  // binding a host address only to move to the wildcard a moment later.
  const broadFirst = (x: ReconcileAction, y: ReconcileAction): number => prefixOfAction(x) - prefixOfAction(y) || byName(x, y);
  return [...drains.sort(byName), ...replaces.sort(byName), ...starts.sort(broadFirst), ...updates.sort(byName), ...forgets.sort(byName)];
}

function prefixOfAction(a: ReconcileAction): number {
  return 'spec' in a ? prefixOf(a.spec) : 0;
}

function nameOf(a: ReconcileAction): string {
  return 'spec' in a ? a.spec.name : a.name;
}

/**
 * `diff` restricted to the virtuals that changed: `changed` names those whose spec is new or
 * different, or that are gone, since the last run; `actual` holds what runs for those names
 * and every failure (ListenerSet.actualFor). Virtuals outside both keep running untouched, so
 * a one-virtual edit costs the same with 10,000 virtuals as with ten.
 */
export function diffChanged(desired: Pick<DesiredState, 'virtuals'>, changed: ReadonlySet<string>, actual: readonly ActualVirtual[], now: number): ReconcileAction[] {
  const names = new Set([...changed, ...actual.map((a) => a.name)]);
  return diff({ virtuals: desired.virtuals.filter((v) => names.has(v.name)) }, actual, now);
}
