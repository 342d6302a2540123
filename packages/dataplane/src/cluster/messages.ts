/**
 * What the primary and its workers say to each other over the IPC channel (child_process
 * `fork`, JSON serialization). Everything is plain data; accepted sockets travel as the
 * message's handle.
 */
import type { MemberStats, VirtualStats } from '@openltm/model';
import type { ClientSslSpec, PoolSpec, VirtualSpec } from '../desired-state';
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
  /**
   * An accepted, admitted client connection for `virtual` (the socket is the message's handle).
   * The worker reports `id` in an `ended` message when the client's socket closes.
   */
  | { type: 'connection'; virtual: string; generation: number; id: number }
  /** Stop: drain every listener (sessions may finish for `drainTimeoutMs`), report, exit. */
  | { type: 'stop'; drainTimeoutMs: number }
  | PersistAnswer;

export type WorkerMessage =
  /** The worker has its IPC handlers installed and may be sent state and connections. */
  | { type: 'ready' }
  /** Counters since the worker started, for the virtuals and members whose counters changed since its last report. */
  | { type: 'stats'; virtuals: Record<string, VirtualStats>; members: Record<string, MemberStats>; sessions: number }
  /**
   * Client connections (ids of `connection` messages) whose socket closed. Sent before any
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
