/**
 * How a test client talks to a server: `plain` (no TLS), `starttls` (plaintext, then STARTTLS;
 * the client fails if the server does not offer it), `tls` (TLS from the first byte, port 465 style).
 */
export type ClientMode = 'plain' | 'starttls' | 'tls';

/** What every client wrapper returns. */
export interface ClientResult {
  /** The client's exit code (0 = the message was accepted / the session went as asked). */
  code: number | null;
  /** The SMTP conversation as the client printed it. */
  transcript: string;
  /** Anything else the client printed (errors, TLS details). */
  stderr: string;
  timedOut: boolean;
}

/** The message every wrapper sends unless told otherwise. */
export interface MessageOptions {
  from?: string;
  to?: string | readonly string[];
  /** Body text; lines are sent with CRLF. */
  body?: string;
  subject?: string;
}

export const DEFAULT_FROM = 'sender@client.test';
export const DEFAULT_TO = 'rcpt@server.test';

export function recipients(to: MessageOptions['to']): string[] {
  if (to === undefined) return [DEFAULT_TO];
  return typeof to === 'string' ? [to] : [...to];
}

/** Throws with the whole conversation when the client did not exit 0, so a failing test shows why. */
export function expectAccepted(r: ClientResult): void {
  if (r.code !== 0) {
    throw new Error(`client exited ${r.timedOut ? '(timed out)' : r.code}; transcript:\n${r.transcript}\n${r.stderr === r.transcript ? '' : r.stderr}`);
  }
}
