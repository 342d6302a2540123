import { enforced, metadata, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';

export const SNAT_TESTS = ['test/e2e-snat.test.ts', 'packages/dataplane/test/session/snat.test.ts'] as const;

export const ltmSnatpool: ObjectTypeDef = {
  key: 'ltm snatpool',
  kindName: 'SNAT Pool',
  help: 'Addresses member connections leave from (a virtual\'s source-address-translation { type snat pool NAME }), used round-robin.',
  properties: {
    members: {
      type: t.list({ kind: 'reference', to: ['ltm snat-translation'] }),
      required: true,
      help: 'SNAT translations (by name; an address creates its translation) member connections leave from, used in turn; each must be an address of this host',
      effect: enforced('test/e2e-snat.test.ts'),
    },
    'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', notInherited: true, effect: metadata },
    description: { type: t.string(), help: 'User-defined description', notInherited: true, effect: metadata },
  },
};
