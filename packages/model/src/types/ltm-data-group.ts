import { metadata, storedOnly, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';

/**
 * Data groups are lookup tables for iRules. openltm keeps iRules without running them, so a data
 * group has no effect on traffic: it is validated (records of its type), listed and saved.
 */
export const ltmDataGroupInternal: ObjectTypeDef = {
  key: 'ltm data-group internal',
  // mcpd's name for it: `The requested value list (/Common/dg) already exists in partition Common.`
  kindName: 'value list',
  help: 'A lookup table of records (string, ip or integer keys, optional data) for iRules; stored only: openltm does not run iRules.',
  properties: {
    'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', effect: metadata },
    description: { type: t.string(), help: 'User-defined description', effect: metadata },
    records: {
      type: {
        kind: 'collection',
        key: { kind: 'name' },
        entry: { data: { type: t.string(), help: 'The value the record maps its key to', effect: storedOnly } },
      },
      help: 'Records: KEY { data VALUE } or KEY { }; keys of type ip are addresses or address/prefix, of type integer whole numbers',
      effect: storedOnly,
    },
    type: { type: t.enumOf('string', 'ip', 'integer'), help: 'What the record keys are', required: true, immutable: true, effect: storedOnly },
  },
};
