import { enforced, metadata, storedOnly, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';

const E2E = 'test/e2e-virtual-address.test.ts';
const STORE_TEST = 'packages/store/test/virtual-address.test.ts';

/**
 * The address a virtual server listens on, shared by every virtual on it. BIG-IP creates one,
 * named by the address in the virtual's folder, with the first virtual on an address, and deletes
 * it with the last one unless `auto-delete false`.
 */
export const ltmVirtualAddress: ObjectTypeDef = {
  key: 'ltm virtual-address',
  kindName: 'Virtual Address',
  help: 'The address virtual servers listen on: enabled and connection-limit apply to every virtual on it.',
  properties: {
    address: { type: { kind: 'address', words: ['any', 'any6'] }, help: 'The IP address (taken from the name when the name is an address); any and any6 are 0.0.0.0 and ::, as BIG-IP writes them', required: true, immutable: true, alwaysList: true, effect: enforced(E2E) },
    'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', effect: metadata },
    arp: { type: t.onOff(), default: 'enabled', help: 'Answer ARP for the address (stored only: the host owns its addresses)', alwaysList: true, effect: storedOnly },
    'auto-delete': {
      type: t.enumOf('true', 'false'),
      default: 'true',
      help: 'Delete the address with the last virtual server on it',
      effect: enforced(STORE_TEST),
    },
    'connection-limit': {
      type: t.int(0),
      default: '0',
      help: 'Concurrent client connections across every virtual on the address (0 = unlimited); over it: 421 4.7.0, or a reset on implicit TLS',
      effect: enforced(E2E),
    },
    description: { type: t.string(), help: 'User-defined description', effect: metadata },
    enabled: { type: t.enumOf('yes', 'no'), default: 'yes', help: 'no: no virtual server on the address takes connections', effect: enforced(E2E) },
    floating: { type: t.onOff(), default: 'enabled', help: 'The address moves with its traffic group (stored only: openltm has no failover of addresses)', effect: storedOnly },
    'icmp-echo': {
      type: t.enumOf('enabled', 'disabled', 'selective', 'always', 'any', 'all'),
      default: 'enabled',
      help: 'Answer ping on the address (stored only: the host answers ICMP itself)',
      effect: storedOnly,
    },
    'inherited-traffic-group': { type: t.enumOf('true', 'false'), default: 'false', help: 'The traffic group follows the folder (stored only)', effect: storedOnly },
    mask: { type: { kind: 'netmask' }, default: '255.255.255.255', help: 'Netmask of the address (the virtual\'s mask when created with it)', alwaysList: true, effect: storedOnly },
    'route-advertisement': {
      type: t.enumOf('disabled', 'enabled', 'selective', 'always', 'any', 'all'),
      default: 'disabled',
      help: 'Advertise a route to the address (stored only: openltm runs no routing protocol)',
      effect: storedOnly,
    },
    'server-scope': { type: t.enumOf('any', 'all', 'none'), default: 'any', help: 'Which virtuals\' availability the address reports (stored only)', effect: storedOnly },
    spanning: { type: t.onOff(), default: 'disabled', help: 'Share the address across devices (stored only)', effect: storedOnly },
    'traffic-group': { type: t.string(), default: '/Common/traffic-group-1', help: 'Traffic group of the address (stored only: openltm has no traffic groups)', alwaysList: true, effect: storedOnly },
    unit: { type: t.int(0, 255), default: '1', help: 'Failover unit (stored only)', effect: storedOnly },
  },
};
