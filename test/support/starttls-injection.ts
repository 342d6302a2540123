/**
 * The STARTTLS command-injection probe of "Why TLS is better without STARTTLS" (USENIX Security
 * 2021; smtp-starttls.md sections 4.2 and 4.7), reimplemented: the EAST tester is not vendored.
 *
 * 1. Read the greeting, send EHLO, check that STARTTLS is offered.
 * 2. In ONE write (one TCP segment, Nagle off): `STARTTLS\r\n` followed by an injected command
 *    (default `EHLO commandinjectiontester\r\n`).
 * 3. Expect 220, do the TLS handshake (certificate not verified).
 * 4. Wait `waitMs` for anything the server sends inside TLS unprompted. A reply there is the reply
 *    to the injected command: the server carried plaintext bytes across the TLS boundary.
 * 5. If nothing came, send `FAKE <id>` (as EAST does): a 250 to it means the replies are shifted by
 *    one, i.e. the injected command was answered late; a 5xx is the expected answer.
 *
 * A correct server (Postfix, nginx) discards bytes pipelined after STARTTLS: `injectable: false`.
 */
import { connect, Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import { SmtpReply, SmtpReplyReader } from './smtp-reply-reader';

export interface InjectionProbeOptions {
  port: number;
  host?: string;
  /** Plaintext sent right after `STARTTLS\r\n` in the same segment. */
  injected?: string;
  /** How long to wait for unprompted data inside TLS (EAST uses its timeout, 2 s). */
  waitMs?: number;
  /** SNI name sent in the handshake. */
  servername?: string;
  timeoutMs?: number;
}

export type InjectionVerdict =
  /** The server answered the injected command inside TLS (or answered FAKE with 250). */
  | 'injectable'
  /** Nothing arrived unprompted and FAKE was refused: the injected bytes were discarded. */
  | 'not-injectable'
  /** The server does not offer STARTTLS, so there is nothing to probe. */
  | 'no-starttls'
  /** STARTTLS was not answered 220. */
  | 'starttls-refused'
  /** The server closed or failed the TLS handshake (some servers do that on pipelined bytes: safe). */
  | 'handshake-failed';

export interface InjectionProbeResult {
  verdict: InjectionVerdict;
  /** True only for `injectable`. */
  injectable: boolean;
  /** The reply to STARTTLS. */
  starttlsReply?: SmtpReply;
  /** Plaintext bytes that came after the 220 and before the handshake (a broken server answers there). */
  plaintextAfter220: string;
  /** What the server sent inside TLS before being asked anything. */
  unpromptedInsideTls: string;
  /** The reply to `FAKE ...` inside TLS, when it was sent. */
  fakeReply?: SmtpReply;
  /** Protocol / error detail for reports. */
  detail: string;
}

export async function probeStarttlsInjection(options: InjectionProbeOptions): Promise<InjectionProbeResult> {
  const host = options.host ?? '127.0.0.1';
  const injected = options.injected ?? 'EHLO commandinjectiontester\r\n';
  const waitMs = options.waitMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const raw = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host, port: options.port }, () => resolve(s));
    s.once('error', reject);
  });
  raw.setNoDelay(true);
  let tls: TLSSocket | undefined;
  const base = { injectable: false, plaintextAfter220: '', unpromptedInsideTls: '' };
  try {
    const plain = new SmtpReplyReader(raw);
    await plain.next(timeoutMs); // greeting
    raw.write('EHLO probe.test\r\n');
    const ehlo = await plain.next(timeoutMs);
    if (!ehlo.lines.some((l) => /^\d{3}[- ]STARTTLS\b/i.test(l))) {
      return { ...base, verdict: 'no-starttls', detail: ehlo.lines.join(' | ') };
    }

    raw.write(`STARTTLS\r\n${injected}`);
    const starttlsReply = await plain.next(timeoutMs);
    if (starttlsReply.code !== 220) {
      return { ...base, verdict: 'starttls-refused', starttlsReply, detail: starttlsReply.lines.join(' | ') };
    }
    // Give a broken server a moment to answer the injected command in clear: anything buffered
    // after the 220 is a plaintext reply sent before the handshake.
    await new Promise((r) => setTimeout(r, Math.min(100, waitMs)));
    const plaintextAfter220 = plain.detach().toString('latin1');
    if (/^\d{3}[ -]/m.test(plaintextAfter220)) {
      // The server answered the injected command in clear after 220: it read past STARTTLS.
      return { ...base, verdict: 'injectable', injectable: true, starttlsReply, plaintextAfter220, detail: 'reply to the injected command before TLS' };
    }

    try {
      tls = await new Promise<TLSSocket>((resolve, reject) => {
        const t = tlsConnect({ socket: raw, servername: options.servername ?? 'localhost', rejectUnauthorized: false }, () => {
          t.on('error', () => undefined); // later errors end the probe through the reader or finally
          resolve(t);
        });
        t.once('error', reject);
        t.once('close', () => reject(new Error('closed during the handshake')));
      });
    } catch (e) {
      return { ...base, verdict: 'handshake-failed', starttlsReply, plaintextAfter220, detail: (e as Error).message };
    }
    const detail = `${tls.getProtocol()} ${tls.getCipher().name}`;
    const secure = new SmtpReplyReader(tls);
    await new Promise((r) => setTimeout(r, waitMs));
    const unprompted = secure.pending().toString('latin1');
    if (/^\d{3}[ -]/m.test(unprompted)) {
      secure.detach();
      return { ...base, verdict: 'injectable', injectable: true, starttlsReply, plaintextAfter220, unpromptedInsideTls: unprompted, detail };
    }
    tls.write('FAKE commandinjectionprobe\r\n');
    let fakeReply: SmtpReply;
    try {
      fakeReply = await secure.next(timeoutMs);
    } catch (e) {
      return { ...base, verdict: 'handshake-failed', starttlsReply, plaintextAfter220, detail: `no reply inside TLS: ${(e as Error).message}` };
    }
    tls.write('QUIT\r\n');
    const injectable = fakeReply.code === 250;
    secure.detach();
    return {
      ...base,
      verdict: injectable ? 'injectable' : 'not-injectable',
      injectable,
      starttlsReply,
      plaintextAfter220,
      fakeReply,
      detail,
    };
  } finally {
    tls?.destroy();
    raw.destroy();
  }
}
