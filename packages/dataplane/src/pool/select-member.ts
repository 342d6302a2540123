import type { MemberPreference } from '../contracts';
import type { MemberView, SelectionState } from './member-view';
import { underLimit } from './member-view';
import { roundRobin } from './round-robin';
import { ratioMember } from './ratio';
import { leastConnections } from './least-connections';
import { leastSessions } from './least-sessions';
import { ratioLeastConnections, weightedLeastConnections } from './weighted-connections';
import { fastestAppResponse } from './fastest-app-response';
import { leastConnectionsNode, ratioLeastConnectionsNode, withNodeRatios } from './node-modes';
import { activeMembers } from './priority-groups';

/** Modes that pick from what they observe of members: (members, candidates, last chosen) -> choice. */
const OBSERVING_MODES: Readonly<Record<string, (members: readonly MemberView[], candidates: readonly number[], last: number) => number | undefined>> = {
  'least-connections-member': leastConnections,
  'least-sessions': leastSessions,
  'ratio-least-connections-member': ratioLeastConnections,
  'weighted-least-connections-member': weightedLeastConnections,
  'fastest-app-response': fastestAppResponse,
  'least-connections-node': leastConnectionsNode,
  'ratio-least-connections-node': ratioLeastConnectionsNode,
};

/** Modes that need each member's node connections counted across every pool. */
export const NODE_MODES: ReadonlySet<string> = new Set(['least-connections-node', 'ratio-least-connections-node', 'ratio-node']);

/**
 * Load-balancing modes the data plane implements (the store refuses the others; a store
 * written before that runs them as round-robin and says so in the pool status).
 */
export const SUPPORTED_MODES: ReadonlySet<string> = new Set(['round-robin', 'ratio-member', 'ratio-node', ...Object.keys(OBSERVING_MODES)]);

export interface SelectionInput {
  mode: string;
  minActiveMembers: number;
  members: readonly MemberView[];
  state: SelectionState;
  /** Names of members this session already tried (and failed to reach): never chosen again. */
  tried?: ReadonlySet<string>;
  /** A persistence record's member: chosen, ahead of the mode, when it may take the session. */
  prefer?: MemberPreference;
}

export interface Selection {
  /** Index of the chosen member in `members`, or undefined when none may take a session. */
  chosen: number | undefined;
  /** The state to pass to the next choice. */
  state: SelectionState;
}

/**
 * Chooses the member for one new session: a pure function of the members, their status and
 * their counters, the members the session already tried, and the load-balancing memory.
 * Members that are not usable, at their connection limit or already tried are skipped; members
 * marked down passively only when nothing else is left (a passive mark steers traffic away, it
 * never refuses a session); priority groups narrow the field; the mode picks among the rest.
 * A persisted member comes first while it is available (not down, not marked down, not tried,
 * under its limit unless the profile overrides it; user-disabled is no bar, as BIG-IP serves
 * persistent clients on a disabled member), whatever its priority group; choosing it leaves the
 * mode's memory as it was.
 */
export function selectMember(input: SelectionInput): Selection {
  const { members, state, tried, prefer } = input;
  if (prefer) {
    const i = members.findIndex((m) => m.name === prefer.member);
    const m = members[i];
    if (m && (m.persistable ?? m.usable) && !m.passiveDown && !tried?.has(m.name) && (prefer.overrideLimit || underLimit(m))) return { chosen: i, state };
  }
  const open = (m: MemberView): boolean => m.usable && underLimit(m) && !tried?.has(m.name);
  const eligible: number[] = [];
  members.forEach((m, i) => {
    if (open(m) && !m.passiveDown) eligible.push(i);
  });
  if (eligible.length === 0) {
    members.forEach((m, i) => {
      if (open(m) && m.passiveDown) eligible.push(i);
    });
  }
  const candidates = activeMembers(members, eligible, input.minActiveMembers);
  if (candidates.length === 0) return { chosen: undefined, state };
  switch (input.mode) {
    case 'ratio-member':
    case 'ratio-node': {
      const weighted = input.mode === 'ratio-node' ? withNodeRatios(members) : members;
      const { chosen, credits } = ratioMember(weighted, candidates, state.credits);
      return { chosen, state: { last: chosen ?? state.last, credits } };
    }
    case 'least-connections-member':
    case 'least-sessions':
    case 'ratio-least-connections-member':
    case 'weighted-least-connections-member':
    case 'fastest-app-response':
    case 'least-connections-node':
    case 'ratio-least-connections-node': {
      const chosen = OBSERVING_MODES[input.mode](members, candidates, state.last);
      return { chosen, state: { ...state, last: chosen ?? state.last } };
    }
    default: {
      const chosen = roundRobin(members, new Set(candidates), state.last);
      return { chosen, state: { ...state, last: chosen ?? state.last } };
    }
  }
}
