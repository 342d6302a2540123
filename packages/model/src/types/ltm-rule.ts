import { storedOnly, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';

/**
 * An iRule: Tcl kept verbatim (`ltm rule NAME { when CLIENT_ACCEPTED { ... } }`) so a real
 * configuration loads and saves back unchanged. openltm does not execute iRules: the text is
 * stored only, and a virtual's `rules` list says so.
 */
export const ltmRule: ObjectTypeDef = {
  key: 'ltm rule',
  kindName: 'rule',
  help: 'An iRule: its Tcl text, kept verbatim; openltm does not execute iRules (stored only).',
  verbatimBody: 'definition',
  properties: {
    definition: { type: t.string(), help: 'The Tcl text between the braces, exactly as written', effect: storedOnly },
  },
};
