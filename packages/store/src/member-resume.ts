/**
 * Manual resume (`manual-resume enabled` on a monitor): a member that monitor marked down stays
 * down until an administrator enables it again, as on BIG-IP:
 *   modify ltm pool p members modify { 10.0.0.11:25 { session user-enabled state user-up } }
 * Those are usually its values already, so the configuration may not change: the store records
 * each such command as a resume token per member, and the data plane releases a held member
 * when its token moves.
 */
import type { Property } from '@openltm/parser';
import { canonicalMember } from './apply-properties';

const ENABLING: Readonly<Record<string, readonly string[]>> = {
  session: ['user-enabled', 'monitor-enabled'],
  state: ['user-up', 'up'],
};

/** The members (canonical keys) a `modify ltm pool` statement enables. */
export function enabledMembers(properties: readonly Property[], folder: string): string[] {
  const out: string[] = [];
  for (const p of properties) {
    if (p.kind !== 'property' || p.name !== 'members' || p.value.kind !== 'collection') continue;
    if (p.value.op !== 'modify') continue;
    for (const e of p.value.entries) {
      const enables = e.properties.some((q) => q.kind === 'property' && q.value.kind === 'scalar' && ENABLING[q.name]?.includes(q.value.text));
      if (enables) out.push(canonicalMember(e.name, { folder, position: e.pos }));
    }
  }
  return out;
}
