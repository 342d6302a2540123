/**
 * The server side of a TLS handshake on an accepted socket: after `220 Ready to start TLS`, or at
 * once on an implicit-TLS listener. A wrapped TLSSocket has no handshake timeout of its own, so
 * the timer lives here; a failure closes the socket without writing anything (plaintext would
 * only corrupt the client's TLS state).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

export interface HandshakeCallbacks {
  secure(socket: tls.TLSSocket): void;
  failed(reason: string): void;
}

export function serverHandshake(raw: net.Socket, secureContext: tls.SecureContext, timeoutMs: number, cb: HandshakeCallbacks): tls.TLSSocket {
  const socket = new tls.TLSSocket(raw, { isServer: true, secureContext, requestCert: false, rejectUnauthorized: false });
  let settled = false;
  const timer = timeoutMs > 0 ? setTimeout(() => fail('handshake timeout'), timeoutMs) : undefined;
  function fail(reason: string): void {
    if (settled) return;
    settled = true;
    if (timer) clearTimeout(timer);
    socket.destroy();
    raw.destroy();
    cb.failed(reason);
  }
  socket.once('secure', () => {
    if (settled) return;
    settled = true;
    if (timer) clearTimeout(timer);
    cb.secure(socket);
  });
  socket.on('error', (err: Error) => fail(err.message));
  socket.once('close', () => fail('closed during handshake'));
  return socket;
}
