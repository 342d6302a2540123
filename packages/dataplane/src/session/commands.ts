/**
 * What to do with one client command line: forward it, answer it locally, or start TLS. Pure
 * policy, no I/O, so the mode rules read as one table (smtp-starttls.md §1.5.4-1.5.6, decisions).
 */
import { Replies } from './replies';
import type { TlsMode } from './session-config';

/** Backend-bound commands whose replies the session must interpret. */
export type ForwardKind = 'ehlo' | 'helo' | 'data' | 'auth' | 'quit' | 'other';

export type Decision =
  | { do: 'forward'; kind: ForwardKind; bytes: Buffer; /** leaves state on the backend that TLS must not inherit */ taints: boolean }
  | { do: 'reply'; reply: string; error: boolean; beforeTls?: boolean; skip?: number }
  | { do: 'starttls' }
  | { do: 'close'; reply: string };

export interface CommandContext {
  mode: TlsMode;
  tls: boolean;
  tlsAvailable: boolean;
  /** After STARTTLS and before the next EHLO/HELO. */
  needHelo: boolean;
}

/** Decision 2: what require mode accepts before TLS. */
const PRE_TLS_ALLOWED = new Set(['EHLO', 'HELO', 'STARTTLS', 'NOOP', 'RSET', 'QUIT']);
/** RFC 3207: after TLS the client starts over with EHLO; mail and AUTH wait for it (Postfix's rule). */
const NEED_HELO = new Set(['MAIL', 'RCPT', 'DATA', 'BDAT', 'BURL', 'AUTH', 'ETRN']);
/** Commands that leave no state beyond the HELO name on the backend. */
const CLEAN = new Set(['EHLO', 'HELO', 'NOOP', 'RSET', 'QUIT']);
const KINDS: Record<string, ForwardKind> = { EHLO: 'ehlo', HELO: 'helo', DATA: 'data', AUTH: 'auth', QUIT: 'quit' };
const BDAT_ARGS = /^(\d{1,15})(?:[ \t]+LAST)?$/i;
const CRLF = Buffer.from('\r\n');

export function decide(line: Buffer, ctx: CommandContext): Decision {
  const hasCrlf = line.length >= 2 && line[line.length - 2] === 0x0d;
  // Extra CRs right before the line end are part of the terminator, not the command.
  let end = line.length - 1;
  while (end > 0 && line[end - 1] === 0x0d) end--;
  const text = line.toString('latin1', 0, end);
  const sp = text.indexOf(' ');
  const verb = (sp < 0 ? text : text.slice(0, sp)).toUpperCase();
  const args = sp < 0 ? '' : text.slice(sp + 1).trim();

  if (verb === 'BDAT') return bdat(args, ctx);
  if (ctx.mode === 'require' && !ctx.tls && !PRE_TLS_ALLOWED.has(verb)) {
    return { do: 'reply', reply: Replies.mustStarttls, error: true, beforeTls: true };
  }
  // A bare CR could end the line early for a lenient backend and smuggle a second command.
  if (text.includes('\r')) return { do: 'reply', reply: Replies.bareCr, error: true };
  if (verb === 'STARTTLS') {
    if (args !== '') return { do: 'reply', reply: Replies.starttlsSyntax, error: true };
    if (ctx.tls) return { do: 'reply', reply: Replies.tlsActive, error: true };
    if (ctx.mode === 'none') return { do: 'reply', reply: Replies.notImplemented, error: true };
    if (!ctx.tlsAvailable) return { do: 'reply', reply: Replies.tlsUnavailable, error: false };
    return { do: 'starttls' };
  }
  if (verb === 'XCLIENT' || verb === 'XFORWARD') return { do: 'reply', reply: Replies.insufficientAuthorization, error: true };
  if (verb === 'PROXY') return { do: 'reply', reply: Replies.notRecognized, error: true };
  if (ctx.needHelo && NEED_HELO.has(verb)) return { do: 'reply', reply: Replies.sendHelo, error: true };
  return {
    do: 'forward',
    kind: KINDS[verb] ?? 'other',
    // The backend only ever sees CRLF line ends.
    bytes: hasCrlf && end === line.length - 2 ? line : Buffer.concat([line.subarray(0, end), CRLF]),
    taints: !CLEAN.has(verb),
  };
}

/** CHUNKING is not advertised (decision 6): BDAT is refused, its payload skipped to stay in step. */
function bdat(args: string, ctx: CommandContext): Decision {
  const m = BDAT_ARGS.exec(args);
  if (!m) return { do: 'close', reply: Replies.bdatSyntax };
  const skip = Number(m[1]);
  if (ctx.mode === 'require' && !ctx.tls) return { do: 'reply', reply: Replies.mustStarttls, error: true, beforeTls: true, skip };
  if (ctx.needHelo) return { do: 'reply', reply: Replies.sendHelo, error: true, skip };
  return { do: 'reply', reply: Replies.notImplemented, error: true, skip };
}
