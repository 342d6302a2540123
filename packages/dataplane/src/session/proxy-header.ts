/**
 * The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2): the first bytes on
 * a member connection, before its greeting is read, so that a member configured for it (Postfix's
 * `smtpd_upstream_proxy_protocol = haproxy`) sees the client's address instead of the proxy's.
 *
 * The v2 TLS TLVs describe the client's TLS, so they can only be sent on a member connection
 * opened after the client's handshake: in a STARTTLS session the member connection normally opens
 * before (its greeting is the client's greeting) and is kept through STARTTLS, so its header has
 * none; it carries them when the member connection is opened again after the handshake (the client
 * sent more than EHLO/HELO/NOOP/RSET before STARTTLS, decision 1).
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
  /** The client's TLS, when the proxy terminated it before this member connection opened (v2 TLVs). */
  tls?: ClientTlsFacts;
}

/** What a v2 header says of the client's TLS (PP2_TYPE_SSL and PP2_TYPE_AUTHORITY). */
export interface ClientTlsFacts {
  /** `TLSv1.3` (OpenSSL's name, as HAProxy sends it). */
  version: string;
  /** OpenSSL's cipher name (`TLS_AES_256_GCM_SHA384`, `ECDHE-RSA-AES128-GCM-SHA256`). */
  cipher: string;
  /** The name the client sent (SNI). */
  sni?: string;
  /** The client presented a certificate in this TLS session; `resumed`: not on this connection. */
  certPresented: boolean;
  resumed: boolean;
  /** Its certificate was verified. */
  verified: boolean;
}

// proxy-protocol.txt section 2.2.
const PP2_TYPE_AUTHORITY = 0x02;
const PP2_TYPE_SSL = 0x20;
const PP2_SUBTYPE_SSL_VERSION = 0x21;
const PP2_SUBTYPE_SSL_CIPHER = 0x23;
const PP2_CLIENT_SSL = 0x01;
const PP2_CLIENT_CERT_CONN = 0x02;
const PP2_CLIENT_CERT_SESS = 0x04;

function tlv(type: number, value: Buffer): Buffer {
  const head = Buffer.from([type, value.length >> 8, value.length & 0xff]);
  return Buffer.concat([head, value]);
}

/**
 * PP2_TYPE_AUTHORITY (the SNI name) and PP2_TYPE_SSL: the client flags, the verify field (0 only
 * when a certificate was presented and verified, as the specification says) and the version and
 * cipher sub-TLVs.
 */
function tlsTlvs(t: ClientTlsFacts): Buffer {
  const client = PP2_CLIENT_SSL | (t.certPresented ? PP2_CLIENT_CERT_SESS | (t.resumed ? 0 : PP2_CLIENT_CERT_CONN) : 0);
  const fixed = Buffer.alloc(5);
  fixed.writeUInt8(client, 0);
  fixed.writeUInt32BE(t.certPresented && t.verified ? 0 : 1, 1);
  const ssl = tlv(PP2_TYPE_SSL, Buffer.concat([fixed, tlv(PP2_SUBTYPE_SSL_VERSION, Buffer.from(t.version, 'ascii')), tlv(PP2_SUBTYPE_SSL_CIPHER, Buffer.from(t.cipher, 'ascii'))]));
  return t.sni ? Buffer.concat([tlv(PP2_TYPE_AUTHORITY, Buffer.from(t.sni, 'utf8')), ssl]) : ssl;
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
  const tlvs = ep.tls ? tlsTlvs(ep.tls) : Buffer.alloc(0);
  const len = addr.length + ports.length + tlvs.length;
  // 0x21: version 2, PROXY command. 0x11: AF_INET over STREAM; 0x21: AF_INET6 over STREAM.
  const head = Buffer.from([0x21, family === 4 ? 0x11 : 0x21, len >> 8, len & 0xff]);
  return Buffer.concat([V2_SIGNATURE, head, addr, ports, tlvs]);
}
