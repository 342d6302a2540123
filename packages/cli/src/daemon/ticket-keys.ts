/**
 * TLS session ticket keys for the data plane: made here, in the daemon, and handed to the data
 * plane as data, so that every worker of one daemon encrypts and accepts the same tickets (a
 * client resumed by any worker). They are rotated on a schedule: a ticket stolen from a client
 * stops being useful within one rotation period. node holds one key set per TLS context, so a
 * ticket made before a rotation is not resumed after it (the client does a full handshake).
 */
import { randomBytes } from 'node:crypto';

/** 16 bytes name, 16 bytes HMAC secret, 16 bytes AES key: node's ticketKeys layout. */
export const TICKET_KEY_BYTES = 48;
export const DEFAULT_ROTATION_MS = 60 * 60 * 1000;

export class TicketKeyRotation {
  private keys: Buffer = randomBytes(TICKET_KEY_BYTES);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly periodMs: number = DEFAULT_ROTATION_MS) {
    if (!(periodMs > 0)) throw new Error('The ticket key rotation period must be positive.');
  }

  get current(): Buffer {
    return this.keys;
  }

  /** Calls `apply` with fresh keys every period (the first keys are `current`). */
  start(apply: (keys: Buffer) => void): void {
    this.stop();
    this.timer = setInterval(() => {
      this.keys = randomBytes(TICKET_KEY_BYTES);
      apply(this.keys);
    }, this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
