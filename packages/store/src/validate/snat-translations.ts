/**
 * SNAT pools and their translations, as BIG-IP ties them: a pool member names an
 * `ltm snat-translation`; one named by an address that does not exist yet is created with that
 * address, so `members { 10.0.0.7 }` works as it does on BIG-IP.
 */
import { errors } from '@openltm/model';
import type { ObjectRecord } from '../object-repository';
import { checkNewName } from '../names';
import type { RuleContext } from './rules';
import { canonicalAddress } from './scalar';

export const SNAT_TRANSLATION = 'ltm snat-translation';

/** Before references link: each member without its translation creates it from its name. */
export function snatpoolMembersHaveTranslations(rec: ObjectRecord, ctx: RuleContext): void {
  const stored = Array.isArray(rec.props.members) ? rec.props.members : [];
  // A store written before members named translations holds bare addresses: name them now.
  const members = stored.map((m) => (m.startsWith('/') ? m : `/Common/${m}`));
  if (members.some((m, i) => m !== stored[i])) ctx.write(rec, { ...rec.props, members });
  for (const path of members) {
    if (ctx.repo.get(SNAT_TRANSLATION, path)) continue;
    const address = canonicalAddress(path.slice(path.lastIndexOf('/') + 1));
    if (!address) throw errors.notFound('SNAT Translation', path, ctx.position);
    const holder = ctx.repo.sameKey(SNAT_TRANSLATION, address, -1)[0];
    if (holder) {
      throw errors.configError(`SNAT Pool (${rec.path}) member ${path} would create a SNAT translation for ${address}, but SNAT Translation (${holder}) already has that address: name it instead.`, ctx.position);
    }
    checkNewName('SNAT Translation', path, ctx.repo, ctx.position);
    ctx.repo.insert(SNAT_TRANSLATION, path, { address }, false, address);
  }
}
