import { enforced, metadata, storedOnly, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';

export const ltmProfileSmtps: ObjectTypeDef = {
  key: 'ltm profile smtps',
  kindName: 'SMTPS Profile',
  help: 'STARTTLS on the client side of an SMTP virtual server: offer it, require it, or refuse it.',
  inheritable: true,
  profile: { context: 'all' },
  builtins: [{ name: '/Common/smtps', properties: { 'activation-mode': 'require' } }],
  properties: {
    'activation-mode': {
      type: t.enumOf('none', 'allow', 'require'),
      default: 'require',
      help: 'STARTTLS activation: none (never offered; the GUI\'s "Disallow"), allow (optional), require (mandatory before mail)',
      effect: enforced('packages/dataplane/test/session/require.test.ts', 'test/e2e-clients.test.ts'),
    },
    'allow-plaintext-auth': {
      type: t.enumOf('enabled', 'disabled'),
      default: 'disabled',
      help:
        'openltm extension (not in BIG-IP): in allow mode, advertise and relay AUTH before STARTTLS. ' +
        'disabled (default): AUTH is hidden before TLS and answered 538 5.7.11, so passwords never cross in cleartext',
      effect: enforced('packages/dataplane/test/session/auth-before-tls.test.ts', 'test/e2e-plaintext-auth.test.ts'),
      warnWhen: {
        values: ['enabled'],
        message: 'allow-plaintext-auth enabled: in allow mode, clients may send passwords in cleartext before STARTTLS',
      },
    },
    'client-identity': {
      type: t.enumOf('none', 'xclient', 'proxy-v1', 'proxy-v2'),
      default: 'none',
      help:
        'openltm extension: how the client\'s address reaches pool members. none: members see the proxy; ' +
        'xclient: after the member\'s greeting, the proxy\'s EHLO and XCLIENT ADDR PORT NAME (Postfix: smtpd_authorized_xclient_hosts), the member\'s new 220 is the client\'s greeting; ' +
        'proxy-v1, proxy-v2: each member connection opens with a PROXY protocol header (HAProxy\'s; Postfix: smtpd_upstream_proxy_protocol = haproxy). ' +
        'A member that does not expect the header will not understand the session',
      effect: enforced('packages/dataplane/test/session/proxy-header.test.ts', 'packages/dataplane/test/session/xclient.test.ts', 'test/e2e-client-identity.test.ts'),
    },
    'xclient-fallback': {
      type: t.enumOf('next-member', 'relay'),
      default: 'next-member',
      help:
        'openltm extension: with client-identity xclient, a member that does not advertise XCLIENT (with ADDR and PORT) or refuses it: ' +
        'next-member (default) tries another member, and with none left the client gets 421; relay uses that member without the client identity. ' +
        'Either way the session log says so and show ltm virtual counts it (XCLIENT Not Taken)',
      effect: enforced('packages/dataplane/test/session/xclient.test.ts', 'test/e2e-client-identity.test.ts'),
    },
    'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', alwaysList: true, notInherited: true, effect: metadata },
    description: { type: t.string(), help: 'User-defined description', notInherited: true, effect: metadata },
  },
};
