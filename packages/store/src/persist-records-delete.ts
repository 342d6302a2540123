/**
 * `delete ltm persistence persist-records [client-addr A] [node-addr A] [node-port N] [pool P]
 * [virtual V] [mode M]`: as on BIG-IP, the matching records (every record without a filter) are
 * removed and the command prints nothing. The store does not reach the daemon: the command keeps
 * a request (persist-flushes.ts) that the daemon's next desired state carries, and the daemon
 * removes the matching records that existed when it was given. Without a running daemon there is
 * nothing to remove; the request is kept as usual and a daemon started later ignores it.
 */
import type { PersistRecordFilters } from '@openltm/model';
import type { ExecContext } from './executor';
import type { ExecuteResult } from './session';

export function deletePersistRecords(ctx: ExecContext, filters: PersistRecordFilters, now = Date.now()): ExecuteResult {
  ctx.status.addPersistFlush(filters, now);
  return { output: '', changed: true };
}
