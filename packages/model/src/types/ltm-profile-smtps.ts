import { t } from '../value-types';
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
    },
    'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', alwaysList: true, notInherited: true },
    description: { type: t.string(), help: 'User-defined description', notInherited: true },
  },
};
