/**
 * Command-line framing for the client side. Bytes in, complete lines out, with a hard cap on what
 * is buffered: a line longer than the limit is reported once and skipped up to its LF, so a
 * client streaming megabytes without a newline costs at most `limit` bytes of memory.
 */

const LF = 0x0a;

export type LineEvent =
  | { type: 'line'; line: Buffer }
  | { type: 'too-long' };

export interface LineReaderOptions {
  /** Longest command line, CRLF included (RFC 5321 minimum 512; Postfix uses 2048). */
  maxLine: number;
  /** Longest AUTH command or AUTH continuation line (RFC 4954: 12288). */
  maxAuthLine: number;
}

export class LineReader {
  private buf: Buffer | undefined;
  private pos = 0;
  /** Skipping the rest of an over-long line until its LF. */
  private discarding = false;
  /** Raw octets still to skip (a refused BDAT payload). */
  private skipRemaining = 0;
  /** The next line answers a 334 challenge: AUTH limit applies. */
  authContinuation = false;

  constructor(private readonly opts: LineReaderOptions) {}

  /** Unparsed bytes held. */
  get buffered(): number {
    return this.buf ? this.buf.length - this.pos : 0;
  }

  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (!this.buf || this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.pos = 0;
    }
  }

  /** Skip the next `n` raw octets (they are payload, not commands). */
  skip(n: number): void {
    this.skipRemaining += n;
  }

  /** Hand over everything not yet parsed (DATA content follows) and forget it. */
  takeRest(): Buffer | undefined {
    const rest = this.buf && this.pos < this.buf.length ? this.buf.subarray(this.pos) : undefined;
    this.buf = undefined;
    this.pos = 0;
    return rest;
  }

  /** Drop everything buffered; returns how many bytes were dropped. */
  clear(): number {
    const n = this.buffered;
    this.buf = undefined;
    this.pos = 0;
    this.discarding = false;
    this.skipRemaining = 0;
    return n;
  }

  next(): LineEvent | undefined {
    const buf = this.buf;
    if (!buf) return undefined;
    if (this.skipRemaining > 0) {
      const n = Math.min(this.skipRemaining, buf.length - this.pos);
      this.skipRemaining -= n;
      this.pos += n;
      if (this.skipRemaining > 0) return this.release();
    }
    if (this.pos >= buf.length) return this.release();
    const lf = buf.indexOf(LF, this.pos);
    if (this.discarding) {
      if (lf < 0) return this.release();
      this.discarding = false;
      this.pos = lf + 1;
      return this.next();
    }
    const limit = this.limit(buf);
    if (lf < 0) {
      // Without its LF the line is already at least one octet longer than what is held.
      if (buf.length - this.pos >= limit) {
        this.discarding = true;
        this.release();
        return { type: 'too-long' };
      }
      return undefined;
    }
    const start = this.pos;
    this.pos = lf + 1;
    if (lf + 1 - start > limit) return { type: 'too-long' };
    this.authContinuation = false;
    return { type: 'line', line: buf.subarray(start, lf + 1) };
  }

  private release(): undefined {
    this.buf = undefined;
    this.pos = 0;
    return undefined;
  }

  private limit(buf: Buffer): number {
    if (this.authContinuation) return this.opts.maxAuthLine;
    const p = this.pos;
    // "AUTH " in any case: XOAUTH2 initial responses are long.
    if (
      buf.length - p >= 5 &&
      (buf[p] | 0x20) === 0x61 && (buf[p + 1] | 0x20) === 0x75 && (buf[p + 2] | 0x20) === 0x74 &&
      (buf[p + 3] | 0x20) === 0x68 && buf[p + 4] === 0x20
    ) {
      return this.opts.maxAuthLine;
    }
    return this.opts.maxLine;
  }
}
