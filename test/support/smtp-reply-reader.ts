import type { Duplex } from 'node:stream';

/** One SMTP reply: its code and its lines as received (without CRLF). */
export interface SmtpReply {
  code: number;
  lines: string[];
}

/**
 * Reads complete SMTP replies (multi-line `250-...` through `250 ...`) from a socket, for probes
 * that speak SMTP by hand. `detach()` stops reading and hands back bytes not yet consumed, which
 * is how the STARTTLS probe sees plaintext that arrived after the 220 (before the TLS handshake).
 */
export class SmtpReplyReader {
  private buffer = Buffer.alloc(0);
  private waiters: { resolve: (r: SmtpReply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private ended: Error | undefined;
  private readonly onData = (b: Buffer): void => {
    this.buffer = Buffer.concat([this.buffer, b]);
    this.pump();
  };
  private readonly onEnd = (): void => this.fail(new Error('connection closed'));
  private readonly onError = (e: Error): void => this.fail(e);

  constructor(private readonly stream: Duplex) {
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('close', this.onEnd);
    stream.on('error', this.onError);
  }

  /** The next complete reply; rejects on timeout or when the connection ends first. */
  next(timeoutMs = 5000): Promise<SmtpReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new Error(`no SMTP reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({ resolve, reject, timer });
      this.pump();
    });
  }

  /** Bytes received but not yet returned as a reply. */
  pending(): Buffer {
    return this.buffer;
  }

  /** Stops listening and returns the unread bytes. */
  detach(): Buffer {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onEnd);
    this.stream.off('error', this.onError);
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('reader detached'));
    }
    this.waiters = [];
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest;
  }

  private pump(): void {
    while (this.waiters.length > 0) {
      const reply = this.take();
      if (!reply) break;
      const w = this.waiters.shift()!;
      clearTimeout(w.timer);
      w.resolve(reply);
    }
    if (this.ended && this.waiters.length > 0) this.fail(this.ended);
  }

  /** Removes one complete reply from the buffer, or returns undefined if none is complete. */
  private take(): SmtpReply | undefined {
    const lines: string[] = [];
    let offset = 0;
    for (;;) {
      const nl = this.buffer.indexOf('\n', offset);
      if (nl < 0) return undefined;
      const line = this.buffer.subarray(offset, nl).toString('latin1').replace(/\r$/, '');
      offset = nl + 1;
      lines.push(line);
      if (!/^\d{3}-/.test(line)) {
        this.buffer = this.buffer.subarray(offset);
        return { code: Number(line.slice(0, 3)) || 0, lines };
      }
    }
  }

  private fail(e: Error): void {
    this.ended = e;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(e);
    }
    this.waiters = [];
  }
}
