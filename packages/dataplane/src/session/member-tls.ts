/**
 * TLS towards a pool member (a server-ssl profile on the virtual). A member on port 465 speaks
 * TLS from the first byte; any other member is greeted in plaintext and then upgraded by the
 * proxy's own EHLO and STARTTLS, whose replies the client never sees (RFC 3207: after TLS the
 * member forgets everything, so the client's own EHLO then starts the session afresh).
 *
 * No downgrade: a member that does not offer STARTTLS, refuses it, or whose certificate fails
 * verification is a failed member connection, never a plaintext one.
 */
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { ReplyParser, type Reply } from './reply-parser';

export interface MemberTls {
  /** Full path of the server-ssl profile, for logs. */
  profile: string;
  context: tls.SecureContext;
  /** SNI name sent to the member; also the name its certificate must carry when verified. */
  serverName?: string;
  /** peer-cert-mode require: the member's certificate must chain to the profile's ca-file. */
  verify: boolean;
  /** 0 = no limit. */
  handshakeTimeoutMs: number;
  /** Name in the proxy's EHLO to the member. */
  ehloName: string;
}

/** Members on this port get TLS from the first byte (submissions/smtps). */
export const IMPLICIT_TLS_PORT = 465;

function tlsOptions(spec: MemberTls): tls.ConnectionOptions {
  return {
    secureContext: spec.context,
    ...(spec.serverName ? { servername: spec.serverName } : {}),
    rejectUnauthorized: spec.verify,
    // BIG-IP's server-ssl checks the chain; the name only when one is configured.
    checkServerIdentity: (_host, cert) => (spec.serverName ? tls.checkServerIdentity(spec.serverName, cert) : undefined),
  };
}

/**
 * A TLS connection to a port-465 member (its greeting then comes inside TLS). `raw`: a TCP
 * connection already under way that carries a PROXY header before the TLS handshake.
 */
export function connectImplicit(address: string, port: number, spec: MemberTls, raw?: net.Socket): tls.TLSSocket {
  return tls.connect({ ...(raw ? { socket: raw } : { host: address, port }), ...tlsOptions(spec) });
}

/**
 * The STARTTLS bridge on a greeted plaintext member connection. `leftover`: bytes that arrived
 * after the greeting (a member must not send any; they would be read as TLS, so it is refused).
 */
export function starttlsToMember(socket: net.Socket, leftover: Reply[], spec: MemberTls): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    if (leftover.length > 0) return reject(new Error('member sent more than its greeting'));
    const parser = new ReplyParser();
    const replies: Reply[] = [];
    let step: 'ehlo' | 'starttls' = 'ehlo';
    let timer: NodeJS.Timeout | undefined;
    const done = (err?: Error) => {
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      if (timer) clearTimeout(timer);
      if (err) reject(err);
    };
    const onData = (chunk: Buffer) => {
      try {
        parser.push(chunk, replies);
      } catch {
        return done(new Error('oversized reply from member'));
      }
      if (replies.length === 0) return;
      const reply = replies.shift()!;
      if (replies.length > 0 || parser.pending) return done(new Error('member pipelined replies during the STARTTLS bridge'));
      if (step === 'ehlo') {
        if (reply.code !== 250) return done(new Error(`member refused EHLO (${reply.code})`));
        if (!/^250[ -]STARTTLS\s*$/im.test(reply.bytes.toString('latin1'))) return done(new Error('member does not offer STARTTLS'));
        step = 'starttls';
        socket.write('STARTTLS\r\n');
        return;
      }
      if (reply.code !== 220) return done(new Error(`member refused STARTTLS (${reply.code})`));
      done();
      handshake(socket, spec).then(resolve, reject);
    };
    const onError = (err: Error) => done(err);
    const onClose = () => done(new Error('member closed during the STARTTLS bridge'));
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    if (spec.handshakeTimeoutMs > 0) timer = setTimeout(() => done(new Error('STARTTLS bridge timeout')), spec.handshakeTimeoutMs);
    socket.write(`EHLO ${spec.ehloName}\r\n`);
  });
}

function handshake(socket: net.Socket, spec: MemberTls): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const t = tls.connect({ socket, ...tlsOptions(spec) });
    let timer: NodeJS.Timeout | undefined;
    const fail = (err: Error) => {
      if (timer) clearTimeout(timer);
      t.destroy();
      reject(err);
    };
    if (spec.handshakeTimeoutMs > 0) timer = setTimeout(() => fail(new Error('TLS handshake timeout')), spec.handshakeTimeoutMs);
    t.once('secureConnect', () => {
      if (timer) clearTimeout(timer);
      t.removeListener('error', fail);
      resolve(t);
    });
    t.once('error', fail);
  });
}
