import { enforced, metadata, storedOnly, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';
import type { PropertyTable } from '../value-types';

export const LOAD_BALANCING_MODES = [
  'dynamic-ratio-member', 'dynamic-ratio-node', 'fastest-app-response', 'fastest-node',
  'least-connections-member', 'least-connections-node', 'least-sessions', 'observed-member',
  'observed-node', 'predictive-member', 'predictive-node', 'ratio-least-connections-member',
  'ratio-least-connections-node', 'ratio-member', 'ratio-node', 'ratio-session', 'round-robin',
  'weighted-least-connections-member', 'weighted-least-connections-node',
] as const;

/** The modes the data plane implements. Every other mode is refused when configured, with the reason below. */
export const IMPLEMENTED_LOAD_BALANCING_MODES = [
  'round-robin', 'ratio-member', 'least-connections-member', 'least-sessions', 'ratio-least-connections-member',
  'weighted-least-connections-member', 'fastest-app-response', 'least-connections-node', 'ratio-node',
  'ratio-least-connections-node',
] as const;

/** Why openltm refuses a BIG-IP mode: accepting it and running another would mislead the administrator. */
export const UNIMPLEMENTED_MODE_REASONS: Readonly<Record<string, string>> = {
  'dynamic-ratio-member': 'it takes its weights from a performance monitor (SNMP DCA, WMI, Real Server), and openltm has none',
  'dynamic-ratio-node': 'it takes its weights from a performance monitor (SNMP DCA, WMI, Real Server), and openltm has none',
  'fastest-node': 'it counts outstanding layer 7 requests per node, which openltm does not track; fastest-app-response ranks members by how fast they greet',
  'observed-member': 'it ranks members by connection counts sampled over time, which openltm does not sample',
  'observed-node': 'it ranks nodes by connection counts sampled over time, which openltm does not sample',
  'predictive-member': 'it ranks members by the trend of sampled connection counts, which openltm does not sample',
  'predictive-node': 'it ranks nodes by the trend of sampled connection counts, which openltm does not sample',
  'ratio-session': 'it weights persistence sessions, and openltm has no persistence',
  'weighted-least-connections-node': 'it weighs each node by its connection-limit, which openltm does not enforce on nodes',
};

/** Properties of one pool member (`members { 10.0.0.1:25 { ... } }`), named `<node>:<port>`. */
/**
 * FQDN nodes and members (DNS-resolved) are stored only: openltm resolves no names, so a node
 * with an FQDN and no address, and its pool members, take no traffic. f5_modules always sends
 * `fqdn { autopopulate disabled }`.
 */
const fqdn: PropertyTable[string] = {
  type: {
    kind: 'object',
    properties: {
      name: { type: t.string(), help: 'The DNS name (stored only: openltm does not resolve it)', effect: storedOnly },
      'address-family': { type: t.enumOf('ipv4', 'ipv6', 'all'), default: 'ipv4', help: 'Which addresses the name resolves to (stored only)', effect: storedOnly },
      autopopulate: { type: t.onOff(), default: 'disabled', help: 'Create members for every address the name resolves to (stored only)', effect: storedOnly },
      interval: { type: t.int(0, 4294967295, ['ttl']), default: '3600', help: 'Seconds between resolutions (stored only)', effect: storedOnly },
      'down-interval': { type: t.int(0, 4294967295), default: '5', help: 'Seconds between resolutions after a failure (stored only)', effect: storedOnly },
    },
  },
  help: 'FQDN settings (stored only: openltm resolves no names; a node with only an FQDN, and its members, take no traffic)',
  effect: storedOnly,
};

export const poolMemberEntry: PropertyTable = {
  address: { type: { kind: 'address' }, help: 'IP address of the member (its node is created when missing)', alwaysList: true, effect: enforced('test/e2e-seed-scenario.test.ts') },
  'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', effect: metadata },
  'connection-limit': { type: t.int(0), default: '0', help: 'Maximum concurrent connections to the member (0 = unlimited)', effect: enforced('test/e2e-settings.test.ts') },
  description: { type: t.string(), help: 'User-defined description', effect: metadata },
  'dynamic-ratio': { type: t.int(1, 65535), default: '1', help: 'Dynamic ratio weight', effect: storedOnly },
  fqdn,
  monitor: { type: { kind: 'monitor-rule' }, default: 'default', help: "The member's own health monitor rule, overriding the pool's", effect: enforced('test/e2e-settings.test.ts') },
  'priority-group': { type: t.int(0, 65535), default: '0', help: 'Priority group; higher groups take traffic first', effect: enforced('test/e2e-settings.test.ts') },
  ratio: { type: t.int(1, 65535), default: '1', help: 'Weight for ratio load balancing', effect: enforced('test/e2e-settings.test.ts') },
  session: {
    type: t.enumOf('user-enabled', 'user-disabled', 'monitor-enabled'),
    default: 'user-enabled',
    help: 'user-disabled: no new clients; clients persisted to the member (ltm persistence source-addr) still go to it (BIG-IP "disabled")',
    effect: enforced('test/e2e-settings.test.ts', 'test/e2e-persistence.test.ts'),
  },
  state: {
    type: t.enumOf('user-up', 'user-down', 'up', 'down', 'unchecked', 'checking'),
    default: 'user-up',
    help: 'user-down: forced offline, no new sessions',
    effect: enforced('test/e2e-settings.test.ts'),
  },
};

export const ltmPool: ObjectTypeDef = {
  key: 'ltm pool',
  kindName: 'Pool',
  help: 'A load-balanced set of SMTP servers (members) with a health monitor.',
  properties: {
    'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', effect: metadata },
    description: { type: t.string(), help: 'User-defined description', effect: metadata },
    'load-balancing-mode': {
      type: t.enumOf(...LOAD_BALANCING_MODES),
      default: 'round-robin',
      help: 'How a member is chosen for each new session; modes openltm does not implement are refused',
      effect: enforced('test/e2e-settings.test.ts', 'packages/dataplane/test/pool/load-balancing.integration.test.ts'),
    },
    members: { type: { kind: 'collection', key: { kind: 'member' }, entry: poolMemberEntry }, help: 'Pool members, named address:port', effect: enforced('test/e2e-seed-scenario.test.ts') },
    // Sent by every f5_modules bigip_pool create; kept for BIG-IP fidelity (high availability actions do not apply).
    'min-up-members': { type: t.int(0, 65535), default: '0', help: 'Members that must be up before the min-up-members-action (stored only)', effect: storedOnly },
    'min-up-members-action': { type: t.enumOf('failover', 'reboot', 'restart-all'), default: 'failover', help: 'HA action when fewer members are up (stored only)', effect: storedOnly },
    'min-up-members-checking': { type: t.onOff(), default: 'disabled', help: 'Whether min-up-members is checked (stored only)', effect: storedOnly },
    'min-active-members': { type: t.int(0, 65535), default: '0', help: 'Members a priority group needs up before lower groups are used', effect: enforced('test/e2e-settings.test.ts') },
    monitor: { type: { kind: 'monitor-rule' }, default: 'none', help: 'Health monitor rule: a monitor, `a and b`, or `min N of { a b }`', effect: enforced('test/e2e-seed-scenario.test.ts') },
    'service-down-action': { type: t.enumOf('none', 'reset', 'drop', 'reselect'), default: 'none', help: 'What happens to sessions of a member that goes down', effect: storedOnly },
    'slow-ramp-time': { type: t.int(0, 65535), default: '10', help: 'Seconds over which a member coming up gets full traffic', effect: storedOnly },
    'allow-nat': { type: t.enumOf('yes', 'no'), default: 'yes', help: 'Allow NAT towards members', effect: storedOnly },
    'allow-snat': { type: t.enumOf('yes', 'no'), default: 'yes', help: 'Allow SNAT towards members', effect: storedOnly },
    'reselect-tries': { type: t.int(0, 65535), default: '0', help: 'Times to try another member when a connection fails', effect: storedOnly },
    // Queueing holds connections when every member is at its connection-limit; openltm refuses them
    // instead (421), so only `disabled` is accepted and the depth and time limits have nothing to bound.
    'queue-on-connection-limit': {
      type: t.onOff(),
      default: 'disabled',
      help: 'Queue connections while every member is at its connection-limit (only disabled is accepted: openltm answers 421 instead)',
      effect: enforced('packages/store/test/corpus-properties.test.ts'),
    },
    'queue-depth-limit': { type: t.int(0), default: '0', help: 'Most connections queued (stored only: openltm does not queue)', effect: storedOnly },
    'queue-time-limit': { type: t.int(0), default: '0', help: 'Milliseconds a connection may wait in the queue (stored only: openltm does not queue)', effect: storedOnly },
    // Node cannot set IP_TOS or 802.1p priority on a socket.
    'ip-tos-to-client': { type: t.int(0, 255, ['pass-through', 'mimic']), default: 'pass-through', help: 'IP ToS of packets to clients (stored only)', effect: storedOnly },
    'ip-tos-to-server': { type: t.int(0, 255, ['pass-through', 'mimic']), default: 'pass-through', help: 'IP ToS of packets to members (stored only)', effect: storedOnly },
    'link-qos-to-client': { type: t.int(0, 7, ['pass-through']), default: 'pass-through', help: 'Link QoS of packets to clients (stored only)', effect: storedOnly },
    'link-qos-to-server': { type: t.int(0, 7, ['pass-through']), default: 'pass-through', help: 'Link QoS of packets to members (stored only)', effect: storedOnly },
    'ignore-persisted-weight': { type: t.onOff(), default: 'disabled', help: 'Leave persisted connections out of ratio weighting (stored only)', effect: storedOnly },
  },
};

export const ltmNode: ObjectTypeDef = {
  key: 'ltm node',
  kindName: 'Node',
  help: 'A server address; pool members refer to nodes (created automatically when needed).',
  properties: {
    // Required unless the node has an fqdn name (checked by the store).
    address: { type: { kind: 'address' }, help: 'IP address of the node (taken from the name when the name is an address)', immutable: true, alwaysList: true, effect: enforced('test/e2e-seed-scenario.test.ts') },
    'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', effect: metadata },
    'connection-limit': { type: t.int(0), default: '0', help: 'Maximum concurrent connections (0 = unlimited)', effect: storedOnly },
    description: { type: t.string(), help: 'User-defined description', effect: metadata },
    'dynamic-ratio': { type: t.int(1, 65535), default: '1', help: 'Dynamic ratio weight', effect: storedOnly },
    fqdn,
    monitor: { type: { kind: 'monitor-rule' }, default: 'default', help: 'Node health monitor rule', effect: storedOnly },
    ratio: { type: t.int(1, 65535), default: '1', help: 'Weight for ratio-node and ratio-least-connections-node balancing', effect: enforced('packages/dataplane/test/pool/node-modes.test.ts') },
    session: { type: t.enumOf('user-enabled', 'user-disabled', 'monitor-enabled'), default: 'user-enabled', help: 'user-disabled: no new sessions', effect: enforced('test/e2e-settings.test.ts') },
    state: { type: t.enumOf('user-up', 'user-down', 'up', 'down', 'unchecked', 'checking'), default: 'user-up', help: 'user-down: forced offline', effect: enforced('test/e2e-settings.test.ts') },
  },
};
