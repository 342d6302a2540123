/**
 * What to do with one client command: forward it, answer it locally, or start TLS. Pure policy,
 * no I/O, so the mode rules read as one table (smtp-starttls.md §1.5.4-1.5.6, decisions). The
 * command comes from the CommandReader; nothing here splits a line.
 */
import type { VirtualStats } from '@openltm/model';
import { readCommand, readContinuation, wireBytes } from './command-reader';
import type { LineEvent } from './line-reader';
import { Replies } from './replies';
import type { TlsMode } from './session-config';

/** Backend-bound commands whose replies the session must interpret. */
/** `auth-cancel`: our `*` ending an AUTH exchange the client's line could not continue. */
export type ForwardKind = 'ehlo' | 'helo' | 'data' | 'auth' | 'auth-cancel' | 'quit' | 'other';

type Counter = keyof VirtualStats;

export type Decision =
  | { do: 'forward'; kind: ForwardKind; bytes: Buffer; /** leaves state on the backend that TLS must not inherit */ taints: boolean; /** auth-cancel: the client's reply */ instead?: string }
  | { do: 'reply'; reply: string; error: boolean; count?: Counter[]; skip?: number }
  | { do: 'starttls' }
  /** Answer after the replies owed, then close; `reason` is logged. */
  | { do: 'close'; reply: string; count?: Counter[]; reason?: string };

export interface CommandContext {
  mode: TlsMode;
  tls: boolean;
  tlsAvailable: boolean;
  /** After STARTTLS and before the next EHLO/HELO. */
  needHelo: boolean;
  /** The smtps profile's opt-out: AUTH may cross in cleartext in allow mode. */
  allowPlaintextAuth: boolean;
  /** Largest BDAT chunk whose payload is skipped rather than the session closed. */
  maxMessageSize: number;
}

/** Decision 2: what require mode accepts before TLS. */
const PRE_TLS_ALLOWED = new Set(['EHLO', 'HELO', 'STARTTLS', 'NOOP', 'RSET', 'QUIT']);
/** RFC 3207: after TLS the client starts over with EHLO; mail and AUTH wait for it (Postfix's rule). */
const NEED_HELO = new Set(['MAIL', 'RCPT', 'DATA', 'BDAT', 'BURL', 'AUTH', 'ETRN']);
/** Commands that leave no state beyond the HELO name on the backend. */
const CLEAN = new Set(['EHLO', 'HELO', 'NOOP', 'RSET', 'QUIT']);
const KINDS: Record<string, ForwardKind> = { EHLO: 'ehlo', HELO: 'helo', DATA: 'data', AUTH: 'auth', QUIT: 'quit' };
const BDAT_ARGS = /^(\d{1,15})(?:[ \t]+LAST)?$/i;

const CANCEL = Buffer.from('*\r\n');

/**
 * One event of the line reader. `continuation`: the member waits for the answer to its 334; a
 * line we will not relay (over-long, control octets) cancels the exchange with `*` (RFC 4954),
 * so the proxy and the member leave AUTH together.
 */
export function decide(ev: LineEvent, continuation: boolean, ctx: CommandContext): Decision {
  if (ev.type === 'tls-record') return { do: 'close', reply: Replies.tlsBeforeStarttls, count: ['earlyTalkers'], reason: 'TLS record before STARTTLS' };
  if (continuation) {
    const line = ev.type === 'line' ? readContinuation(ev.line) : undefined;
    if (!line || line.ambiguous) return { do: 'forward', kind: 'auth-cancel', bytes: CANCEL, taints: true, instead: line ? Replies.authLineBad : Replies.authLineTooLong };
    return { do: 'forward', kind: 'auth', bytes: wireBytes(line), taints: true };
  }
  if (ev.type === 'too-long') return { do: 'reply', reply: Replies.lineTooLong, error: true };
  const cmd = readCommand(ev.line);
  if (cmd.ambiguous) return { do: 'reply', reply: cmd.ambiguous, error: true };
  const verb = cmd.verb;
  if (verb === 'BDAT') return bdat(cmd.args, ctx);
  if (ctx.mode === 'require' && !ctx.tls && !PRE_TLS_ALLOWED.has(verb)) {
    return { do: 'reply', reply: Replies.mustStarttls, error: true, count: verb === 'AUTH' ? ['refusedBeforeTls', 'authRefusedBeforeTls'] : ['refusedBeforeTls'] };
  }
  if (verb === 'STARTTLS') {
    if (cmd.args !== '') return { do: 'reply', reply: Replies.starttlsSyntax, error: true };
    if (ctx.tls) return { do: 'reply', reply: Replies.tlsActive, error: true };
    if (ctx.mode === 'none') return { do: 'reply', reply: Replies.notImplemented, error: true };
    if (!ctx.tlsAvailable) return { do: 'reply', reply: Replies.tlsUnavailable, error: false };
    return { do: 'starttls' };
  }
  if (verb === 'XCLIENT' || verb === 'XFORWARD') return { do: 'reply', reply: Replies.insufficientAuthorization, error: true };
  if (verb === 'PROXY') return { do: 'reply', reply: Replies.notRecognized, error: true };
  if (ctx.needHelo && NEED_HELO.has(verb)) return { do: 'reply', reply: Replies.sendHelo, error: true };
  // Issue 19 / decision 5: the member sees only plaintext, so only the proxy can keep passwords off it.
  if (verb === 'AUTH' && !ctx.tls && ctx.mode === 'allow' && !ctx.allowPlaintextAuth) {
    return { do: 'reply', reply: Replies.encryptionRequired, error: true, count: ['authRefusedBeforeTls'] };
  }
  return { do: 'forward', kind: KINDS[verb] ?? 'other', bytes: wireBytes(cmd), taints: !CLEAN.has(verb) };
}

/** Whether EHLO replies hide AUTH: before TLS in require mode, and in allow mode unless opted out. */
export function hideAuth(ctx: Pick<CommandContext, 'mode' | 'tls' | 'allowPlaintextAuth'>): boolean {
  return !ctx.tls && (ctx.mode === 'require' || (ctx.mode === 'allow' && !ctx.allowPlaintextAuth));
}

/**
 * CHUNKING is not advertised (decision 6): BDAT is refused, its payload skipped to stay in step.
 * A chunk larger than any message could be is not waited for (a slow drip would hold the session
 * for ever): refused and closed, as for a count that cannot be parsed (RFC 3030 §2).
 */
function bdat(args: string, ctx: CommandContext): Decision {
  const m = BDAT_ARGS.exec(args);
  if (!m) return { do: 'close', reply: Replies.bdatSyntax };
  const skip = Number(m[1]);
  if (skip > ctx.maxMessageSize) return { do: 'close', reply: Replies.bdatTooBig };
  if (ctx.mode === 'require' && !ctx.tls) return { do: 'reply', reply: Replies.mustStarttls, error: true, count: ['refusedBeforeTls'], skip };
  if (ctx.needHelo) return { do: 'reply', reply: Replies.sendHelo, error: true, skip };
  return { do: 'reply', reply: Replies.notImplemented, error: true, skip };
}
