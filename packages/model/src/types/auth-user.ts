import { enforced, metadata, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';

const API_TEST = 'packages/cli/test/api-auth.test.ts';
const STORE_TEST = 'packages/store/test/auth-user.test.ts';

/**
 * A user of the iControl REST API. The password is hashed (scrypt) as it is applied and never
 * stored in clear; `encrypted-password` is what `list` and `save` show, and what a load restores.
 */
export const authUser: ObjectTypeDef = {
  key: 'auth user',
  kindName: 'User',
  help: 'A user of the iControl REST API (HTTP Basic and token login); the password is kept only as an scrypt hash.',
  sensitive: true,
  properties: {
    description: { type: t.string(), help: 'User-defined description', effect: metadata },
    password: {
      type: t.string(),
      help: 'The password; hashed with scrypt on the spot, never stored or listed in clear',
      secret: true,
      effect: enforced(API_TEST, STORE_TEST),
    },
    'encrypted-password': {
      type: t.string(),
      help: 'The scrypt hash of the password ($scrypt$...), as save writes it',
      effect: enforced(API_TEST, STORE_TEST),
    },
    role: {
      type: t.enumOf('admin', 'guest'),
      default: 'admin',
      help: 'admin: read and change the configuration over the API; guest: read only',
      effect: enforced(API_TEST, STORE_TEST),
    },
  },
};
