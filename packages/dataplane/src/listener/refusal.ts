/**
 * How a connection admission turned away is closed, the same in one process and in the primary.
 * Plaintext and STARTTLS ports get `421 4.7.0` and the socket is closed as soon as the reply is
 * handed to the kernel. An implicit-TLS port gets a reset: a reply there would need a full
 * handshake first, which is exactly the work a flood must not be able to buy. Nothing lingers.
 */
import type * as net from 'node:net';
import type { VirtualSpec } from '../desired-state';
import { hostReplies } from '../session/replies';

/** True when the virtual speaks TLS from the first byte (client-ssl without smtps). */
export const implicitTls = (spec: Pick<VirtualSpec, 'smtps' | 'clientSsl'>): boolean => !spec.smtps && spec.clientSsl !== undefined;

export function turnAway(sock: net.Socket, implicit: boolean, hostname: string): void {
  if (implicit) {
    sock.resetAndDestroy();
    return;
  }
  sock.write(hostReplies(hostname).tooManyConnections, () => sock.destroy());
}
