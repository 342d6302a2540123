import { enforced, metadata, storedOnly, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';

/**
 * A SNAT address. BIG-IP creates one, named by its address, for each address a SNAT pool lists;
 * SNAT pool members name them. A disabled translation is skipped by the pools that list it.
 */
export const ltmSnatTranslation: ObjectTypeDef = {
  key: 'ltm snat-translation',
  kindName: 'SNAT Translation',
  help: 'A source address member connections may leave from; SNAT pool members name these (created from an address when missing).',
  properties: {
    address: { type: { kind: 'address' }, help: 'The IP address (taken from the name when the name is an address)', required: true, immutable: true, alwaysList: true, effect: enforced('test/e2e-snat.test.ts') },
    'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', effect: metadata },
    arp: { type: t.onOff(), default: 'enabled', help: 'Answer ARP for the address (stored only: the host owns its addresses)', effect: storedOnly },
    'connection-limit': { type: t.int(0), default: '0', help: 'Connections using the address (stored only: not counted)', effect: storedOnly },
    description: { type: t.string(), help: 'User-defined description', effect: metadata },
    enabled: { type: t.flag('enabled', 'disabled'), default: 'enabled', help: 'disabled: SNAT pools skip this address', effect: enforced('test/e2e-snat.test.ts') },
    'inherited-traffic-group': { type: t.enumOf('true', 'false'), default: 'false', help: 'The traffic group follows the folder (stored only)', effect: storedOnly },
    'ip-idle-timeout': { type: t.int(0, 4294967295, ['indefinite']), default: 'indefinite', help: 'Idle timeout of IP flows (stored only)', effect: storedOnly },
    'tcp-idle-timeout': { type: t.int(0, 4294967295, ['indefinite']), default: 'indefinite', help: 'Idle timeout of TCP flows (stored only: the tcp profile times sessions out)', effect: storedOnly },
    'traffic-group': { type: t.string(), default: '/Common/traffic-group-1', help: 'Traffic group of the address (stored only: openltm has no traffic groups)', effect: storedOnly },
    'udp-idle-timeout': { type: t.int(0, 4294967295, ['indefinite']), default: 'indefinite', help: 'Idle timeout of UDP flows (stored only)', effect: storedOnly },
  },
};

/**
 * A SNAT for traffic that no virtual server handles (BIG-IP forwarding). openltm only proxies
 * through virtual servers, so a SNAT never applies: every setting is stored only.
 */
export const ltmSnat: ObjectTypeDef = {
  key: 'ltm snat',
  kindName: 'SNAT',
  help: 'Source translation for traffic outside virtual servers; stored only: openltm forwards nothing outside its virtual servers (use source-address-translation on a virtual).',
  properties: {
    'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', effect: metadata },
    automap: { type: t.flag('automap'), help: 'Translate to a self IP of the egress VLAN (stored only)', effect: storedOnly },
    description: { type: t.string(), help: 'User-defined description', effect: metadata },
    mirror: { type: t.onOff(), default: 'disabled', help: 'Mirror connections to the peer (stored only)', effect: storedOnly },
    origins: {
      type: { kind: 'collection', key: { kind: 'name' }, entry: { description: { type: t.string(), help: 'User-defined description', effect: metadata } } },
      help: 'Client addresses or prefixes the SNAT applies to (stored only)',
      effect: storedOnly,
    },
    snatpool: { type: t.ref('ltm snatpool'), default: 'none', help: 'SNAT pool to translate to (stored only)', effect: storedOnly },
    'source-port': { type: t.enumOf('preserve', 'preserve-strict', 'change'), default: 'preserve', help: 'Source port handling (stored only)', effect: storedOnly },
    translation: { type: t.ref('ltm snat-translation'), default: 'none', help: 'SNAT translation to translate to (stored only)', effect: storedOnly },
    vlans: { type: t.list(), help: 'VLANs the SNAT applies on (stored only)', effect: storedOnly },
    'vlans-enabled': { type: t.flag('vlans-enabled', 'vlans-disabled'), default: 'vlans-disabled', help: 'Whether vlans lists where it applies or where not (stored only)', effect: storedOnly },
  },
};
