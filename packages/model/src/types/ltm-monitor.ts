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
  'time-until-up': {
    type: t.int(0, 86400),
    default: '0',
    help: 'Seconds probes must keep succeeding, from the first success, before a down member is marked up',
    alwaysList: true,
    effect: enforced('packages/dataplane/test/monitor/monitor-modes.integration.test.ts'),
  },
  'up-interval': {
    type: t.int(0, 86400),
    default: '0',
    help: 'Seconds between probes while the member is up; a probe that fails returns to interval (0 = use interval)',
    effect: enforced('packages/dataplane/test/monitor/monitor-modes.integration.test.ts'),
  },
  'manual-resume': {
    type: t.onOff(),
    default: 'disabled',
    help: 'A member this monitor marks down stays down (down-manual-resume) when its probes pass again, until enabled: members modify { m { session user-enabled state user-up } }',
    effect: enforced('packages/dataplane/test/monitor/monitor-modes.integration.test.ts', 'test/e2e-manual-resume.test.ts'),
  },
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
    reverse: {
      type: t.onOff(),
      default: 'disabled',
      help: 'A reply matching recv marks the member down at once; one that does not match (judged at its first line end) marks it up; needs send and recv',
      effect: enforced('packages/dataplane/test/monitor/monitor-modes.integration.test.ts'),
    },
    transparent: {
      type: t.onOff(),
      default: 'disabled',
      help: 'Probe the destination through the member (not supported: only disabled is accepted; the destination is probed directly)',
      effect: enforced('packages/dataplane/test/monitor/monitor-modes.integration.test.ts'),
    },
  },
};
