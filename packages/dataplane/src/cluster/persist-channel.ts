/**
 * Persistence across workers: the primary owns the one record table (persist/persist-table.ts);
 * a session on any worker asks it for its client's member and tells it which member it used.
 * Sessions from one client address may land on any worker (the primary deals connections
 * round-robin), so a per-worker table would send a client to as many members as there are
 * workers. The lookup is one IPC round trip per new session, before its member connection opens.
 */
import type { PersistEntry, PersistTable } from '../persist/persist-table';
import type { PersistenceService } from '../persist/persistence';

/** Worker to primary. */
export type PersistRequest =
  | { type: 'persist-lookup'; id: number; key: string }
  | { type: 'persist-record'; entry: PersistEntry };

/** Primary to worker: the answer to one lookup (no member: no live record). */
export type PersistAnswer = { type: 'persist-answer'; id: number; member?: string };

/**
 * A lookup the primary does not answer in this long is a miss: the mode chooses, and the choice
 * replaces the record. Generous on purpose: a miss can send the client to another member, while a
 * primary that is gone ends every wait at once (abandon()); only a primary starved of CPU is waited for.
 */
export const PERSIST_LOOKUP_TIMEOUT_MS = 10_000;

/** The worker's end: a PersistenceService whose table is in the primary. */
export class RemotePersistence implements PersistenceService {
  private next = 0;
  private readonly pending = new Map<number, (member: string | undefined) => void>();

  constructor(
    private readonly send: (message: PersistRequest, callback: (err: Error | null) => void) => void,
    private readonly connected: () => boolean,
    private readonly timeoutMs = PERSIST_LOOKUP_TIMEOUT_MS,
    /** Told of each lookup that timed out (the worker logs it). */
    private readonly onTimeout: () => void = () => undefined,
  ) {}

  lookup(key: string): Promise<string | undefined> {
    if (!this.connected()) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const id = ++this.next;
      const timer = setTimeout(() => {
        this.onTimeout();
        done(undefined);
      }, this.timeoutMs);
      const done = (member: string | undefined) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        resolve(member);
      };
      this.pending.set(id, done);
      try {
        this.send({ type: 'persist-lookup', id, key }, (err) => err && done(undefined));
      } catch {
        done(undefined);
      }
    });
  }

  record(entry: PersistEntry): void {
    if (!this.connected()) return;
    try {
      this.send({ type: 'persist-record', entry }, () => undefined);
    } catch {
      // The primary is gone; the record would have died with it.
    }
  }

  /** The primary is gone: lookups waiting for it are misses now. */
  abandon(): void {
    for (const done of [...this.pending.values()]) done(undefined);
  }

  /** The primary answered a lookup. */
  answer(message: PersistAnswer): void {
    this.pending.get(message.id)?.(message.member);
  }
}

/** The primary's end: answers lookups from and takes records of every worker. */
export function servePersistence(table: PersistTable, message: PersistRequest, reply: (answer: PersistAnswer) => void): void {
  if (message.type === 'persist-record') return table.record(message.entry);
  const member = table.lookup(message.key);
  reply(member === undefined ? { type: 'persist-answer', id: message.id } : { type: 'persist-answer', id: message.id, member });
}
