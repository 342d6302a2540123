/**
 * The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2): the first bytes on
 * a member connection, before its greeting is read, so that a member configured for it (Postfix's
 * `smtpd_upstream_proxy_protocol = haproxy`) sees the client's address instead of the proxy's.
 */
import * as net from 'node:net';

export type ProxyVersion = 'proxy-v1' | 'proxy-v2';

/** The accepted client connection, as the proxy saw it. */
export interface ClientEndpoints {
  clientAddress: string;
  clientPort: number;
  /** The address and port the client connected to (the virtual's). */
  localAddress: string;
  localPort: number;
}

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** `::ffff:127.0.0.1` is an IPv4 client on a dual-stack socket: it is sent as TCP4. */
function plain(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

function ipv6Bytes(address: string): Buffer {
  // Expand "::" and any embedded IPv4 tail into eight 16-bit groups.
  let a = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    a = a.slice(0, -v4[1]!.length) + ((o[0]! << 8) | o[1]!).toString(16) + ':' + ((o[2]! << 8) | o[3]!).toString(16);
  }
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/**
 * The header for one member connection. Both ends of the client's connection are of one family
 * once IPv4-mapped addresses are unwrapped; should they not be (never on a real socket), v1 says
 * UNKNOWN and v2 LOCAL, which a member reads as "use the connection's own addresses".
 */
export function proxyHeader(version: ProxyVersion, ep: ClientEndpoints): Buffer {
  const src = plain(ep.clientAddress);
  const dst = plain(ep.localAddress);
  const family = net.isIP(src) === net.isIP(dst) ? net.isIP(src) : 0;
  if (version === 'proxy-v1') {
    if (family === 0) return Buffer.from('PROXY UNKNOWN\r\n');
    return Buffer.from(`PROXY TCP${family} ${src} ${dst} ${ep.clientPort} ${ep.localPort}\r\n`);
  }
  if (family === 0) return Buffer.concat([V2_SIGNATURE, Buffer.from([0x20, 0x00, 0x00, 0x00])]);
  const addr =
    family === 4
      ? Buffer.from([...src.split('.').map(Number), ...dst.split('.').map(Number)])
      : Buffer.concat([ipv6Bytes(src), ipv6Bytes(dst)]);
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(ep.clientPort, 0);
  ports.writeUInt16BE(ep.localPort, 2);
  const len = addr.length + ports.length;
  // 0x21: version 2, PROXY command. 0x11: AF_INET over STREAM; 0x21: AF_INET6 over STREAM.
  const head = Buffer.from([0x21, family === 4 ? 0x11 : 0x21, len >> 8, len & 0xff]);
  return Buffer.concat([V2_SIGNATURE, head, addr, ports]);
}
