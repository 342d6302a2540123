import { enforced, metadata, storedOnly, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';

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
  },
};
