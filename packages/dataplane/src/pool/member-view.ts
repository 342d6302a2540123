/** What member choice needs to know about one member: its weights and whether it may take a session now. */
export interface MemberView {
  /** `/Common/10.0.0.11:25` */
  name: string;
  ratio: number;
  priorityGroup: number;
  /** 0 = unlimited. */
  connectionLimit: number;
  curConns: number;
  /**
   * May take new sessions as far as state and health go: not user-down, not user-disabled,
   * and its monitor rule is not down. The connection limit is checked separately.
   */
  usable: boolean;
  /** May take a session of a client persisted to it (a user-disabled member may); absent = as `usable`. */
  persistable?: boolean;
  /**
   * A connection to it failed moments ago (connect error, no greeting) and its monitor has not
   * seen it up since: chosen only when no other member can take the session.
   */
  passiveDown?: boolean;
  /** Recent application response time in ms (fastest-app-response); undefined = no recent sample. */
  responseMs?: number;
  /** The member's node, for the -node modes: connections to it from every pool, and its ratio. */
  node?: { conns: number; ratio: number };
}

/** Load-balancing memory kept between choices: where round-robin stands, ratio credits. */
export interface SelectionState {
  /** Index (in the pool's member list) of the last member chosen, -1 before the first. */
  last: number;
  /** Smooth weighted round-robin credits per member name (ratio-member). */
  credits: Readonly<Record<string, number>>;
}

export const initialSelectionState: SelectionState = { last: -1, credits: {} };

/** True when the member may take one more session under its connection limit. */
export function underLimit(m: MemberView): boolean {
  return m.connectionLimit === 0 || m.curConns < m.connectionLimit;
}
