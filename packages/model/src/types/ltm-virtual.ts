import { enforced, metadata, storedOnly, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';
import { PROFILE_TYPES } from './profile-types';
import { SNAT_TESTS } from './ltm-snatpool';
import { PERSIST_TESTS, PERSISTENCE_TYPES } from './ltm-persistence';

/** The tests that prove admission (connection and rate limits) over real sockets. */
const ADMISSION_TESTS = ['packages/dataplane/test/listener/admission.test.ts', 'test/e2e-admission.test.ts'];
/** The tests that prove virtual matching (destination network, mask, source) over real sockets. */
const MATCHING_TESTS = ['test/e2e-virtual-matching.test.ts', 'packages/dataplane/test/listener/virtual-matcher.test.ts'];

export const ltmVirtual: ObjectTypeDef = {
  key: 'ltm virtual',
  kindName: 'Virtual Server',
  help: 'A listener on address:port that applies its profiles and sends sessions to its pool.',
  properties: {
    'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', effect: metadata },
    'auto-lasthop': { type: t.enumOf('default', 'enabled', 'disabled'), default: 'default', help: 'Return traffic to the MAC it came from', effect: storedOnly },
    'connection-limit': {
      type: t.int(0),
      default: '0',
      help: 'Maximum concurrent client connections (0 = unlimited); over it: 421 4.7.0, or a reset before any TLS on implicit-TLS virtuals',
      // e2e-workers: the limit is exact across worker processes (the primary counts).
      effect: enforced(...ADMISSION_TESTS, 'test/e2e-workers.test.ts'),
    },
    'creation-time': { type: t.string(), help: 'When the virtual was created', readOnly: true, alwaysList: true, effect: metadata },
    description: { type: t.string(), help: 'User-defined description', effect: metadata },
    destination: {
      type: { kind: 'destination' },
      help: 'Address (host, network or wildcard) and port the virtual matches: 10.0.0.1:25, 10.0.0.0/24:smtp, any:25, 2001:db8::1.25, any6.25',
      required: true,
      alwaysList: true,
      effect: enforced('test/e2e-seed-scenario.test.ts', ...MATCHING_TESTS),
    },
    enabled: { type: t.flag('enabled', 'disabled'), default: 'enabled', help: 'enabled | disabled: whether the virtual accepts new connections', effect: enforced('test/e2e-seed-scenario.test.ts') },
    'ip-protocol': { type: t.enumOf('tcp', 'udp', 'sctp', 'any'), default: 'tcp', help: 'IP protocol of the listener', alwaysList: true, effect: enforced('test/e2e-seed-scenario.test.ts') },
    'last-modified-time': { type: t.string(), help: 'When the virtual was last changed', readOnly: true, alwaysList: true, effect: metadata },
    mask: {
      type: { kind: 'netmask' },
      default: '255.255.255.255',
      help: 'Destination netmask: 255.255.255.255 (a host), 255.255.255.0 (a network), any (every address); the most specific destination wins',
      alwaysList: true,
      effect: enforced(MATCHING_TESTS[0]),
    },
    // Labels automation tools attach (f5_modules writes its version and last change here).
    metadata: {
      type: {
        kind: 'collection',
        key: { kind: 'name' },
        entry: {
          value: { type: t.string(), help: 'The value of this metadata entry', effect: metadata },
          persist: { type: t.enumOf('true', 'false'), default: 'true', help: 'Whether the entry is saved with the configuration', effect: metadata },
        },
      },
      help: 'Name/value labels for automation tools',
      effect: metadata,
    },
    mirror: { type: t.onOff(), default: 'disabled', help: 'Mirror connections to the peer', effect: storedOnly },
    persist: {
      type: {
        kind: 'collection',
        key: { kind: 'reference', to: PERSISTENCE_TYPES },
        entry: {
          default: {
            type: t.enumOf('yes', 'no'),
            help: 'yes: the profile the virtual persists with (one entry only; a single entry is the default)',
            effect: enforced(PERSIST_TESTS[0]),
          },
        },
      },
      default: 'none',
      help: 'Persistence profile: persist { source_addr { default yes } }. Only source-addr profiles take effect; others (cookie, ssl, ...) are stored only and say so',
      effect: enforced(...PERSIST_TESTS),
    },
    'fallback-persistence': {
      type: t.ref([...PERSISTENCE_TYPES]),
      default: 'none',
      help: 'Persistence used when the default one cannot be: a source-addr profile here takes effect when `persist` names a kind openltm does not act on (cookie, ssl, ...) or none',
      effect: enforced(PERSIST_TESTS[0]),
    },
    pool: { type: t.ref('ltm pool'), default: 'none', help: 'Default pool of SMTP servers', effect: enforced('test/e2e-seed-scenario.test.ts') },
    profiles: {
      type: {
        kind: 'collection',
        key: { kind: 'reference', to: PROFILE_TYPES },
        entry: { context: { type: t.enumOf('all', 'clientside', 'serverside'), default: 'all', help: 'Side of the connection the profile applies to', effect: enforced('test/e2e-seed-scenario.test.ts') } },
      },
      default: '{ /Common/tcp { } }',
      help: 'Profiles: tcp, smtps, client-ssl { context clientside }, server-ssl { context serverside }',
      effect: enforced('test/e2e-seed-scenario.test.ts'),
    },
    'rate-limit': {
      type: t.int(0, 4294967295, ['disabled']),
      default: 'disabled',
      help: 'New connections per second per rate-limit-mode key (disabled or 0 = unlimited); over it: 421 4.7.0, or a reset on implicit TLS',
      effect: enforced(...ADMISSION_TESTS),
    },
    'rate-limit-dst-mask': {
      type: t.int(0, 128),
      default: '0',
      help: 'Prefix length applied to the destination address for rate-limit-mode destination keys (0 = the whole address)',
      effect: enforced(ADMISSION_TESTS[0]),
    },
    'rate-limit-mode': {
      type: t.enumOf('object', 'object-source', 'object-destination', 'object-source-destination', 'source', 'destination', 'source-destination'),
      default: 'object',
      help: 'What one rate-limit counter covers: the virtual (object), per source and/or destination address, within this virtual or across all virtuals',
      effect: enforced(...ADMISSION_TESTS),
    },
    'rate-limit-src-mask': {
      type: t.int(0, 128),
      default: '0',
      help: 'Prefix length applied to the source address for rate-limit-mode source keys (0 = the whole address)',
      effect: enforced(ADMISSION_TESTS[0]),
    },
    'serverssl-use-sni': {
      type: t.onOff(),
      default: 'disabled',
      help: "Send the client's SNI name to members (stored only: the server-ssl profile's server-name is sent)",
      effect: storedOnly,
    },
    'service-down-immediate-action': {
      type: t.enumOf('none', 'reset', 'drop'),
      default: 'none',
      help: 'What happens to connections when the pool goes down (stored only: sessions end as their member connection does)',
      effect: storedOnly,
    },
    'address-status': { type: t.enumOf('yes', 'no'), default: 'yes', help: "Whether the virtual's status counts toward its virtual address's (stored only)", effect: storedOnly },
    // iRules are kept (ltm rule) and referenced, never executed: a virtual with rules is served without them, and says so.
    rules: { type: t.list(t.ref('ltm rule')), help: 'iRules attached to the virtual; openltm does not execute iRules (stored only)', effect: storedOnly },
    source: {
      type: { kind: 'cidr' },
      default: '0.0.0.0/0',
      help: 'Client addresses this virtual matches, as a prefix; among virtuals with one destination the most specific source wins',
      alwaysList: true,
      effect: enforced(...MATCHING_TESTS),
    },
    'source-address-translation': {
      type: {
        kind: 'object',
        properties: {
          type: {
            type: t.enumOf('automap', 'snat', 'lsn', 'none'),
            default: 'none',
            help: 'none: the host picks the source address; automap: the virtual\'s own address (a wildcard virtual: the host\'s choice); snat: the pool\'s addresses in turn; lsn is refused',
            effect: enforced(...SNAT_TESTS),
          },
          pool: { type: t.ref('ltm snatpool'), default: 'none', help: 'SNAT pool (type snat)', effect: enforced(...SNAT_TESTS) },
        },
      },
      help: 'Source address translation { type automap | snat pool NAME | none }: the local address of member connections',
      effect: enforced(...SNAT_TESTS),
    },
    'source-port': { type: t.enumOf('preserve', 'preserve-strict', 'change'), default: 'preserve', help: 'Source port handling', effect: storedOnly },
    'translate-address': { type: t.onOff(), default: 'enabled', help: 'Translate the destination address to the member', alwaysList: true, effect: storedOnly },
    'translate-port': { type: t.onOff(), default: 'enabled', help: 'Translate the destination port to the member', alwaysList: true, effect: storedOnly },
    vlans: { type: { kind: 'list', item: { kind: 'string' }, lines: true }, help: 'VLANs the virtual listens on', effect: storedOnly },
    'vlans-enabled': { type: t.flag('vlans-enabled', 'vlans-disabled'), default: 'vlans-disabled', help: 'Whether `vlans` lists where to listen or where not to', effect: storedOnly },
  },
};
