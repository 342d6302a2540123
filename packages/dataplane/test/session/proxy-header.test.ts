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
