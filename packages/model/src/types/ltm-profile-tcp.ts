import { enforced, metadata, storedOnly, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';
import type { PropertyTable, ValueType } from '../value-types';

/**
 * TCP tuning BIG-IP's /Common/tcp carries (defaults from its profile_base.conf). openltm's
 * connections use the host's TCP stack, which these do not reach: each is stored only.
 */
const KNOBS: ReadonlyArray<[string, ValueType, string, string]> = [
  ['abc', t.onOff(), 'enabled', 'Appropriate byte counting'],
  ['ack-on-push', t.onOff(), 'enabled', 'Acknowledge segments with PSH at once'],
  ['auto-proxy-buffer-size', t.onOff(), 'disabled', 'Size the proxy buffer automatically'],
  ['auto-receive-window-size', t.onOff(), 'disabled', 'Size the receive window automatically'],
  ['auto-send-buffer-size', t.onOff(), 'disabled', 'Size the send buffer automatically'],
  ['cmetrics-cache', t.onOff(), 'enabled', 'Cache congestion metrics per peer'],
  ['cmetrics-cache-timeout', t.int(0), '0', 'Seconds congestion metrics are cached'],
  ['congestion-control', t.enumOf('bbr', 'cdg', 'chd', 'cubic', 'high-speed', 'illinois', 'new-reno', 'none', 'reno', 'scalable', 'vegas', 'westwood', 'woodside'), 'high-speed', 'Congestion control algorithm'],
  ['deferred-accept', t.onOff(), 'disabled', 'Accept only once data arrives'],
  ['delay-window-control', t.onOff(), 'disabled', 'Delay-based window control'],
  ['delayed-acks', t.onOff(), 'enabled', 'Delayed acknowledgements'],
  ['dsack', t.onOff(), 'disabled', 'Duplicate selective acknowledgements'],
  ['early-retransmit', t.onOff(), 'enabled', 'Early retransmit (RFC 5827)'],
  ['ecn', t.onOff(), 'enabled', 'Explicit congestion notification'],
  ['enhanced-loss-recovery', t.onOff(), 'enabled', 'Enhanced loss recovery'],
  ['fast-open', t.onOff(), 'enabled', 'TCP Fast Open'],
  ['fast-open-cookie-expiration', t.int(0), '21600', 'Seconds a Fast Open cookie is valid'],
  ['fin-wait-2-timeout', t.int(0, 4294967295, ['indefinite']), '300', 'Seconds in FIN-WAIT-2'],
  ['init-cwnd', t.int(0, 64), '10', 'Initial congestion window, in segments'],
  ['init-rwnd', t.int(0, 64), '10', 'Initial receive window, in segments'],
  ['ip-tos-to-client', t.int(0, 255, ['pass-through', 'mimic']), '0', 'IP ToS of packets to the peer'],
  ['limited-transmit', t.onOff(), 'enabled', 'Limited transmit (RFC 3042)'],
  ['link-qos-to-client', t.int(0, 7, ['pass-through']), '0', 'Link QoS of packets to the peer'],
  ['max-retrans', t.int(0, 12), '8', 'Retransmissions before the connection is reset'],
  ['max-segment-size', t.int(0, 9162), '1460', 'Largest segment advertised'],
  ['md5-signature', t.onOff(), 'disabled', 'TCP MD5 signatures (RFC 2385)'],
  ['minimum-rto', t.int(0, 5000), '1000', 'Minimum retransmission timeout, in milliseconds'],
  ['mptcp', t.enumOf('enabled', 'disabled', 'passthrough'), 'disabled', 'Multipath TCP'],
  ['pkt-loss-ignore-burst', t.int(0, 32), '0', 'Lost packets in a burst ignored for congestion control'],
  ['pkt-loss-ignore-rate', t.int(0, 1000000), '0', 'Loss rate ignored for congestion control'],
  ['proxy-mss', t.onOff(), 'enabled', 'Advertise the peer\'s MSS to the other side'],
  ['proxy-options', t.onOff(), 'disabled', 'Advertise the peer\'s TCP options to the other side'],
  ['push-flag', t.enumOf('default', 'none', 'one', 'auto'), 'default', 'When PSH is set'],
  ['rate-pace', t.onOff(), 'enabled', 'Pace transmissions'],
  ['rate-pace-max-rate', t.int(0), '0', 'Most bytes per second when pacing'],
  ['receive-window-size', t.int(0, 1073741824), '65535', 'Receive window, in bytes'],
  ['rexmt-thresh', t.int(3, 255), '3', 'Duplicate acknowledgements before fast retransmit'],
  ['selective-acks', t.onOff(), 'enabled', 'Selective acknowledgements'],
  ['selective-nack', t.onOff(), 'disabled', 'Selective negative acknowledgements'],
  ['send-buffer-size', t.int(0, 1073741824), '131072', 'Send buffer, in bytes'],
  ['slow-start', t.onOff(), 'enabled', 'Slow start'],
  ['syn-cookie-enable', t.onOff(), 'enabled', 'SYN cookies under SYN floods'],
  ['syn-cookie-whitelist', t.onOff(), 'disabled', 'SYN cookie whitelist'],
  ['syn-max-retrans', t.int(0, 12), '3', 'SYN retransmissions'],
  ['syn-rto-base', t.int(0, 5000), '3000', 'Initial SYN retransmission timeout, in milliseconds'],
  ['tail-loss-probe', t.onOff(), 'enabled', 'Tail loss probe'],
  ['time-wait-recycle', t.onOff(), 'enabled', 'Recycle connections in TIME-WAIT'],
  ['timestamps', t.onOff(), 'enabled', 'TCP timestamps'],
  ['verified-accept', t.onOff(), 'disabled', 'Accept only once the member accepts'],
  ['zero-window-timeout', t.int(0, 4294967295), '20000', 'Milliseconds a zero window may last'],
];

const knobs: PropertyTable = Object.fromEntries(
  KNOBS.map(([name, type, dflt, help]) => [name, { type, default: dflt, help: `${help} (stored only: the host's TCP stack decides)`, effect: storedOnly }]),
);

export const ltmProfileTcp: ObjectTypeDef = {
  key: 'ltm profile tcp',
  kindName: 'TCP Profile',
  help: 'TCP behaviour of a full-proxy virtual server; its idle-timeout bounds idle SMTP sessions.',
  inheritable: true,
  profile: { context: 'all' },
  builtins: [{ name: '/Common/tcp', properties: {} }],
  properties: {
    'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', alwaysList: true, notInherited: true, effect: metadata },
    description: { type: t.string(), help: 'User-defined description', notInherited: true, effect: metadata },
    'idle-timeout': { type: t.int(0, 4294967295, ['indefinite']), default: '300', help: 'Seconds a connection may sit idle before it is closed', effect: enforced('test/e2e-settings.test.ts') },
    nagle: { type: t.enumOf('enabled', 'disabled', 'auto'), default: 'disabled', help: "Nagle's algorithm", effect: storedOnly },
    'keep-alive-interval': { type: t.int(0, 4294967295), default: '1800', help: 'Seconds between TCP keep-alives', effect: storedOnly },
    'close-wait-timeout': { type: t.int(0, 4294967295), default: '5', help: 'Seconds in CLOSE-WAIT', effect: storedOnly },
    'fin-wait-timeout': { type: t.int(0, 4294967295), default: '5', help: 'Seconds in FIN-WAIT', effect: storedOnly },
    'time-wait-timeout': { type: t.int(0, 600000), default: '2000', help: 'Milliseconds in TIME-WAIT', effect: storedOnly },
    'proxy-buffer-high': { type: t.int(64, 1073741824), default: '65535', help: 'Bytes buffered before reading from the peer pauses', effect: storedOnly },
    'proxy-buffer-low': { type: t.int(64, 1073741824), default: '32768', help: 'Bytes buffered before reading resumes', effect: storedOnly },
    'reset-on-timeout': { type: t.onOff(), default: 'enabled', help: 'Send RST when the idle timeout expires', effect: storedOnly },
    ...knobs,
  },
};
