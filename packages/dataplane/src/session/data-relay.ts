/**
 * DATA content scanning. Content is relayed byte for byte; the scanner only finds where it ends
 * (strictly CRLF "." CRLF, RFC 5321 §4.5.2) and, with the smuggling guard on, spots end-of-data
 * look-alikes built from bare LF or bare CR (`\n.\n`, `\r\n.\n`, `\n.\r\n`, `\r.\r`...) that a
 * lenient backend could take for the end of the message (SMTP smuggling, CVE-2023-51764 class).
 *
 * Only the rare "line end followed by a dot" spots are examined, found with Buffer.indexOf; normal
 * content costs one or two native scans per chunk and no copies.
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const LF_DOT = Buffer.from('\n.');
const CR_DOT = Buffer.from('\r.');

export type ScanResult =
  /** All of `forward` is content; more to come. */
  | { kind: 'more'; forward: Buffer | undefined }
  /** `forward` ends with the final CRLF.CRLF; `rest` is what the client pipelined after it. */
  | { kind: 'end'; forward: Buffer; rest: Buffer | undefined }
  /** A look-alike was found; `forward` is the content before it (never including it). */
  | { kind: 'smuggling'; forward: Buffer | undefined };

type Verdict = 'none' | 'end' | 'smuggling' | 'need-more';

export class DataScanner {
  /** The two bytes before the unforwarded input: DATA's own CRLF at the start. */
  private prev0 = CR;
  private prev1 = LF;
  /** Up to a few bytes held back because what follows them decides their meaning. */
  private carry: Buffer | undefined;

  constructor(private readonly guard: boolean) {}

  push(chunk: Buffer): ScanResult {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    // A dot right at the start, after a line end that was already forwarded.
    if (buf.length > 0 && buf[0] === DOT && (this.prev1 === LF || this.prev1 === CR)) {
      const r = this.decide(buf, 0);
      if (r) return r;
    }
    let from = 0;
    let lfHit = buf.indexOf(LF_DOT, from);
    let crHit = this.guard ? buf.indexOf(CR_DOT, from) : -1;
    while (lfHit >= 0 || crHit >= 0) {
      const hit = lfHit < 0 ? crHit : crHit < 0 ? lfHit : Math.min(lfHit, crHit);
      const r = this.decide(buf, hit + 1);
      if (r) return r;
      from = hit + 1;
      if (hit === lfHit) lfHit = buf.indexOf(LF_DOT, from);
      if (hit === crHit) crHit = buf.indexOf(CR_DOT, from);
    }
    // Hold back a trailing CR/LF run only when the guard needs the dot's left context; the
    // prev bytes carry the strict case.
    this.remember(buf, buf.length);
    return { kind: 'more', forward: buf.length > 0 ? buf : undefined };
  }

  /** Examine the dot at `dot`; returns a result when scanning of this chunk stops there. */
  private decide(buf: Buffer, dot: number): ScanResult | undefined {
    const v = this.verdict(buf, dot);
    if (v === 'none') return undefined;
    if (v === 'end') {
      const end = dot + 3;
      return { kind: 'end', forward: buf.subarray(0, end), rest: end < buf.length ? buf.subarray(end) : undefined };
    }
    if (v === 'smuggling') {
      return { kind: 'smuggling', forward: dot > 0 ? buf.subarray(0, dot) : undefined };
    }
    // need-more: forward what precedes the dot, keep the dot and what follows for next time.
    const forward = dot > 0 ? buf.subarray(0, dot) : undefined;
    this.remember(buf, dot);
    this.carry = Buffer.from(buf.subarray(dot));
    return { kind: 'more', forward };
  }

  private verdict(buf: Buffer, dot: number): Verdict {
    const before1 = dot >= 1 ? buf[dot - 1] : this.prev1;
    const before2 = dot >= 2 ? buf[dot - 2] : dot === 1 ? this.prev1 : this.prev0;
    if (before1 !== LF && before1 !== CR) return 'none';
    if (dot + 1 >= buf.length) return 'need-more';
    const after1 = buf[dot + 1];
    if (after1 !== CR && after1 !== LF) return 'none';
    const strictStart = before1 === LF && before2 === CR;
    if (strictStart && after1 === CR) {
      if (dot + 2 >= buf.length) return 'need-more';
      if (buf[dot + 2] === LF) return 'end';
    }
    return this.guard ? 'smuggling' : 'none';
  }

  /** Record the last two bytes of buf[0..end) as the context for the next chunk. */
  private remember(buf: Buffer, end: number): void {
    if (end >= 2) {
      this.prev0 = buf[end - 2];
      this.prev1 = buf[end - 1];
    } else if (end === 1) {
      this.prev0 = this.prev1;
      this.prev1 = buf[0];
    }
  }
}
