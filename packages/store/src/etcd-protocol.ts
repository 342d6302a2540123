/** What the main thread and the etcd worker thread (etcd-worker.ts) say to each other. */
import type { KvEvent } from './kv-repository';

/** How to reach the cluster. */
export interface EtcdConnection {
  /** `host:port` (or `https://host:port`) of each member. */
  hosts: string[];
  /** Every key lives under this prefix (`/openltm/`). */
  prefix: string;
  /** PEM text: the CA that signed the members' certificates, and this client's certificate and key. */
  credentials?: { ca: string; cert?: string; key?: string };
  auth?: { username: string; password: string };
  /** How long one request to the cluster may take before it counts as unreachable. */
  timeoutMs: number;
  /** The TTL of the lease this host's status keys are bound to. */
  statusTtlSeconds: number;
}

export type WorkerRequest = { id: number } & WorkerCall;

export type WorkerCall =
  | { op: 'load' }
  | { op: 'follow' }
  | { op: 'sync' }
  | { op: 'commit'; expect: number; puts: Array<[string, string]>; deletes: string[] }
  | { op: 'status'; puts: Array<[string, string]>; deletes: string[] }
  | { op: 'close' };

export type WorkerMessage =
  | { type: 'reply'; id: number; result?: unknown; error?: string }
  /** Changes other writers committed, in revision order. */
  | { type: 'events'; events: KvEvent[] }
  /** Everything, read again (the watch lost its place). */
  | { type: 'reset'; entries: KvEvent[] }
  /** Whether the cluster answers. */
  | { type: 'link'; up: boolean };
