/**
 * The states of one SMTP session and the reply slots that keep replies in command order.
 *
 *   connecting ──greeting──▶ command ◀──final reply── data
 *        │                    │  ▲ └──354──────────────▲
 *   (implicit TLS)        STARTTLS│
 *        ▼                    ▼  │ secure
 *    handshake ◀──220 sent── starttls        any ──▶ closed
 */
import type { ForwardKind } from './command-rules';
import type { Reply } from './reply-parser';

export type Phase =
  /** Waiting for a member's greeting (or, on an implicit-TLS listener, see handshake). */
  | 'connecting'
  /** Reading command lines. */
  | 'command'
  /** Relaying message content until CRLF.CRLF. */
  | 'data'
  /** STARTTLS accepted, waiting for earlier replies; client bytes are discarded. */
  | 'starttls'
  /** TLS handshake running on the client socket. */
  | 'handshake'
  | 'closed';

/** What a backend reply answers, which decides how it is relayed. */
export type SlotKind = ForwardKind | 'greeting' | 'swallow-greeting' | 'data-end';

/** One owed reply. Local slots carry the proxy's own reply; backend slots wait for the member's. */
export type Slot =
  | { local: true; kind: 'other'; reply: string; then?: 'close' | 'starttls' }
  | { local: false; kind: SlotKind; reply: Reply | undefined; /** auth-cancel: the local reply the client gets */ instead?: string };

export type BackendSlot = Extract<Slot, { local: false }>;

export function isPositive(code: number): boolean {
  return code >= 200 && code < 400;
}
