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
    adaptive: {
      type: t.onOff(),
      default: 'disabled',
      help: 'Mark members down whose probe latency drifts from their mean (not supported: only disabled is accepted)',
      effect: enforced('packages/store/test/monitor-types.test.ts'),
    },
    'ip-dscp': { type: t.int(0, 63), default: '0', help: 'DSCP value of probe packets (stored only: probes are sent with 0)', effect: storedOnly },
    'recv-disable': {
      type: t.string(),
      default: 'none',
      help: 'Reply that takes the member out of service (not supported on tcp monitors: only none is accepted; http monitors have it)',
      effect: enforced('packages/store/test/monitor-types.test.ts'),
    },
  },
};

const HTTP_TEST = 'test/e2e-http-monitor.test.ts';
const PROBE_TEST = 'packages/dataplane/test/monitor/http-probe.integration.test.ts';

/** Properties of the send/receive monitors (http, https) beyond the common ones. */
const sendRecv = (defaultSend: string): PropertyTable => ({
  send: { type: t.string(), default: defaultSend, help: 'Request sent after connecting (\\r\\n escapes)', alwaysList: true, effect: enforced(HTTP_TEST, PROBE_TEST) },
  recv: {
    type: t.string(),
    default: 'none',
    help: 'Regular expression the response must match for the member to be up (none: any response)',
    alwaysList: true,
    effect: enforced(HTTP_TEST, PROBE_TEST),
  },
  'recv-disable': {
    type: t.string(),
    default: 'none',
    help: 'Regular expression that, when the response matches it and not recv, takes the member out of service (shown down: openltm has no monitor-disabled state)',
    alwaysList: true,
    effect: enforced(PROBE_TEST),
  },
  reverse: {
    type: t.onOff(),
    default: 'disabled',
    help: 'A response matching recv marks the member down at once; one that does not match marks it up; needs recv',
    effect: enforced(PROBE_TEST),
  },
  transparent: {
    type: t.onOff(),
    default: 'disabled',
    help: 'Probe the destination through the member (not supported: only disabled is accepted)',
    effect: enforced('packages/store/test/monitor-types.test.ts'),
  },
  adaptive: {
    type: t.onOff(),
    default: 'disabled',
    help: 'Mark members down whose probe latency drifts from their mean (not supported: only disabled is accepted)',
    alwaysList: true,
    effect: enforced('packages/store/test/monitor-types.test.ts'),
  },
  // Node cannot set IP_TOS on a TCP socket; the probes leave with DSCP 0.
  'ip-dscp': { type: t.int(0, 63), default: '0', help: 'DSCP value of probe packets (stored only: probes are sent with 0)', alwaysList: true, effect: storedOnly },
  username: { type: t.string(), default: 'none', help: 'User name for HTTP basic authentication (stored only: no Authorization header is sent)', effect: storedOnly },
});

export const ltmMonitorHttp: ObjectTypeDef = {
  key: 'ltm monitor http',
  kindName: 'Monitor',
  help: 'HTTP health check: connect, send the request, match the response against recv (regular expression).',
  inheritable: true,
  // BIG-IP's built-in sends `GET /\r\n` (HTTP/0.9), which many current servers refuse; openltm's asks HTTP/1.0.
  builtins: [{ name: '/Common/http', properties: {} }],
  properties: { ...common, ...sendRecv('"GET / HTTP/1.0\\r\\n\\r\\n"') },
};

export const ltmMonitorHttps: ObjectTypeDef = {
  key: 'ltm monitor https',
  kindName: 'Monitor',
  help: 'HTTPS health check: a TLS connection (the member certificate is not verified, as on BIG-IP), then as http.',
  inheritable: true,
  builtins: [{ name: '/Common/https', properties: {} }],
  properties: {
    ...common,
    ...sendRecv('"GET / HTTP/1.0\\r\\n\\r\\n"'),
    cipherlist: { type: t.string(), default: 'DEFAULT', help: 'OpenSSL cipher string offered to the member', effect: enforced(PROBE_TEST) },
    compatibility: { type: t.onOff(), default: 'enabled', help: 'OpenSSL bug workarounds (stored only: node applies its own defaults)', effect: storedOnly },
    'ssl-profile': { type: t.ref('ltm profile server-ssl'), default: 'none', help: 'Server SSL profile whose settings the probe uses (stored only: cipherlist is used)', effect: storedOnly },
    cert: { type: t.ref('sys file ssl-cert'), default: 'none', help: 'Client certificate for the probe (stored only: none is sent)', effect: storedOnly },
    key: { type: t.ref('sys file ssl-key'), default: 'none', help: 'Key of the client certificate (stored only)', effect: storedOnly },
  },
};

export const ltmMonitorTcpHalfOpen: ObjectTypeDef = {
  key: 'ltm monitor tcp-half-open',
  kindName: 'Monitor',
  help:
    'TCP reachability check. Without raw sockets openltm cannot stop after the SYN-ACK: it completes the connection and resets it at once (RST, no data), so the member\'s service may see a reset connection.',
  inheritable: true,
  builtins: [{ name: '/Common/tcp_half_open', properties: {} }],
  properties: {
    ...common,
    transparent: {
      type: t.onOff(),
      default: 'disabled',
      help: 'Probe the destination through the member (not supported: only disabled is accepted)',
      effect: enforced('packages/store/test/monitor-types.test.ts'),
    },
  },
};

/** ICMP echo needs a raw socket (or the ping binary), which openltm does not use. */
const icmpHelp = 'stored only: openltm sends no ICMP (no raw sockets); a pool rule naming this monitor is evaluated as if it passed, with a warning';

export const ltmMonitorIcmp: ObjectTypeDef = {
  key: 'ltm monitor icmp',
  kindName: 'Monitor',
  help: `ICMP echo check of the member address (${icmpHelp}).`,
  inheritable: true,
  builtins: [{ name: '/Common/icmp', properties: {} }],
  properties: {
    ...storedOnlyTable(common),
    transparent: { type: t.onOff(), default: 'disabled', help: 'Ping through the member', effect: storedOnly },
  },
};

export const ltmMonitorGatewayIcmp: ObjectTypeDef = {
  key: 'ltm monitor gateway-icmp',
  kindName: 'Monitor',
  help: `ICMP echo check of a gateway (${icmpHelp}).`,
  inheritable: true,
  builtins: [{ name: '/Common/gateway_icmp', properties: {} }],
  properties: {
    ...storedOnlyTable(common),
    transparent: { type: t.onOff(), default: 'disabled', help: 'Ping through the member', effect: storedOnly },
  },
};

/** The same properties, none of which has an effect (a monitor that never runs). */
function storedOnlyTable(table: PropertyTable): PropertyTable {
  return Object.fromEntries(Object.entries(table).map(([k, d]) => [k, d.effect.kind === 'metadata' ? d : { ...d, effect: storedOnly }]));
}

/** Monitor types openltm accepts but does not run (their rule entries count as passing). */
export const STORED_ONLY_MONITOR_TYPES = ['ltm monitor icmp', 'ltm monitor gateway-icmp'] as const;
