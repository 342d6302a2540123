/**
 * What the primary and its workers say to each other over the IPC channel (child_process
 * `fork`, JSON serialization). Everything is plain data; a listening socket travels once per
 * worker as a message's handle, and workers accept on it themselves.
 */
import type { MemberStats, VirtualStats } from '@openltm/model';
import type { ClientSslSpec, PoolSpec, VirtualSpec } from '../desired-state';
import type { Refusal } from '../listener/admission';
import type { CheckState } from '../monitor/monitor-scheduler';
import type { PersistAnswer, PersistRequest } from './persist-channel';

/** One monitor's check on one member address:port, as the worker's HealthLookup reads it. */
export type HealthEntry = [monitor: string, address: string, port: number, state: CheckState];

export type PrimaryMessage =
  /**
   * What changed in the desired state since the last message (or, with `full`, all of it):
   * virtuals and pools replaced or removed by name, member connection limits already divided
   * for this worker (limit-shares.ts). Client-ssl specs travel once per message, by profile name, not once
   * per virtual.
   */
  | { type: 'state'; full: boolean; generation: number; virtuals: WireVirtual[]; removedVirtuals: string[]; pools: PoolSpec[]; removedPools: string[]; clientSsl: Record<string, ClientSslSpec> }
  /** TLS session ticket keys (48 bytes, base64), the same in every worker; sent again on rotation. */
  | { type: 'ticket-keys'; keys: string }
  /** The whole health table; replaces the previous one. */
  | { type: 'health'; checks: HealthEntry[] }
  /** A listening socket (the message's handle, `key` = `address|port`): accept on it, then say `socket-open`. */
  | { type: 'socket'; key: string }
  /** Stop accepting on a socket (it is closing), then say `socket-closed`. */
  | { type: 'socket-close'; key: string }
  /** The daemon's per-source limit: with it (or a virtual's own limits) a connection is admitted here (admit-asks.ts). */
  | { type: 'admission'; sourceLimit: number }
  /**
   * Answers to `admit` asks: an admission id (the worker reports it in an `ended` message when the
   * client's socket closes), a refusal (counted here; the worker turns the connection away), or
   * `gone` (the virtual no longer runs: reset).
   */
  | { type: 'admitted'; answers: Array<[ask: number, answer: number | Refusal | 'gone']> }
  /** Stop: drain every listener (sessions may finish for `drainTimeoutMs`), report, exit. */
  | { type: 'stop'; drainTimeoutMs: number }
  | PersistAnswer;

export type WorkerMessage =
  /** The worker has its IPC handlers installed and may be sent state and connections. */
  | { type: 'ready' }
  /**
   * Counters since the worker started, for the virtuals and members whose counters changed since
   * its last report; `unmatched`: connections it reset because no serving virtual matched, by port.
   */
  | { type: 'stats'; virtuals: Record<string, VirtualStats>; members: Record<string, MemberStats>; sessions: number; unmatched: Record<string, number> }
  /** A `socket` message done: the worker accepts on it (or could not: `error`, an errno name). */
  | { type: 'socket-open'; key: string; error?: string }
  /** A `socket-close` message done: the worker no longer accepts on that socket. */
  | { type: 'socket-closed'; key: string }
  /** Connections accepted for virtuals whose limits the primary counts: [ask, virtual, client address, local address]. */
  | { type: 'admit'; asks: Array<[ask: number, virtual: string, remote: string | undefined, local: string | undefined]> }
  /**
   * Client connections (ids of `admitted` answers) whose socket closed. Sent before any
   * `stats` message that counts them closed, so the primary's admission is never behind.
   */
  | { type: 'ended'; ids: number[] }
  /** Drained; the worker exits next. */
  | { type: 'stopped' }
  | PersistRequest;

/** A virtual on the wire: its client-ssl spec named, not repeated. */
export type WireVirtual = Omit<VirtualSpec, 'clientSsl'> & { clientSsl?: string };

/** `pool member` key of the members map. */
export const memberKey = (pool: string, member: string): string => `${pool} ${member}`;
