import { enforced, metadata, storedOnly, t, type PropertyTable } from '../value-types';
import type { ObjectTypeDef } from '../object-type';

/** The tests that prove source-address persistence over real sockets. */
export const PERSIST_TESTS = ['test/e2e-persistence.test.ts', 'packages/dataplane/test/pool/persistence.test.ts'] as const;

const common: PropertyTable = {
  'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', notInherited: true, effect: metadata },
  description: { type: t.string(), help: 'User-defined description', notInherited: true, effect: metadata },
  mirror: { type: t.onOff(), default: 'disabled', help: 'Mirror persistence records to the peer unit', effect: storedOnly },
};

/** What the profiles openltm does not act on share: kept, listed and saved as BIG-IP writes them. */
const storedOnlyMatching: PropertyTable = {
  'match-across-pools': { type: t.onOff(), default: 'disabled', help: 'Records apply to every pool holding the member', effect: storedOnly },
  'match-across-services': { type: t.onOff(), default: 'disabled', help: 'Records apply to every virtual on the same address', effect: storedOnly },
  'match-across-virtuals': { type: t.onOff(), default: 'disabled', help: 'Records apply to every virtual', effect: storedOnly },
  'override-connection-limit': { type: t.onOff(), default: 'disabled', help: 'A persisted member is chosen over its connection limit', effect: storedOnly },
};

const timeout = (seconds: string) => ({
  timeout: { type: t.int(0, 4294967295, ['indefinite']), default: seconds, help: 'Seconds a record lives after its last use', effect: storedOnly },
});

const notActedOn = (what: string) => `${what} (stored only: openltm keeps it for BIG-IP compatibility; a virtual that uses it gets no persistence from it)`;

/**
 * Source address affinity: the one persistence openltm acts on. A client address (masked) keeps
 * going to the member it was sent to while that member is available and the record is younger
 * than `timeout` (refreshed on each use). Records live in the primary process and hold across workers.
 */
export const ltmPersistenceSourceAddr: ObjectTypeDef = {
  key: 'ltm persistence source-addr',
  kindName: 'Persistence Profile',
  help: 'Source address affinity: sessions from one client address (masked) keep going to one pool member.',
  inheritable: true,
  builtins: [{ name: '/Common/source_addr', properties: {} }],
  properties: {
    ...common,
    timeout: {
      type: t.int(0, 4294967295, ['indefinite']),
      default: '180',
      help: 'Seconds a record lives after its last use (indefinite or 0: until its member is unavailable)',
      effect: enforced(...PERSIST_TESTS),
    },
    mask: {
      type: { kind: 'netmask', words: ['none'] },
      default: 'none',
      help: 'Netmask applied to the client address to make the record key (none: the whole address); an IPv4 mask applies to IPv4 clients, an IPv6 mask to IPv6 clients',
      effect: enforced(...PERSIST_TESTS),
    },
    'match-across-pools': {
      type: t.onOff(),
      default: 'disabled',
      help: 'A record made for one pool is used by any pool that has the same member (address:port)',
      effect: enforced(PERSIST_TESTS[1]),
    },
    'match-across-services': {
      type: t.onOff(),
      default: 'disabled',
      help: 'A record made on one virtual is used by every virtual with the same address (any port) using this kind of persistence',
      effect: enforced(PERSIST_TESTS[1]),
    },
    'match-across-virtuals': {
      type: t.onOff(),
      default: 'disabled',
      help: 'A record made on one virtual is used by every virtual using this kind of persistence',
      effect: enforced(PERSIST_TESTS[1]),
    },
    'override-connection-limit': {
      type: t.onOff(),
      default: 'disabled',
      help: 'The persisted member is chosen even at its connection limit',
      effect: enforced(PERSIST_TESTS[1]),
    },
    'hash-algorithm': { type: t.enumOf('default', 'carp'), default: 'default', help: 'How records are spread over the table (no effect on which member is chosen)', effect: storedOnly },
    'map-proxies': { type: t.onOff(), default: 'enabled', help: 'Map the addresses of known proxy farms (AOL) to one key', effect: storedOnly },
    'map-proxy-address': { type: t.string(), default: 'none', help: 'Address proxy farm clients are mapped to', effect: storedOnly },
    'map-proxy-class': { type: t.string(), default: 'none', help: 'Data group of proxy farm addresses', effect: storedOnly },
  },
};

function storedOnlyType(key: string, builtin: string, help: string, properties: PropertyTable): ObjectTypeDef {
  return {
    key,
    kindName: 'Persistence Profile',
    help: notActedOn(help),
    inheritable: true,
    builtins: [{ name: builtin, properties: {} }],
    properties: { ...common, ...storedOnlyMatching, ...properties },
  };
}

const rule = { rule: { type: t.string(), default: 'none', help: 'iRule that computes the key', effect: storedOnly } };

/** BIG-IP's other persistence kinds: a mail proxy has no cookie, host header, RDP or SIP to persist on. */
export const ltmPersistenceStoredOnly: readonly ObjectTypeDef[] = [
  storedOnlyType('ltm persistence cookie', '/Common/cookie', 'HTTP cookie persistence', {
    ...timeout('180'),
    'always-send': { type: t.onOff(), default: 'disabled', help: 'Send the cookie in every response', effect: storedOnly },
    'cookie-encryption': { type: t.enumOf('disabled', 'preferred', 'required'), default: 'disabled', help: 'Encrypt the cookie', effect: storedOnly },
    'cookie-name': { type: t.string(), default: 'none', help: 'Name of the cookie', effect: storedOnly },
    'encrypt-cookie-poolname': { type: t.onOff(), default: 'disabled', help: 'Encrypt the pool name in the cookie', effect: storedOnly },
    expiration: { type: t.string(), default: '0', help: 'Cookie lifetime (d:h:m:s; 0 = session cookie)', effect: storedOnly },
    'hash-length': { type: t.int(0), default: '0', help: 'Hash method: bytes hashed', effect: storedOnly },
    'hash-offset': { type: t.int(0), default: '0', help: 'Hash method: offset of the hashed bytes', effect: storedOnly },
    httponly: { type: t.onOff(), default: 'enabled', help: 'Mark the cookie HttpOnly', effect: storedOnly },
    method: { type: t.enumOf('insert', 'rewrite', 'passive', 'hash'), default: 'insert', help: 'How the cookie is handled', effect: storedOnly },
    secure: { type: t.onOff(), default: 'enabled', help: 'Mark the cookie Secure', effect: storedOnly },
  }),
  storedOnlyType('ltm persistence dest-addr', '/Common/dest_addr', 'Destination address affinity', {
    ...timeout('180'),
    mask: { type: { kind: 'netmask', words: ['none'] }, default: 'none', help: 'Netmask applied to the destination address', effect: storedOnly },
    'hash-algorithm': { type: t.enumOf('default', 'carp'), default: 'default', help: 'Record hashing', effect: storedOnly },
  }),
  storedOnlyType('ltm persistence hash', '/Common/hash', 'Hash persistence (iRule or hashed bytes)', { ...timeout('180'), ...rule }),
  storedOnlyType('ltm persistence host', '/Common/host', 'HTTP Host header persistence', timeout('180')),
  storedOnlyType('ltm persistence msrdp', '/Common/msrdp', 'Microsoft Remote Desktop persistence', {
    ...timeout('300'),
    'has-session-dir': { type: t.enumOf('yes', 'no'), default: 'yes', help: 'The servers use a session directory', effect: storedOnly },
  }),
  storedOnlyType('ltm persistence sip', '/Common/sip_info', 'SIP Call-ID persistence', {
    ...timeout('180'),
    'sip-info': { type: t.string(), default: 'Call-ID', help: 'SIP header persisted on', effect: storedOnly },
  }),
  storedOnlyType('ltm persistence ssl', '/Common/ssl', 'SSL session ID persistence', timeout('300')),
  storedOnlyType('ltm persistence universal', '/Common/universal', 'Universal (iRule) persistence', { ...timeout('180'), ...rule }),
];

/** Every persistence profile type a virtual's `persist` and `fallback-persistence` may name. */
export const PERSISTENCE_TYPES: readonly string[] = [ltmPersistenceSourceAddr.key, ...ltmPersistenceStoredOnly.map((d) => d.key)];
