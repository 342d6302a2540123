/**
 * Member connection limits across workers. Each worker counts only its own member connections,
 * so a limit of L on a pool member is divided among the N workers, as BIG-IP divides connection
 * limits among its TMM instances in CMP: worker i may hold floor(L/N) sessions, plus one when
 * i < L mod N. The sum is exactly L, so the limit is never exceeded; the price is that a worker
 * whose share is full skips the member while another worker still has room. (Virtual limits
 * are not divided: the primary counts those exactly, see primary-admission.ts.)
 */
/** Worker `index`'s share of a limit (0 = unlimited stays unlimited). */
export function limitShare(limit: number, index: number, workers: number): number {
  if (limit <= 0 || workers <= 1) return limit;
  const share = Math.floor(limit / workers) + (index < limit % workers ? 1 : 0);
  // A share of 0 would read as "unlimited"; -1 means "no session at all" (see underShare).
  return share === 0 ? -1 : share;
}
