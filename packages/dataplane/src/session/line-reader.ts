/**
 * Command-line framing for the client side. Bytes in, complete lines out, with a hard cap on what
 * is buffered: a line longer than the limit is reported once and skipped up to its LF, so a
 * client streaming megabytes without a newline costs at most `limit` bytes of memory.
 *
 * Linear in the input however it is segmented: chunks are queued, never re-copied; each octet is
 * scanned for LF once; a line is copied only when it spans chunks (once). Tiny chunks behind held
 * input (a client writing one octet per segment) are packed into blocks so held input costs
 * octets, not objects.
 */
import { isAuthLine } from './command-reader';

const LF = 0x0a;
/** A TLS handshake record starts with content type 22. */
const TLS_HANDSHAKE = 0x16;
const SMALL = 256;
const BLOCK = 4096;

export type LineEvent =
  | { type: 'line'; line: Buffer }
  | { type: 'too-long' }
  /** A TLS record where a command line should start (a ClientHello without STARTTLS). */
  | { type: 'tls-record' };

export interface LineReaderOptions {
  /** Longest command line, CRLF included (RFC 5321 minimum 512; Postfix uses 2048). */
  maxLine: number;
  /** Longest AUTH command or AUTH continuation line (RFC 4954: 12288). */
  maxAuthLine: number;
}

export class LineReader {
  private chunks: Buffer[] = [];
  /** Index of the first live chunk and the offset of the next unread octet in it. */
  private first = 0;
  private head = 0;
  private held = 0;
  /** Octets of the current line known to hold no LF, and where scanning resumes. */
  private scanned = 0;
  private scanChunk = 0;
  private scanOff = 0;
  /** Packing block for tiny chunks and how much of it is used. */
  private block: Buffer | undefined;
  private blockUsed = 0;
  /** Skipping the rest of an over-long line until its LF. */
  private discarding = false;
  /** Raw octets still to skip (a refused BDAT payload). */
  private skipRemaining = 0;
  /** Octets copied so far (packing, lines across chunks, takeRest): the linearity witness. */
  copied = 0;
  /** The next line answers a 334 challenge: AUTH limit applies. */
  authContinuation = false;
  /** Report a TLS record at a line start (plaintext before STARTTLS) instead of reading it. */
  detectTls = false;

  constructor(private readonly opts: LineReaderOptions) {}

  /** Unparsed bytes held. */
  get buffered(): number {
    return this.held;
  }

  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.held === 0) {
      // Nothing held: the chunk is kept as it came (one command per read is the common case);
      // only small chunks arriving behind held input are packed.
      this.held = chunk.length;
      this.chunks.push(chunk);
      return;
    }
    this.held += chunk.length;
    const last = this.chunks.length - 1;
    if (chunk.length < SMALL && last >= this.first && this.block && this.chunks[last].buffer === this.block.buffer &&
      this.chunks[last].byteOffset + this.chunks[last].length === this.block.byteOffset + this.blockUsed && this.blockUsed + chunk.length <= BLOCK) {
      // Grow the last chunk (a view of the block) in place.
      chunk.copy(this.block, this.blockUsed);
      this.copied += chunk.length;
      this.blockUsed += chunk.length;
      const prev = this.chunks[last];
      this.chunks[last] = this.block.subarray(prev.byteOffset - this.block.byteOffset, this.blockUsed);
      return;
    }
    if (chunk.length < SMALL) {
      this.block = Buffer.allocUnsafe(BLOCK);
      chunk.copy(this.block, 0);
      this.copied += chunk.length;
      this.blockUsed = chunk.length;
      this.chunks.push(this.block.subarray(0, this.blockUsed));
      return;
    }
    this.chunks.push(chunk);
  }

  /** Skip the next `n` raw octets (they are payload, not commands). */
  skip(n: number): void {
    this.skipRemaining += n;
  }

  /** Hand over everything not yet parsed (DATA content follows) and forget it. */
  takeRest(): Buffer | undefined {
    const rest = this.held > 0 ? this.take(this.held) : undefined;
    this.reset();
    return rest;
  }

  /** Drop everything buffered; returns how many bytes were dropped. */
  clear(): number {
    const n = this.held;
    this.reset();
    this.discarding = false;
    this.skipRemaining = 0;
    return n;
  }

  next(): LineEvent | undefined {
    for (;;) {
      if (this.skipRemaining > 0) {
        const n = Math.min(this.skipRemaining, this.held);
        this.drop(n);
        this.skipRemaining -= n;
        if (this.skipRemaining > 0) return undefined;
      }
      if (this.held === 0) return undefined;
      const lf = this.findLf();
      if (this.discarding) {
        if (lf < 0) {
          this.drop(this.held);
          return undefined;
        }
        this.drop(lf + 1);
        this.discarding = false;
        continue;
      }
      if (this.detectTls && !this.authContinuation && this.byteAt(0) === TLS_HANDSHAKE) return { type: 'tls-record' };
      const limit = this.limit();
      if (lf < 0) {
        // Without its LF the line is already at least one octet longer than what is held.
        if (this.held >= limit) {
          this.discarding = true;
          this.drop(this.held);
          return { type: 'too-long' };
        }
        return undefined;
      }
      if (lf + 1 > limit) {
        this.drop(lf + 1);
        return { type: 'too-long' };
      }
      this.authContinuation = false;
      return { type: 'line', line: this.take(lf + 1) };
    }
  }

  private limit(): number {
    if (this.authContinuation) return this.opts.maxAuthLine;
    // Fewer than 5 octets held cannot reach either limit yet.
    if (this.held < 5) return this.opts.maxAuthLine;
    const c = this.chunks[this.first];
    const auth = c.length - this.head >= 5 ? isAuthLine(c, this.head) : isAuthLine(Buffer.from([0, 1, 2, 3, 4].map((k) => this.byteAt(k))));
    return auth ? this.opts.maxAuthLine : this.opts.maxLine;
  }

  /** Offset of the first LF from the line start, or -1; every octet is looked at once. */
  private findLf(): number {
    for (;;) {
      const c = this.chunks[this.scanChunk];
      if (!c) return -1;
      const i = c.indexOf(LF, this.scanOff);
      if (i >= 0) return this.scanned + (i - this.scanOff);
      this.scanned += c.length - this.scanOff;
      // The last chunk may still grow (packing): stay at its end.
      if (this.scanChunk === this.chunks.length - 1) {
        this.scanOff = c.length;
        return -1;
      }
      this.scanChunk++;
      this.scanOff = 0;
    }
  }

  private byteAt(k: number): number {
    let idx = this.first;
    let off = this.head + k;
    while (idx < this.chunks.length && off >= this.chunks[idx].length) off -= this.chunks[idx++].length;
    return idx < this.chunks.length ? this.chunks[idx][off] : -1;
  }

  /** Remove `n` octets from the front and return them (a view when they lie in one chunk). */
  private take(n: number): Buffer {
    const c = this.chunks[this.first];
    if (c.length - this.head >= n) {
      const out = c.subarray(this.head, this.head + n);
      this.drop(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let idx = this.first;
    let off = this.head;
    while (filled < n) {
      const piece = this.chunks[idx];
      const len = Math.min(piece.length - off, n - filled);
      piece.copy(out, filled, off, off + len);
      filled += len;
      idx++;
      off = 0;
    }
    this.copied += n;
    this.drop(n);
    return out;
  }

  private drop(n: number): void {
    this.held -= n;
    while (n > 0) {
      const c = this.chunks[this.first];
      const avail = c.length - this.head;
      if (n < avail) {
        this.head += n;
        break;
      }
      n -= avail;
      this.first++;
      this.head = 0;
    }
    if (this.held === 0) this.reset();
    else if (this.first > 64 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
    // The next line starts here: scan it from its start.
    this.scanned = 0;
    this.scanChunk = this.first;
    this.scanOff = this.head;
  }

  private reset(): void {
    this.chunks = [];
    this.first = 0;
    this.head = 0;
    this.held = 0;
    this.scanned = 0;
    this.scanChunk = 0;
    this.scanOff = 0;
    this.block = undefined;
    this.blockUsed = 0;
  }
}
