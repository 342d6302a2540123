/**
 * The etcd side of the etcd backend, in a worker thread: the etcd3 client is asynchronous and the
 * store's command logic is not, so the main thread posts a request and sleeps on a shared counter
 * until the answer is posted back (etcd-rpc.ts). This thread also follows the key range with a
 * watch and posts every change to the main thread, resuming from the last revision after a
 * broken stream and reading everything again when etcd compacted that revision away; and it
 * keeps this host's status keys alive under a lease.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { ExponentialBackoff } from 'cockatiel';
import { Etcd3, type IOptions, type Lease, type Namespace, type Watcher } from 'etcd3';
import type { KvEvent } from './kv-repository';
import type { EtcdConnection, WorkerMessage, WorkerRequest } from './etcd-protocol';

const GENERATION_KEY = 'meta/generation';
/** etcd's default --max-txn-ops is 128: status writes (not atomic by nature) go in chunks below it. */
const STATUS_CHUNK = 100;

const { port, counter, connection } = workerData as { port: MessagePort; counter: Int32Array; connection: EtcdConnection };

function post(message: WorkerMessage): void {
  port.postMessage(message);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
}

const options: IOptions = {
  hosts: connection.hosts,
  dialTimeout: connection.timeoutMs,
  // A whole configuration is read in one range and a whole `load` written in one transaction.
  grpcOptions: { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 },
  ...(connection.credentials ? { credentials: { rootCertificate: Buffer.from(connection.credentials.ca), ...(connection.credentials.cert ? { certChain: Buffer.from(connection.credentials.cert), privateKey: Buffer.from(connection.credentials.key ?? '') } : {}) } } : {}),
  ...(connection.auth ? { auth: connection.auth } : {}),
  // Give up on a call after the timeout rather than retrying for ever: the caller reports it.
  // Streams (the watch, lease keep-alives) live on.
  defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + connection.timeoutMs }),
  // A broken watch tries again within a second (etcd3's default backs off to 30 s), so a daemon
  // catches up soon after etcd returns.
  faultHandling: { watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }).next() },
};
const client = new Etcd3(options);
const ns: Namespace = client.namespace(connection.prefix);

let watcher: Watcher | undefined;
/** The highest revision whose changes were posted to the main thread. */
let delivered = 0;
let waiters: Array<{ revision: number; resolve: () => void }> = [];

function toEvents(kvs: ReadonlyArray<{ key: Buffer; value: Buffer; mod_revision: string }>, deleted = false): KvEvent[] {
  return kvs.map((kv) => ({ key: kv.key.toString(), ...(deleted ? {} : { value: kv.value.toString() }), mod: Number(kv.mod_revision) }));
}

function advance(revision: number): void {
  if (revision <= delivered) return;
  delivered = revision;
  const ready = waiters.filter((w) => w.revision <= revision);
  waiters = waiters.filter((w) => w.revision > revision);
  for (const w of ready) w.resolve();
}

/** Reads the whole range at one revision. */
async function readAll(): Promise<{ entries: KvEvent[]; revision: number }> {
  const res = await ns.getAll().exec();
  return { entries: toEvents(res.kvs as never), revision: Number(res.header.revision) };
}

/** Follows every change after `revision`; a watch etcd cancels (compaction) starts over with a full read. */
async function follow(revision: number): Promise<void> {
  if (watcher) await watcher.cancel().catch(() => undefined);
  const w = await ns.watch().prefix('').startRevision(String(revision + 1)).create();
  watcher = w;
  w.on('data', (res) => {
    const events: KvEvent[] = res.events.map((e) => ({
      key: e.kv.key.toString(),
      ...(e.type === 'Delete' ? {} : { value: e.kv.value.toString() }),
      mod: Number(e.kv.mod_revision),
    }));
    if (events.length) post({ type: 'events', events });
    advance(Number(res.header.revision));
  });
  w.on('disconnected', () => post({ type: 'link', up: false }));
  w.on('connected', () => post({ type: 'link', up: true }));
  w.on('error', () => {
    if (watcher !== w) return;
    watcher = undefined;
    void reload();
  });
}

/** A full read posted as a reset, then a watch from there; retried until etcd answers. */
async function reload(): Promise<void> {
  for (;;) {
    try {
      const { entries, revision } = await readAll();
      post({ type: 'reset', entries });
      advance(revision);
      await follow(revision);
      post({ type: 'link', up: true });
      return;
    } catch {
      post({ type: 'link', up: false });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Waits until every change in the range up to now was posted: this host's own status writes
 * first, then up to the newest revision any key in the range carries.
 */
async function sync(): Promise<void> {
  await statusQueue.catch(() => undefined);
  const res = await ns.getAll().sort('Mod', 'Descend').limit(1).exec();
  const mod = Number(res.kvs[0]?.mod_revision ?? 0);
  if (mod <= delivered) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the watch did not deliver the latest change in time')), connection.timeoutMs);
    waiters.push({ revision: mod, resolve: () => (clearTimeout(timer), resolve()) });
  });
}

async function commit(expect: number, puts: Array<[string, string]>, deletes: string[]): Promise<{ ok: boolean; revision: number }> {
  const ops = [...puts.map(([k, v]) => ns.put(k).value(v)), ...deletes.map((k) => ns.delete().key(k))];
  const res = await ns.if(GENERATION_KEY, 'Mod', '==', expect).then(...ops).commit();
  return { ok: !!res.succeeded, revision: Number(res.header.revision) };
}

// ---- this host's status, under a lease: a host that dies disappears when the lease expires ----

const statusRows = new Map<string, string>();
let lease: Lease | undefined;
let statusQueue: Promise<void> = Promise.resolve();
let rewriteAll = true;

function newLease(): Lease {
  const l = ns.lease(connection.statusTtlSeconds);
  l.on('lost', () => {
    // Expired while etcd was away: a new lease, and every row written again under it.
    if (lease === l) {
      lease = undefined;
      rewriteAll = true;
    }
  });
  return l;
}

async function writeStatus(puts: Array<[string, string]>, deletes: string[]): Promise<void> {
  for (const [k, v] of puts) statusRows.set(k, v);
  for (const k of deletes) statusRows.delete(k);
  lease ??= newLease();
  const l = lease;
  const id = await l.grant();
  const all = rewriteAll;
  const rows: Array<[string, string]> = all ? [...statusRows] : puts;
  // Deletes first and the report row last: a reader that waits for the newest revision in the
  // range (sync above) then also has the deletes, which leave no key behind to wait for.
  const isReport = ([k]: [string, string]) => k.endsWith('/report');
  const ordered = [...rows.filter((r) => !isReport(r)), ...rows.filter(isReport)];
  const ops = [...deletes.map((k) => ns.delete().key(k)), ...ordered.map(([k, v]) => ns.put(k).value(v).lease(id))];
  // A compare that always holds: the etcd3 builder starts every transaction with one.
  for (let i = 0; i < ops.length; i += STATUS_CHUNK) await ns.if(GENERATION_KEY, 'Mod', '<', '9223372036854775807').then(...ops.slice(i, i + STATUS_CHUNK)).commit();
  if (all && lease === l) rewriteAll = false;
}

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case 'load': {
      const { entries, revision } = await readAll();
      advance(revision);
      void follow(revision).catch(() => reload());
      return { entries };
    }
    case 'follow':
      void reload();
      return {};
    case 'sync':
      await sync();
      return {};
    case 'commit':
      return commit(req.expect, req.puts, req.deletes);
    case 'status':
      // Reports queue behind each other; a failed one is retried with everything by the next.
      statusQueue = statusQueue.then(() => writeStatus(req.puts, req.deletes)).catch(() => {
        rewriteAll = true;
      });
      return {};
    case 'close':
      await statusQueue.catch(() => undefined);
      if (lease) await lease.revoke().catch(() => undefined);
      if (watcher) await watcher.cancel().catch(() => undefined);
      client.close();
      return {};
  }
}

port.on('message', (req: WorkerRequest) => {
  handle(req).then(
    (result) => post({ type: 'reply', id: req.id, result }),
    (err: Error) => post({ type: 'reply', id: req.id, error: err?.message ?? String(err) }),
  );
});
