/**
 * The one place a client command line is read. Every rule that keys on a verb (mode rules,
 * STARTTLS, XCLIENT/XFORWARD/PROXY blocking, EHLO/HELO, DATA/BDAT/AUTH/QUIT tracking, line-length
 * classes) takes the verb from here and never splits strings itself.
 *
 * Servers disagree on how a verb is delimited: Postfix's smtpd_token.c skips leading whitespace
 * and splits on any run of isspace() (SP, HTAB, VT, FF, CR); Exim and OpenSMTPD trim and split
 * leniently too; the strictest reading takes the octets up to the first SP. A line is forwarded
 * only when the strict and the lenient readings give the same verb and the line holds no octet a
 * server could take for a separator, a terminator or a string end (NUL, CR, other controls).
 * Everything else is refused locally and never reaches the member.
 */

export interface Command {
  /** Upper-case (ASCII only) verb; '' for an empty line. */
  verb: string;
  /** Everything after the verb and its separator, SP/HTAB trimmed at both ends. */
  args: string;
  /** The line as received, terminator included. */
  raw: Buffer;
  /** The line without its terminator (latin1). */
  text: string;
  /** Set when a member could read the line differently: the local reply to send instead. */
  ambiguous?: string;
}

export const Ambiguity = {
  bareCr: '500 5.5.2 Error: bare <CR> received\r\n',
  verb: '500 5.5.2 Error: bad command syntax\r\n',
  args: '501 5.5.4 Error: control characters not allowed in command\r\n',
} as const;

const SP = 0x20;
const HTAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;

/** Read one line (ending in LF) once. */
export function readCommand(raw: Buffer): Command {
  const end = contentEnd(raw);
  const text = raw.toString('latin1', 0, end);
  // The lenient reading: skip leading blanks, the verb runs to the next blank.
  let i = 0;
  while (i < end && isBlank(raw[i])) i++;
  let j = i;
  while (j < end && !isBlank(raw[j])) j++;
  const verb = upperAscii(text.slice(i, j));
  const args = trimBlanks(text.slice(j));
  const cmd: Command = { verb, args, raw, text };
  const bad = firstControl(raw, 0, end);
  if (bad >= 0) {
    cmd.ambiguous = raw[bad] === CR ? Ambiguity.bareCr : bad < j ? Ambiguity.verb : Ambiguity.args;
    return cmd;
  }
  // The strict reading: the verb is what precedes the first SP. Leading blanks, an HTAB
  // separator or a verb glued to an HTAB make the two readings differ.
  if (i !== 0 || (j < end && raw[j] !== SP) || hasHighBit(raw, 0, j)) cmd.ambiguous = Ambiguity.verb;
  return cmd;
}

/** An AUTH continuation line (the answer to a 334): base64 or `*`, never a command. */
export function readContinuation(raw: Buffer): Command {
  const end = contentEnd(raw);
  const text = raw.toString('latin1', 0, end);
  const cmd: Command = { verb: '', args: text, raw, text };
  const bad = firstControl(raw, 0, end);
  if (bad >= 0) cmd.ambiguous = raw[bad] === CR ? Ambiguity.bareCr : Ambiguity.args;
  return cmd;
}

/**
 * The line-length class of a line from its first octets (it may not be complete yet): AUTH
 * commands may be as long as AUTH continuations (RFC 4954: 12288). The verb is read as
 * readCommand reads it, so a line it would refuse gets no longer limit than any other.
 */
export function isAuthLine(buf: Buffer, at = 0): boolean {
  return (
    buf.length - at >= 5 &&
    (buf[at] | 0x20) === 0x61 && (buf[at + 1] | 0x20) === 0x75 && (buf[at + 2] | 0x20) === 0x74 &&
    (buf[at + 3] | 0x20) === 0x68 && buf[at + 4] === SP
  );
}

/** The line as the member receives it: always CRLF-terminated. */
export function wireBytes(cmd: Command): Buffer {
  const raw = cmd.raw;
  const end = contentEnd(raw);
  if (end === raw.length - 2 && raw[end] === CR) return raw;
  return Buffer.concat([raw.subarray(0, end), CRLF]);
}

const CRLF = Buffer.from('\r\n');

/** Where the content ends: before the LF and any CRs right before it (part of the terminator). */
function contentEnd(raw: Buffer): number {
  let end = raw.length;
  if (end > 0 && raw[end - 1] === LF) end--;
  while (end > 0 && raw[end - 1] === CR) end--;
  return end;
}

function isBlank(b: number): boolean {
  return b === SP || b === HTAB;
}

/** First octet below 0x20 other than HTAB, or DEL. */
function firstControl(raw: Buffer, from: number, to: number): number {
  for (let k = from; k < to; k++) {
    const b = raw[k];
    if ((b < 0x20 && b !== HTAB) || b === 0x7f) return k;
  }
  return -1;
}

function hasHighBit(raw: Buffer, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (raw[k] >= 0x80) return true;
  return false;
}

/**
 * ASCII-only upper case: JavaScript's toUpperCase maps some latin1 letters to ASCII ones ('ß').
 * A pure-ASCII verb (every verb a command can be forwarded with) takes the fast path.
 */
function upperAscii(s: string): string {
  return NON_ASCII.test(s) ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s.toUpperCase();
}

const NON_ASCII = /[^\x00-\x7f]/;

function trimBlanks(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === SP || s.charCodeAt(a) === HTAB)) a++;
  while (b > a && (s.charCodeAt(b - 1) === SP || s.charCodeAt(b - 1) === HTAB)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}
