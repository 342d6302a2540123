/**
 * The primary's side of the shared listening sockets (worker-sockets.ts is the workers' side).
 * The primary binds each socket, or takes it over from the previous primary, and keeps its
 * descriptor for the next restart, but never accepts on it: it sends the socket to every worker
 * once, and to each new worker when it is ready. A socket counts as listening once a worker
 * accepts on it; before it closes here, every worker stops accepting on it (a host socket's copy
 * still listening in a worker would keep the wildcard that replaces it from binding).
 */
import type { Logger } from 'pino';
import { BindError, type ServerHandle, type SocketHandOut } from '../listener/port-sockets';
import type { PrimaryMessage, WorkerMessage } from './messages';

/** How long the primary waits for workers to open or close a socket before it goes on regardless. */
const ACK_TIMEOUT_MS = 5000;

interface Wait<W> {
  kind: 'open' | 'close';
  key: string;
  pending: Set<W>;
  errors: string[];
  done(err?: Error): void;
  timer: NodeJS.Timeout;
}

export class SocketHandOutToWorkers<W> implements SocketHandOut {
  private readonly handles = new Map<string, ServerHandle>();
  /** The sockets each worker accepts on. */
  private readonly accepting = new Map<W, Set<string>>();
  private readonly waits = new Set<Wait<W>>();

  constructor(
    /** The workers ready for messages now. */
    private readonly workers: () => Iterable<W>,
    private readonly send: (worker: W, message: PrimaryMessage, handle?: ServerHandle) => boolean,
    private readonly log: Logger,
  ) {}

  opened(key: string, handle: ServerHandle): Promise<void> {
    this.handles.set(key, handle);
    const sent = new Set<W>();
    for (const w of this.workers()) if (this.send(w, { type: 'socket', key }, handle)) sent.add(w);
    return this.wait('open', key, sent);
  }

  closing(key: string): Promise<void> {
    this.handles.delete(key);
    const sent = new Set<W>();
    for (const [w, keys] of this.accepting) {
      if (keys.has(key) && this.send(w, { type: 'socket-close', key })) sent.add(w);
      keys.delete(key);
    }
    return this.wait('close', key, sent);
  }

  /** A worker that just became ready gets every socket. */
  workerReady(worker: W): void {
    this.accepting.set(worker, new Set());
    for (const [key, handle] of this.handles) this.send(worker, { type: 'socket', key }, handle);
  }

  /** A worker exited: its copies closed with it. */
  workerGone(worker: W): void {
    this.accepting.delete(worker);
    for (const w of [...this.waits]) this.settle(w, worker);
  }

  message(worker: W, message: Extract<WorkerMessage, { type: 'socket-open' | 'socket-closed' }>): void {
    const key = message.key;
    if (message.type === 'socket-open' && !message.error) {
      // Closed here meanwhile: that worker must not keep accepting on it.
      if (!this.handles.has(key)) {
        this.send(worker, { type: 'socket-close', key });
        return;
      }
      this.accepting.get(worker)?.add(key);
    }
    for (const w of [...this.waits]) {
      if (w.key !== key || !w.pending.has(worker)) continue;
      if (w.kind === 'open' && message.type === 'socket-open') {
        if (!message.error) {
          this.finish(w);
          continue;
        }
        w.errors.push(message.error);
      }
      if (w.kind === 'close' && message.type !== 'socket-closed') continue;
      this.settle(w, worker);
    }
  }

  private wait(kind: Wait<W>['kind'], key: string, pending: Set<W>): Promise<void> {
    // No worker to wait for: those that start later get the socket when they are ready.
    if (pending.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w: Wait<W> = {
        kind,
        key,
        pending,
        errors: [],
        done: (err) => (err ? reject(err) : resolve()),
        timer: setTimeout(() => {
          this.log.warn({ socket: key, workers: w.pending.size }, `workers did not ${kind} a listening socket in time; going on`);
          this.finish(w);
        }, ACK_TIMEOUT_MS),
      };
      this.waits.add(w);
    });
  }

  /** `worker` answered (or went): the wait ends when nobody is left, failed if every answer was an error. */
  private settle(w: Wait<W>, worker: W): void {
    w.pending.delete(worker);
    if (w.pending.size > 0) return;
    if (w.kind === 'open' && w.errors.length > 0) {
      const [address, port] = w.key.split('|');
      const code = w.errors[0];
      const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : code;
      this.finish(w, new BindError(`cannot listen on ${address.includes(':') ? `[${address}]` : address}:${port}: ${why}`, code, address, Number(port)));
    } else this.finish(w);
  }

  private finish(w: Wait<W>, err?: Error): void {
    if (!this.waits.delete(w)) return;
    clearTimeout(w.timer);
    w.done(err);
  }
}
