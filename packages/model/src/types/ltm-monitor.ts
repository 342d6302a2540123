import { enforced, metadata, storedOnly, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';
import type { PropertyTable } from '../value-types';

// BIG-IP writes destination, interval, time-until-up and timeout of every monitor (tmsh.md 7.2).
const common: PropertyTable = {
  'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', notInherited: true, effect: metadata },
  description: { type: t.string(), help: 'User-defined description', notInherited: true, effect: metadata },
  destination: { type: t.string(), default: '*:*', help: 'Address:port probed; *:* uses the member\'s', alwaysList: true, effect: enforced('test/e2e-settings.test.ts') },
  interval: { type: t.int(1, 86400), default: '5', help: 'Seconds between probes', alwaysList: true, effect: enforced('test/e2e-seed-scenario.test.ts') },
  timeout: { type: t.int(1, 86400), default: '16', help: 'Seconds without a successful probe before the member is marked down', alwaysList: true, effect: enforced('test/e2e-seed-scenario.test.ts') },
  'time-until-up': { type: t.int(0, 86400), default: '0', help: 'Seconds of success before a member is marked up', alwaysList: true, effect: storedOnly },
  'up-interval': { type: t.int(0, 86400), default: '0', help: 'Probe interval while up (0 = use interval)', effect: storedOnly },
  'manual-resume': { type: t.onOff(), default: 'disabled', help: 'Keep a recovered member down until enabled by hand', effect: storedOnly },
};

export const ltmMonitorSmtp: ObjectTypeDef = {
  key: 'ltm monitor smtp',
  kindName: 'Monitor',
  help: 'SMTP health check: connect, expect 220, HELO <domain>, expect 250, QUIT.',
  inheritable: true,
  builtins: [{ name: '/Common/smtp', properties: {} }],
  properties: {
    ...common,
    domain: { type: t.string(), default: 'none', help: 'Domain sent in HELO', effect: enforced('test/e2e-settings.test.ts') },
    debug: { type: t.enumOf('yes', 'no'), default: 'no', help: 'Log probe transcripts', effect: storedOnly },
  },
};

export const ltmMonitorTcp: ObjectTypeDef = {
  key: 'ltm monitor tcp',
  kindName: 'Monitor',
  help: 'TCP health check: connect (and optionally send/recv).',
  inheritable: true,
  builtins: [{ name: '/Common/tcp', properties: {} }],
  properties: {
    ...common,
    send: { type: t.string(), default: 'none', help: 'String sent after connecting', effect: enforced('test/e2e-settings.test.ts') },
    recv: { type: t.string(), default: 'none', help: 'Substring expected in the reply', effect: enforced('test/e2e-settings.test.ts') },
    reverse: { type: t.onOff(), default: 'disabled', help: 'Mark down when recv matches', effect: storedOnly },
    transparent: { type: t.onOff(), default: 'disabled', help: 'Probe through the destination', effect: storedOnly },
  },
};
