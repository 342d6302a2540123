/**
 * smtps `client-identity xclient` (conformance cases 69-71) against mock members over real
 * sockets: what the member reads, which greeting the client gets, and what a member that does not
 * take XCLIENT gets under each `xclient-fallback`.
 */
import * as net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { XclientFallback } from '../../src/desired-state';
import { B0_EHLO, B0_GREETING } from '../support/mock-backend';
import { Harness, until, virtualSpec } from '../support/harness';
import { TestClient } from '../support/smtp-client';
import { makeCert } from '../support/tls-fixture';

const h = new Harness();
afterEach(() => h.stop());

const AFTER_XCLIENT = '220 after-xclient.backend.test ESMTP\r\n';
const NO_XCLIENT_EHLO = B0_EHLO.replace('250-XCLIENT NAME ADDR PORT PROTO HELO LOGIN\r\n', '');
const REFUSED = '550 5.7.0 Error: insufficient authorization\r\n';

function xclientSpec(xclientFallback?: XclientFallback, over = {}) {
  return virtualSpec('plain', undefined, { smtps: { name: '/Common/s', activationMode: 'none', clientIdentity: 'xclient', ...(xclientFallback ? { xclientFallback } : {}) }, ...over });
}

function logCapture() {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
  return { logger, lines };
}

it('case 69: the member reads the proxy\'s EHLO then XCLIENT ADDR/PORT/NAME; the client is greeted with the 220 sent after XCLIENT, and its own EHLO follows', async () => {
  const member = await h.backend({ replies: { XCLIENT: AFTER_XCLIENT } });
  const { port, listener } = await h.proxy(xclientSpec(), [{ address: '127.0.0.1', port: member.port }]);
  const client = h.track(await TestClient.connect(port, { localAddress: '127.0.0.5' }));
  expect(await client.reply()).toBe(AFTER_XCLIENT);
  const ehlo = await client.cmd('EHLO client.test');
  expect(ehlo).toMatch(/^250 /m);
  expect(ehlo).not.toContain('XCLIENT');
  expect(member.log()).toBe(`EHLO proxy.test\r\nXCLIENT ADDR=127.0.0.5 PORT=${client.raw.localPort} NAME=[UNAVAILABLE]\r\nEHLO client.test\r\n`);
  expect(listener.stats.xclientSent).toBe(1);
});

it('case 70: an IPv6 client ::1 is sent as ADDR=IPV6:::1', async () => {
  const member = await h.backend({ replies: { XCLIENT: AFTER_XCLIENT } });
  const { port } = await h.proxy(xclientSpec(undefined, { address: '::1' }), [{ address: '127.0.0.1', port: member.port }]);
  const s = net.connect({ host: '::1', port });
  const got = await new Promise<string>((resolve, reject) => {
    s.once('data', (d) => resolve(d.toString()));
    s.once('error', reject);
  });
  expect(got).toBe(AFTER_XCLIENT);
  expect(member.log()).toContain(`XCLIENT ADDR=IPV6:::1 PORT=${s.localPort} NAME=[UNAVAILABLE]\r\n`);
  s.destroy();
});

it('case 71: next-member (default): a member that does not advertise XCLIENT is skipped for one that does; with none left the client gets 421', async () => {
  const plain = await h.backend({ ehlo: NO_XCLIENT_EHLO });
  const good = await h.backend({ replies: { XCLIENT: AFTER_XCLIENT } });
  const cap = logCapture();
  const two = await h.proxy(xclientSpec(), [{ address: '127.0.0.1', port: plain.port }, { address: '127.0.0.1', port: good.port }], { logger: cap.logger });
  const c1 = h.track(await TestClient.connect(two.port));
  expect(await c1.reply()).toBe(AFTER_XCLIENT);
  expect(plain.log()).toBe('EHLO proxy.test\r\n');
  expect(good.log()).toContain('XCLIENT ADDR=127.0.0.1 ');
  expect(two.listener.stats.xclientFallbacks).toBe(1);
  expect(cap.lines.join('')).toContain('member does not advertise XCLIENT');

  const only = await h.proxy(xclientSpec('next-member'), [{ address: '127.0.0.1', port: plain.port }]);
  const c2 = h.track(await TestClient.connect(only.port));
  expect(await c2.reply()).toMatch(/^421 4\.3\.2 /);
  expect(await until(() => c2.closed)).toBe(true);
});

it('next-member: a member that refuses XCLIENT (550) is not used; the client gets 421', async () => {
  const member = await h.backend({ replies: { XCLIENT: REFUSED } });
  const { port, listener } = await h.proxy(xclientSpec('next-member'), [{ address: '127.0.0.1', port: member.port }]);
  const c = h.track(await TestClient.connect(port));
  expect(await c.reply()).toMatch(/^421 /);
  expect(listener.stats.xclientFallbacks).toBe(1);
  expect(member.log()).not.toContain('MAIL');
});

it('relay: a member without XCLIENT, or refusing it, is used without the client identity; the client gets its first greeting and a working session', async () => {
  for (const opts of [{ ehlo: NO_XCLIENT_EHLO }, { replies: { XCLIENT: REFUSED } }]) {
    const member = await h.backend(opts);
    const cap = logCapture();
    const { port, listener } = await h.proxy(xclientSpec('relay'), [{ address: '127.0.0.1', port: member.port }], { logger: cap.logger });
    const c = h.track(await TestClient.connect(port));
    expect(await c.reply()).toBe(B0_GREETING);
    expect(await c.cmd('EHLO client.test')).toMatch(/^250 /m);
    expect(await c.cmd('MAIL FROM:<a@client.test>')).toMatch(/^250 /);
    expect(listener.stats.xclientFallbacks).toBe(1);
    expect(cap.lines.join('')).toContain('relaying without the client identity');
  }
});

it('after STARTTLS, a fresh member connection gets XCLIENT before any of the client\'s post-TLS commands', async () => {
  const cert = makeCert();
  const member = await h.backend({ replies: { XCLIENT: AFTER_XCLIENT } });
  const spec = virtualSpec('allow', cert, { smtps: { name: '/Common/s', activationMode: 'allow', clientIdentity: 'xclient' } });
  const { port } = await h.proxy(spec, [{ address: '127.0.0.1', port: member.port }]);
  const c = h.track(await TestClient.connect(port, { localAddress: '127.0.0.5' }));
  await c.reply();
  await c.cmd('EHLO c');
  // MAIL before TLS taints the member connection: it is closed and a fresh one opened after TLS.
  expect(await c.cmd('MAIL FROM:<a@client.test>')).toMatch(/^250/);
  expect(await c.cmd('STARTTLS')).toMatch(/^220/);
  await c.startTls(cert.cert);
  expect(await c.cmd('EHLO c')).toMatch(/^250 /m);
  expect(await c.cmd('MAIL FROM:<a@client.test>')).toMatch(/^250/);
  expect(member.received).toHaveLength(2);
  const second = member.received[1]!.toString('latin1');
  expect(second).toBe(`EHLO proxy.test\r\nXCLIENT ADDR=127.0.0.5 PORT=${c.raw.localPort} NAME=[UNAVAILABLE]\r\nEHLO c\r\nMAIL FROM:<a@client.test>\r\n`);
});
