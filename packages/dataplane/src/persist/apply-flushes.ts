/** The table owner's side of `delete ltm persistence persist-records`: apply a snapshot's requests, and say what they did. */
import type { Logger } from 'pino';
import type { DesiredState } from '../desired-state';
import type { PersistTable } from './persist-table';

export function applyPersistFlushes(table: PersistTable, desired: DesiredState, logger: Logger): void {
  const r = table.applyFlushes(desired.persistFlushes ?? []);
  if (r.applied > 0) logger.info({ requests: r.applied, removed: r.removed }, 'persistence records deleted (delete ltm persistence persist-records)');
  // Only when the store pruned requests this daemon never read (it was cut off from the store for long).
  if (r.missed > 0) logger.warn({ missed: r.missed }, 'persist-records delete requests were pruned before this daemon read them; their records stay until they expire');
}
