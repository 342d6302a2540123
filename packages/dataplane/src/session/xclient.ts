/**
 * XCLIENT towards a member (Postfix's XCLIENT_README): on a greeted member connection, the proxy's
 * own EHLO, then `XCLIENT ADDR=… PORT=… [NAME=[UNAVAILABLE]]` when the member advertises it. The
 * member answers with a fresh 220, which becomes the greeting the client sees; the client's own
 * EHLO then starts the session afresh, so Postfix records the client's HELO name and protocol
 * itself (HELO= and PROTO= need not be sent). The proxy does no reverse DNS: NAME is
 * [UNAVAILABLE]. The proxy never authenticates clients (AUTH is the member's), so no LOGIN=.
 */
import type * as net from 'node:net';
import { ReplyParser, type Reply } from './reply-parser';

export interface XclientSpec {
  ehloName: string;
  clientAddress: string;
  clientPort: number;
  timeoutMs: number;
}

/** sent: the member took it, `greeting` is its new 220. The other two leave a session after EHLO. */
export type XclientOutcome =
  | { kind: 'sent'; greeting: Reply }
  | { kind: 'not-offered' | 'refused'; detail: string };

/** `ADDR=` value: IPv4 as is (unwrapped from ::ffff:), IPv6 with Postfix's `IPV6:` prefix. */
export function xclientAddr(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return m[1]!;
  return address.includes(':') ? `IPV6:${address}` : address;
}

/** The XCLIENT line for the attributes the member advertised (ADDR and PORT are required). */
export function xclientLine(advertised: readonly string[], spec: Pick<XclientSpec, 'clientAddress' | 'clientPort'>): string {
  const attrs = [`ADDR=${xclientAddr(spec.clientAddress)}`, `PORT=${spec.clientPort}`];
  if (advertised.includes('NAME')) attrs.push('NAME=[UNAVAILABLE]');
  return `XCLIENT ${attrs.join(' ')}\r\n`;
}

/** The attribute names after `250-XCLIENT`, upper-cased; undefined when not advertised. */
export function advertisedXclient(ehloReply: Buffer): string[] | undefined {
  const m = /^250[ -]XCLIENT(?: +([^\r\n]*))?\r?$/im.exec(ehloReply.toString('latin1'));
  return m ? (m[1] ?? '').trim().toUpperCase().split(/\s+/).filter(Boolean) : undefined;
}

export function xclientToMember(socket: net.Socket, leftover: Reply[], spec: XclientSpec): Promise<XclientOutcome> {
  return new Promise((resolve, reject) => {
    if (leftover.length > 0) return reject(new Error('member sent more than its greeting'));
    const parser = new ReplyParser();
    const replies: Reply[] = [];
    let step: 'ehlo' | 'xclient' = 'ehlo';
    const finish = (r?: XclientOutcome, err?: Error) => {
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(r!);
    };
    const onData = (chunk: Buffer) => {
      try {
        parser.push(chunk, replies);
      } catch {
        return finish(undefined, new Error('oversized reply from member'));
      }
      if (replies.length === 0) return;
      const reply = replies.shift()!;
      if (replies.length > 0 || parser.pending) return finish(undefined, new Error('member pipelined replies during XCLIENT'));
      if (step === 'ehlo') {
        if (reply.code !== 250) return finish(undefined, new Error(`member refused EHLO (${reply.code})`));
        const attrs = advertisedXclient(reply.bytes);
        if (!attrs) return finish({ kind: 'not-offered', detail: 'member does not advertise XCLIENT' });
        if (!attrs.includes('ADDR') || !attrs.includes('PORT')) return finish({ kind: 'not-offered', detail: `member's XCLIENT lacks ADDR or PORT (${attrs.join(' ')})` });
        step = 'xclient';
        socket.write(xclientLine(attrs, spec));
        return;
      }
      if (reply.code === 220) return finish({ kind: 'sent', greeting: reply });
      // 421 from the member is a goodbye, not a refusal to carry on without XCLIENT.
      if (reply.code === 421) return finish(undefined, new Error('member closed the session at XCLIENT (421)'));
      finish({ kind: 'refused', detail: `member refused XCLIENT: ${reply.bytes.toString('latin1').trim()}` });
    };
    const onError = (err: Error) => finish(undefined, err);
    const onClose = () => finish(undefined, new Error('member closed during XCLIENT'));
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    const timer = setTimeout(() => finish(undefined, new Error('XCLIENT timeout')), spec.timeoutMs);
    socket.write(`EHLO ${spec.ehloName}\r\n`);
  });
}
