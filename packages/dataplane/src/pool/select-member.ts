import type { MemberView, SelectionState } from './member-view';
import { underLimit } from './member-view';
import { roundRobin } from './round-robin';
import { ratioMember } from './ratio';
import { leastConnections } from './least-connections';
import { activeMembers } from './priority-groups';

/** Load-balancing modes the data plane implements; any other mode runs as round-robin. */
export const SUPPORTED_MODES: ReadonlySet<string> = new Set(['round-robin', 'ratio-member', 'least-connections-member']);

export interface SelectionInput {
  mode: string;
  minActiveMembers: number;
  members: readonly MemberView[];
  state: SelectionState;
}

export interface Selection {
  /** Index of the chosen member in `members`, or undefined when none may take a session. */
  chosen: number | undefined;
  /** The state to pass to the next choice. */
  state: SelectionState;
}

/**
 * Chooses the member for one new session: a pure function of the members, their status and
 * their counters, and the load-balancing memory. Members that are not usable or are at their
 * connection limit are skipped; priority groups narrow the field; the mode picks among the rest.
 */
export function selectMember(input: SelectionInput): Selection {
  const { members, state } = input;
  const eligible: number[] = [];
  members.forEach((m, i) => {
    if (m.usable && underLimit(m)) eligible.push(i);
  });
  const candidates = activeMembers(members, eligible, input.minActiveMembers);
  if (candidates.length === 0) return { chosen: undefined, state };
  switch (input.mode) {
    case 'ratio-member': {
      const { chosen, credits } = ratioMember(members, candidates, state.credits);
      return { chosen, state: { last: chosen ?? state.last, credits } };
    }
    case 'least-connections-member': {
      const chosen = leastConnections(members, candidates, state.last);
      return { chosen, state: { ...state, last: chosen ?? state.last } };
    }
    default: {
      const chosen = roundRobin(members, new Set(candidates), state.last);
      return { chosen, state: { ...state, last: chosen ?? state.last } };
    }
  }
}
