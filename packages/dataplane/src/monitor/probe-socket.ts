import { Socket, connect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

/** A probe over TLS (https monitor): the cipher string offered; the member certificate is not verified, as on BIG-IP. */
export interface ProbeTls {
  ciphers: string;
}

/** Outcome of one probe: success, or the reason it failed (shown as the monitor's last error). */
export interface ProbeResult {
  ok: boolean;
  error?: string;
  /** A definite down (a reverse monitor's match): marks the check down at once, not after `timeout`. */
  down?: boolean;
}

/**
 * One probe's connection under a single deadline: every wait rejects when the deadline passes,
 * and the socket is destroyed then, so a probe never holds a socket past its timeout.
 */
export class ProbeSocket {
  private readonly socket: Socket;
  private buffer = '';
  private waiter?: () => void;
  private failure?: Error;
  private readonly timer: NodeJS.Timeout;
  private detach?: () => void;

  /** The peer closed the connection (a response that ends at the close is judged then). */
  private peerClosed = false;
  private secured: boolean;

  constructor(address: string, port: number, timeoutMs: number, signal?: AbortSignal, tls?: ProbeTls) {
    this.secured = !tls;
    if (tls) {
      // A health check asks whether the service answers, not who it is: BIG-IP's https monitor
      // does not verify the member's certificate either.
      const t: TLSSocket = tlsConnect({ host: address, port, ciphers: tls.ciphers, rejectUnauthorized: false });
      t.on('secureConnect', () => {
        this.secured = true;
        this.wake();
      });
      this.socket = t;
    } else {
      this.socket = connect({ host: address, port });
    }
    this.socket.setEncoding('latin1');
    this.socket.on('connect', () => this.wake());
    this.socket.on('data', (chunk: string) => {
      // A monitor never needs more than a few replies; cap what a chatty server can make us hold.
      this.buffer = (this.buffer + chunk).slice(-65536);
      this.wake();
    });
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(new Error(err.code ?? err.message)));
    this.socket.on('close', () => {
      this.peerClosed = true;
      this.fail(new Error('connection closed by peer'));
    });
    this.timer = setTimeout(() => this.fail(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    this.timer.unref();
    if (signal) {
      const onAbort = (): void => this.fail(new Error('monitor stopped'));
      signal.addEventListener('abort', onAbort, { once: true });
      this.detach = () => signal.removeEventListener('abort', onAbort);
    }
  }

  /** Resolves once connected. */
  connected(): Promise<void> {
    return this.until(() => !this.socket.connecting && !this.socket.destroyed && this.secured);
  }

  /**
   * Waits until `decide` returns a verdict on the response so far, or the peer closes (the
   * response then ends: `decide` is asked once more with `ended` set). Returns its verdict.
   */
  async response<T>(decide: (text: string, ended: boolean) => T | undefined): Promise<T> {
    let verdict: T | undefined;
    await this.until(() => {
      verdict = decide(this.buffer, this.peerClosed);
      return verdict !== undefined;
    });
    return verdict!;
  }

  /** Ends the connection with a reset (no FIN, no data): the closest a userspace probe gets to half-open. */
  reset(): void {
    clearTimeout(this.timer);
    this.detach?.();
    this.socket.removeAllListeners('close');
    this.socket.on('error', () => undefined);
    this.socket.resetAndDestroy();
  }

  write(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text, 'latin1');
  }

  /** Waits for one complete SMTP reply (multi-line `250-` ... `250 `) and returns its code and last line. */
  async reply(): Promise<{ code: number; text: string }> {
    let found: { code: number; text: string } | undefined;
    await this.until(() => {
      const lines = this.buffer.split('\r\n');
      for (let i = 0; i < lines.length - 1; i++) {
        const line = lines[i];
        if (/^\d{3}(?: |$)/.test(line)) {
          this.buffer = lines.slice(i + 1).join('\r\n');
          found = { code: Number(line.slice(0, 3)), text: line };
          return true;
        }
        if (!/^\d{3}-/.test(line)) throw new Error(`malformed reply "${line.slice(0, 80)}"`);
      }
      return false;
    });
    return found!;
  }

  /**
   * Reverse mode: waits for the reply and says whether it matches `pattern`. A match counts as
   * soon as it is seen; a reply that does not match is judged once it ends at a line end.
   */
  async replyMatches(pattern: RegExp): Promise<boolean> {
    let matched = false;
    await this.until(() => {
      matched = pattern.test(this.buffer);
      return matched || this.buffer.endsWith('\n');
    });
    return matched;
  }

  /** Waits until the received text matches `pattern`. */
  async receive(pattern: RegExp): Promise<void> {
    await this.until(() => pattern.test(this.buffer));
  }

  close(): void {
    clearTimeout(this.timer);
    this.detach?.();
    this.socket.removeAllListeners('close');
    this.socket.on('error', () => undefined);
    this.socket.destroy();
    this.wake();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.close();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private until(ready: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        try {
          if (ready()) return resolve();
        } catch (err) {
          return reject(err as Error);
        }
        if (this.failure) return reject(this.failure);
        if (this.socket.destroyed) return reject(new Error('connection closed'));
        this.waiter = check;
      };
      check();
    });
  }
}

/** Runs `steps` on a fresh probe connection and always closes it. */
export async function withProbeSocket(
  address: string,
  port: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  steps: (s: ProbeSocket) => Promise<ProbeResult | void>,
  tls?: ProbeTls,
): Promise<ProbeResult> {
  if (signal?.aborted) return { ok: false, error: 'monitor stopped' };
  const s = new ProbeSocket(address, port, timeoutMs, signal, tls);
  try {
    await s.connected();
    return (await steps(s)) ?? { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  } finally {
    s.close();
  }
}
