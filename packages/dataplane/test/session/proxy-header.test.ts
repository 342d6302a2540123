/**
 * smtps `client-identity proxy-v1|proxy-v2` (conformance cases 72, 73): the member connection
 * opens with a PROXY header naming the real client, before the member's greeting. The member here
 * behaves like Postfix with `smtpd_upstream_proxy_protocol = haproxy`: it reads the header first
 * and only then greets, so a session that works at all proves the header came first.
 */
import * as net from 'node:net';
import { proxyHeader } from '../../src/session/proxy-header';
import { Harness, virtualSpec } from '../support/harness';
import { TestClient } from '../support/smtp-client';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
beforeAll(() => (cert = makeCert()));

const h = new Harness();
const servers: net.Server[] = [];
afterEach(async () => {
  await h.stop();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A member that expects a PROXY header: records it, then greets; anything else is refused. */
async function proxyMember(): Promise<{ port: number; headers: Buffer[] }> {
  const headers: Buffer[] = [];
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let greeted = false;
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!greeted) {
        let len = 0;
        if (buf.subarray(0, 6).toString() === 'PROXY ') len = buf.indexOf('\r\n') + 2 || 0;
        else if (buf.length >= 16 && buf[12] === 0x21) len = 16 + buf.readUInt16BE(14);
        else if (buf.length >= 16) return void s.end('421 4.3.0 no PROXY header\r\n');
        if (len === 0 || buf.length < len) return;
        headers.push(buf.subarray(0, len));
        buf = buf.subarray(len);
        greeted = true;
        s.write('220 member.test ESMTP\r\n');
      }
      while (buf.includes('\r\n')) {
        const line = buf.subarray(0, buf.indexOf('\r\n')).toString();
        buf = buf.subarray(buf.indexOf('\r\n') + 2);
        if (/^QUIT/i.test(line)) s.end('221 2.0.0 Bye\r\n');
        else if (/^EHLO/i.test(line)) s.write('250-member.test\r\n250 8BITMIME\r\n');
        else s.write('250 2.0.0 Ok\r\n');
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, headers };
}

async function session(clientIdentity: 'proxy-v1' | 'proxy-v2') {
  const member = await proxyMember();
  const spec = virtualSpec('plain', undefined, { smtps: { name: '/Common/s', activationMode: 'none', clientIdentity } });
  const { port } = await h.proxy(spec, [{ address: '127.0.0.1', port: member.port }]);
  const client = h.track(await TestClient.connect(port, { localAddress: '127.0.0.5' }));
  const greeting = await client.reply();
  const local = client.raw.localPort!;
  return { member, port, client, greeting, local };
}

it('proxy-v1 (case 72): the member first reads exactly "PROXY TCP4 <client> <virtual> <cport> <vport>\\r\\n", then greets the client', async () => {
  const { member, port, greeting, local } = await session('proxy-v1');
  expect(greeting).toBe('220 member.test ESMTP\r\n');
  expect(member.headers.map((b) => b.toString())).toEqual([`PROXY TCP4 127.0.0.5 127.0.0.1 ${local} ${port}\r\n`]);
});

it('proxy-v2 (case 73): the member reads the v2 signature, TCP4 family and 4+4+2+2 address bytes of this connection', async () => {
  const { member, port, client, greeting, local } = await session('proxy-v2');
  expect(greeting).toBe('220 member.test ESMTP\r\n');
  const hdr = member.headers[0]!;
  expect([...hdr.subarray(0, 16)]).toEqual([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c]);
  expect([...hdr.subarray(16, 24)]).toEqual([127, 0, 0, 5, 127, 0, 0, 1]);
  expect(hdr.readUInt16BE(24)).toBe(local);
  expect(hdr.readUInt16BE(26)).toBe(port);
  expect(hdr.length).toBe(28);
  // The session goes on normally after the header.
  await client.send('EHLO client.test\r\n');
  expect(await client.reply()).toContain('250');
});

it('an IPv4 client on a dual-stack socket is sent as TCP4; IPv6 as TCP6 / AF_INET6 with 16-byte addresses', () => {
  const mapped = { clientAddress: '::ffff:10.1.2.3', clientPort: 4000, localAddress: '::ffff:10.0.0.1', localPort: 25 };
  expect(proxyHeader('proxy-v1', mapped).toString()).toBe('PROXY TCP4 10.1.2.3 10.0.0.1 4000 25\r\n');
  const v6 = { clientAddress: '2001:db8::5', clientPort: 4000, localAddress: '::1', localPort: 25 };
  expect(proxyHeader('proxy-v1', v6).toString()).toBe('PROXY TCP6 2001:db8::5 ::1 4000 25\r\n');
  const b = proxyHeader('proxy-v2', v6);
  expect([b[13], b.readUInt16BE(14), b.length]).toEqual([0x21, 36, 52]);
  expect(b.subarray(16, 32).toString('hex')).toBe('20010db8000000000000000000000005');
  expect(b.subarray(32, 48).toString('hex')).toBe('00000000000000000000000000000001');
  expect([b.readUInt16BE(48), b.readUInt16BE(50)]).toEqual([4000, 25]);
});

it('a client whose addresses are gone gets the honest "unknown" forms, not a made-up address', () => {
  const gone = { clientAddress: '', clientPort: 0, localAddress: '', localPort: 0 };
  expect(proxyHeader('proxy-v1', gone).toString()).toBe('PROXY UNKNOWN\r\n');
  expect([...proxyHeader('proxy-v2', gone).subarray(12)]).toEqual([0x20, 0x00, 0x00, 0x00]);
});

/** The TLVs after a v2 header's address block: [type, value] in order, sub-TLVs of PP2_TYPE_SSL split out. */
function tlvs(hdr: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  const walk = (b: Buffer) => {
    for (let i = 0; i < b.length; ) {
      const type = b[i]!;
      const len = b.readUInt16BE(i + 1);
      const value = b.subarray(i + 3, i + 3 + len);
      out.push([type, value]);
      if (type === 0x20) walk(value.subarray(5));
      i += 3 + len;
    }
  };
  expect(hdr.readUInt16BE(14)).toBe(hdr.length - 16);
  walk(hdr.subarray(28));
  return out;
}

describe('PROXY v2 TLS TLVs (PP2_TYPE_SSL, PP2_TYPE_AUTHORITY)', () => {
  const ep = { clientAddress: '10.1.2.3', clientPort: 4000, localAddress: '10.0.0.1', localPort: 25 };

  it('carry the SNI name, the client flags, the verify field, the TLS version and the cipher', () => {
    const hdr = proxyHeader('proxy-v2', { ...ep, tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', sni: 'mx.example.test', certPresented: false, resumed: false, verified: false } });
    const t = tlvs(hdr);
    expect(t.map(([type]) => type)).toEqual([0x02, 0x20, 0x21, 0x23]);
    expect(t[0]![1].toString()).toBe('mx.example.test');
    // client: PP2_CLIENT_SSL only; verify non-zero: no certificate was presented.
    expect([t[1]![1][0], t[1]![1].readUInt32BE(1)]).toEqual([0x01, 1]);
    expect(t[2]![1].toString()).toBe('TLSv1.3');
    expect(t[3]![1].toString()).toBe('TLS_AES_256_GCM_SHA384');
  });

  it('a verified client certificate: PP2_CLIENT_CERT_CONN and _SESS set and verify 0; on a resumed session only _SESS', () => {
    const base = { version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', certPresented: true, verified: true };
    const fresh = tlvs(proxyHeader('proxy-v2', { ...ep, tls: { ...base, resumed: false } }));
    expect(fresh.map(([type]) => type)).toEqual([0x20, 0x21, 0x23]);
    expect([fresh[0]![1][0], fresh[0]![1].readUInt32BE(1)]).toEqual([0x07, 0]);
    const resumed = tlvs(proxyHeader('proxy-v2', { ...ep, tls: { ...base, resumed: true } }));
    expect(resumed[0]![1][0]).toBe(0x05);
    const unverified = tlvs(proxyHeader('proxy-v2', { ...ep, tls: { ...base, resumed: false, verified: false } }));
    expect(unverified[0]![1].readUInt32BE(1)).toBe(1);
    // v1 has no room for them.
    expect(proxyHeader('proxy-v1', { ...ep, tls: { ...base, resumed: false } }).toString()).toBe('PROXY TCP4 10.1.2.3 10.0.0.1 4000 25\r\n');
  });

  async function starttlsSession(before: string[]) {
    const member = await proxyMember();
    const spec = virtualSpec('allow', cert, { smtps: { name: '/Common/s', activationMode: 'allow', clientIdentity: 'proxy-v2' } });
    const { port } = await h.proxy(spec, [{ address: '127.0.0.1', port: member.port }]);
    const client = h.track(await TestClient.connect(port, { localAddress: '127.0.0.5' }));
    expect(await client.reply()).toMatch(/^220 /);
    for (const line of before) await client.cmd(line);
    expect(await client.cmd('STARTTLS')).toMatch(/^220 /);
    const tls = await client.startTls(cert.cert);
    expect(await client.cmd('EHLO client.test')).toMatch(/^250/);
    return { member, tls };
  }

  it('a member connection opened after STARTTLS (the client sent VRFY first) carries them, as the client negotiated', async () => {
    const { member, tls } = await starttlsSession(['EHLO client.test', 'VRFY postmaster']);
    expect(member.headers).toHaveLength(2);
    expect(member.headers[0]!.length).toBe(28); // opened before TLS: nothing to say yet
    const t = tlvs(member.headers[1]!);
    expect(t.map(([type]) => type)).toEqual([0x02, 0x20, 0x21, 0x23]);
    expect(t[0]![1].toString()).toBe('proxy.test');
    expect(t[2]![1].toString()).toBe(tls.getProtocol());
    expect(t[3]![1].toString()).toBe(tls.getCipher().name);
  });

  it('the member connection kept through STARTTLS opened before TLS: its header has no TLVs', async () => {
    const { member } = await starttlsSession(['EHLO client.test']);
    expect(member.headers).toHaveLength(1);
    expect(member.headers[0]!.length).toBe(28);
  });
});
