/**
 * Backend reply framing: collects lines until the one whose fourth octet is not '-' (RFC 5321
 * §4.2.1) and yields the whole multi-line reply as the original bytes, so relaying is
 * byte-identical. A line without its LF stays buffered, bounded by `maxReply`.
 */

const LF = 0x0a;

export interface Reply {
  code: number;
  bytes: Buffer;
}

export class ReplyParser {
  private buf: Buffer | undefined;
  /** Where the current (incomplete) reply starts and where to look for the next LF. */
  private start = 0;
  private scan = 0;

  constructor(private readonly maxReply = 64 * 1024) {}

  /** Bytes of an incomplete reply are held (the STARTTLS bridge refuses any after a 220). */
  get pending(): boolean {
    return this.buf !== undefined && this.start < this.buf.length;
  }

  /** Feed bytes; returns complete replies in order. Throws when a reply outgrows the bound. */
  push(chunk: Buffer, out: Reply[]): void {
    if (!this.buf || this.start >= this.buf.length) {
      this.buf = chunk;
      this.start = 0;
      this.scan = 0;
    } else {
      const keep = this.buf.subarray(this.start);
      this.scan -= this.start;
      this.buf = Buffer.concat([keep, chunk]);
      this.start = 0;
    }
    const buf = this.buf;
    for (;;) {
      const lf = buf.indexOf(LF, this.scan);
      if (lf < 0) break;
      const lineStart = this.scan;
      this.scan = lf + 1;
      // Continuation lines have '-' after the code; anything else ends the reply.
      if (lf - lineStart >= 4 && buf[lineStart + 3] === 0x2d) continue;
      const bytes = buf.subarray(this.start, lf + 1);
      out.push({ code: parseCode(bytes), bytes });
      this.start = lf + 1;
    }
    if (buf.length - this.start > this.maxReply) throw new Error('backend reply exceeds size limit');
  }
}

function parseCode(bytes: Buffer): number {
  const d0 = bytes[0] - 0x30;
  const d1 = bytes[1] - 0x30;
  const d2 = bytes[2] - 0x30;
  if (bytes.length < 3 || d0 < 0 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return 0;
  return d0 * 100 + d1 * 10 + d2;
}
