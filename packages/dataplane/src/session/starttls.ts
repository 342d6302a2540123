/**
 * The server side of a TLS handshake on an accepted socket: after `220 Ready to start TLS`, or at
 * once on an implicit-TLS listener. A wrapped TLSSocket has no handshake timeout of its own, so
 * the timer lives here; a failure closes the socket without writing anything (plaintext would
 * only corrupt the client's TLS state).
 */
import type * as net from 'node:net';
import * as tls from 'node:tls';
import type { Logger } from 'pino';
import type { VirtualStats } from '../desired-state';
import type { ClientTls, HandshakeFacts } from '../listener/client-tls';

export interface HandshakeCallbacks {
  /** `facts`: the client-ssl profile SNI chose, resumption, and the client certificate verdict. */
  secure(socket: tls.TLSSocket, facts: HandshakeFacts): void;
  failed(reason: string): void;
}

export function serverHandshake(raw: net.Socket, clientTls: ClientTls, timeoutMs: number, cb: HandshakeCallbacks): tls.TLSSocket {
  const { options, chosen } = clientTls.socketOptions();
  const socket = new tls.TLSSocket(raw, options);
  let settled = false;
  const timer = timeoutMs > 0 ? setTimeout(() => fail('handshake timeout'), timeoutMs) : undefined;
  function fail(why: string): void {
    if (settled) return;
    settled = true;
    // Under sni-require an unserved name ends in OpenSSL's "no certificate" error: say what it means.
    const reason = clientTls.defaultProfile.sniRequire && !clientTls.match(typeof socket.servername === 'string' ? socket.servername : undefined)
      ? `sni-require: the client sent ${socket.servername ? `a name no client-ssl profile serves (${String(socket.servername)})` : 'no server name'} (${why})`
      : why;
    if (timer) clearTimeout(timer);
    socket.destroy();
    raw.destroy();
    cb.failed(reason);
  }
  socket.once('secure', () => {
    if (settled) return;
    const profile = clientTls.served(chosen(), typeof socket.servername === 'string' ? socket.servername : undefined, socket.isSessionReused());
    // Unreachable in practice: under sni-require a new handshake without a served name fails in OpenSSL.
    if (!profile) return fail('no client-ssl profile serves the name the client sent');
    settled = true;
    if (timer) clearTimeout(timer);
    cb.secure(socket, clientTls.facts(socket, profile));
  });
  socket.on('error', (err: Error) => fail(err.message));
  socket.once('close', () => fail('closed during handshake'));
  return socket;
}

/**
 * Log and count the client certificate (when the profile asks for one); false when
 * peer-cert-mode require refuses it (the session then ends with a 421 inside TLS).
 */
export function acceptClientCert(facts: HandshakeFacts, stats: VirtualStats, log: Logger): boolean {
  const cert = facts.clientCert;
  if (!cert) return true;
  if (!cert.presented) stats.clientCertNone++;
  else if (cert.result === 'ok') stats.clientCertValid++;
  else stats.clientCertInvalid++;
  log.info({ profile: facts.profile, subject: cert.subject, issuer: cert.issuer, verify: cert.result, refused: cert.refuse }, 'client certificate');
  return !cert.refuse;
}
