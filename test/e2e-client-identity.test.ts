/**
 * Issue 14 end to end: the real daemon configured with the real tmsh, a real Postfix as the member
 * with `smtpd_upstream_proxy_protocol = haproxy`, and swaks bound to 127.0.0.5 as the client.
 * Postfix's log and the Received: header it writes must name 127.0.0.5, not the proxy. With a
 * server-ssl profile the header still comes first: before the proxy's STARTTLS to the member, and
 * before the TLS handshake with a port-465 member. With XCLIENT, a second Postfix trusts the
 * proxy (`smtpd_authorized_xclient_hosts`) and a third does not (the xclient-fallback cases).
 */
import { randomInt } from 'node:crypto';
import { connect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { SmtpReplyReader } from './support/smtp-reply-reader';
import { makeTestPki } from './support/pki';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { startPostfix, type PrivatePostfix } from './support/postfix';
import { swaks } from './support/swaks';

let ltm: OpenltmInstance;
let postfix: PrivatePostfix;
let xcPostfix: PrivatePostfix;
let untrusting: PrivatePostfix;
// A loopback address of its own, so port 465 is free for this test's Postfix.
const implicitAddress = `127.${randomInt(1, 250)}.${randomInt(1, 250)}.${randomInt(2, 250)}`;
const ports = { v1: 0, v2: 0, v2starttls: 0, v2implicit: 0, xc: 0, xcRelay: 0, xcNext: 0, xcTls: 0, v2tlv: 0 };

beforeAll(async () => {
  const pki = await makeTestPki();
  const server = await pki.issue('mx.backend.test', { usage: 'server', altNames: ['DNS:mx.backend.test'] });
  postfix = await startPostfix({
    tls: { certFile: server.certFile, keyFile: server.keyFile, level: 'may', implicitAddress },
    main: { smtpd_upstream_proxy_protocol: 'haproxy' },
  });
  xcPostfix = await startPostfix({ main: { smtpd_authorized_xclient_hosts: '127.0.0.1' } });
  untrusting = await startPostfix();
  ltm = createOpenltm();
  for (const k of Object.keys(ports) as Array<keyof typeof ports>) ports[k] = await freePort();
  await ltm.tmshOk(`create ltm pool p_pf members replace-all-with { 127.0.0.1:${postfix.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk(`create ltm pool p_465 members replace-all-with { ${implicitAddress}:465 { address ${implicitAddress} } }`);
  await ltm.tmshOk('create ltm profile server-ssl ss_plain');
  await ltm.tmshOk('create ltm profile smtps s_v1 activation-mode none client-identity proxy-v1');
  await ltm.tmshOk('create ltm profile smtps s_v2 activation-mode none client-identity proxy-v2');
  await ltm.tmshOk('create ltm profile smtps s_v2_allow activation-mode allow client-identity proxy-v2');
  await ltm.tmshOk(`create ltm pool p_xc members replace-all-with { 127.0.0.1:${xcPostfix.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk(`create ltm pool p_untrusting members replace-all-with { 127.0.0.1:${untrusting.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk('create ltm profile smtps s_xc activation-mode none client-identity xclient');
  await ltm.tmshOk('create ltm profile smtps s_xc_allow activation-mode allow client-identity xclient');
  await ltm.tmshOk('create ltm profile smtps s_xc_relay activation-mode none client-identity xclient xclient-fallback relay');
  await ltm.tmshOk('create ltm profile smtps s_xc_next activation-mode none client-identity xclient xclient-fallback next-member');
  const vs = (name: string, port: number, pool: string, profiles: string) =>
    ltm.tmshOk(`create ltm virtual ${name} destination 127.0.0.1:${port} pool ${pool} profiles replace-all-with { /Common/tcp { } ${profiles} }`);
  await vs('vs_v1', ports.v1, 'p_pf', 's_v1 { }');
  await vs('vs_v2', ports.v2, 'p_pf', 's_v2 { }');
  await vs('vs_v2starttls', ports.v2starttls, 'p_pf', 's_v2 { } ss_plain { context serverside }');
  await vs('vs_v2implicit', ports.v2implicit, 'p_465', 's_v2 { } ss_plain { context serverside }');
  await vs('vs_v2tlv', ports.v2tlv, 'p_pf', 's_v2_allow { } /Common/clientssl { context clientside }');
  await vs('vs_xc', ports.xc, 'p_xc', 's_xc { }');
  await vs('vs_xc_tls', ports.xcTls, 'p_xc', 's_xc_allow { } /Common/clientssl { context clientside }');
  await vs('vs_xc_relay', ports.xcRelay, 'p_untrusting', 's_xc_relay { }');
  await vs('vs_xc_next', ports.xcNext, 'p_untrusting', 's_xc_next { }');
  await ltm.startDaemon();
  for (const p of Object.values(ports)) await waitForListen(p, { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  await ltm?.stop();
  await postfix?.stop();
  await xcPostfix?.stop();
  await untrusting?.stop();
});

it.each([
  ['proxy-v1', 'v1'],
  ['proxy-v2', 'v2'],
  ['proxy-v2 then STARTTLS to the member (server-ssl)', 'v2starttls'],
  ['proxy-v2 then TLS from the first byte to a port-465 member (server-ssl)', 'v2implicit'],
] as const)('client-identity %s: Postfix logs "connect from unknown[127.0.0.5]" and writes it in Received:', async (_name, key) => {
  const connects = () => postfix.maillog().split(': connect from unknown[127.0.0.5]').length - 1;
  const before = connects();
  const queued = (await postfix.messages()).length;
  const subject = `identity ${key}`;
  const r = await swaks({ port: ports[key], subject, args: ['--local-interface', '127.0.0.5'] });
  expect(r.code).toBe(0);
  await postfix.waitForMessages(queued + 1);
  const msg = (await postfix.messages()).find((m) => m.content.includes(`Subject: ${subject}`));
  expect(msg).toBeDefined();
  const received = /^Received: [\s\S]*?(?=\n\S)/m.exec(msg!.content)![0];
  expect(received).toContain('[127.0.0.5]');
  expect(received).not.toContain('[127.0.0.1]');
  // Over server-ssl the member's hop really was TLS: Postfix writes "with ESMTPS".
  expect(/ with ESMTPS? /.exec(received)?.[0]).toBe(key === 'v1' || key === 'v2' ? ' with ESMTP ' : ' with ESMTPS ');
  expect(connects()).toBe(before + 1);
}, 30_000);

it('the setting is listed, and a value openltm cannot honour is refused with a BIG-IP-style error', async () => {
  expect(await ltm.tmshOk('list ltm profile smtps s_v2')).toContain('client-identity proxy-v2');
  const bad = await ltm.tmsh('modify ltm profile smtps s_v2 client-identity xforward');
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/client-identity/);
  expect(await ltm.tmshOk('list ltm profile smtps s_v2')).toContain('client-identity proxy-v2');
});

/** The Received: header Postfix wrote for the message with this subject. */
async function receivedFor(pf: PrivatePostfix, queuedBefore: number, subject: string): Promise<string> {
  await pf.waitForMessages(queuedBefore + 1);
  const msg = (await pf.messages()).find((m) => m.content.includes(`Subject: ${subject}`));
  expect(msg).toBeDefined();
  return /^Received: [\s\S]*?(?=\n\S)/m.exec(msg!.content)![0];
}

describe('client-identity xclient', () => {
  it('a member that trusts the proxy records the client 127.0.0.5 in its log and Received: header', async () => {
    const queued = (await xcPostfix.messages()).length;
    const r = await swaks({ port: ports.xc, subject: 'xclient trusted', args: ['--local-interface', '127.0.0.5'] });
    expect(r.code).toBe(0);
    const received = await receivedFor(xcPostfix, queued, 'xclient trusted');
    expect(received).toContain('[127.0.0.5]');
    expect(received).not.toContain('[127.0.0.1]');
    // The client's own HELO name, given after XCLIENT, is the one Postfix records.
    expect(received).toContain('from client.test (unknown [127.0.0.5])');
    // postlogd may write the line after the message is queued: wait for it.
    expect(await eventually(() => xcPostfix.maillog(), (log) => /client=unknown\[127\.0\.0\.5\]/.test(log), 15_000)).toMatch(/client=unknown\[127\.0\.0\.5\]/);
    // Statistics reach show on the status report's interval.
    expect(await eventually(() => ltm.tmshOk('show ltm virtual vs_xc'), (o) => /XCLIENT Sent\s+1\b/.test(o), 15_000)).toMatch(/XCLIENT Sent\s+1\b/);
  });

  it('with the client\'s STARTTLS at the proxy, the member still records 127.0.0.5 for the mail sent inside TLS', async () => {
    const queued = (await xcPostfix.messages()).length;
    const r = await swaks({ port: ports.xcTls, mode: 'starttls', subject: 'xclient tls', args: ['--local-interface', '127.0.0.5'] });
    expect(r.code).toBe(0);
    expect(r.transcript).toMatch(/<~ {2}250/);
    const received = await receivedFor(xcPostfix, queued, 'xclient tls');
    expect(received).toContain('from client.test (unknown [127.0.0.5])');
  });

  it('xclient-fallback relay: a member that does not trust the proxy gets the session without the identity; the log and show say so', async () => {
    const queued = (await untrusting.messages()).length;
    const r = await swaks({ port: ports.xcRelay, subject: 'xclient relay', args: ['--local-interface', '127.0.0.5'] });
    expect(r.code).toBe(0);
    const received = await receivedFor(untrusting, queued, 'xclient relay');
    expect(received).toContain('[127.0.0.1]');
    await eventually(() => ltm.daemonLog(), (l) => l.includes('relaying without the client identity'));
    expect(ltm.daemonLog()).toContain('member does not advertise XCLIENT');
    // Statistics reach show on the status report's interval.
    expect(await eventually(() => ltm.tmshOk('show ltm virtual vs_xc_relay'), (o) => /XCLIENT Not Taken\s+1\b/.test(o), 15_000)).toMatch(/XCLIENT Not Taken\s+1\b/);
  });

  it('xclient-fallback next-member: with no member that takes XCLIENT, the client gets 421 and no mail reaches the member', async () => {
    const queued = (await untrusting.messages()).length;
    const r = await swaks({ port: ports.xcNext, subject: 'xclient next', args: ['--local-interface', '127.0.0.5'] });
    expect(r.code).not.toBe(0);
    expect(r.transcript).toMatch(/<\*\* +421 4\.3\.2 /);
    expect((await untrusting.messages()).length).toBe(queued);
    // Statistics reach show on the status report's interval.
    expect(await eventually(() => ltm.tmshOk('show ltm virtual vs_xc_next'), (o) => /XCLIENT Not Taken\s+1\b/.test(o), 15_000)).toMatch(/XCLIENT Not Taken\s+1\b/);
  });
});

it('proxy-v2 with TLS TLVs: Postfix takes the header of a member connection opened after STARTTLS and records 127.0.0.5', async () => {
  const connects = () => postfix.maillog().split(': connect from unknown[127.0.0.5]').length - 1;
  const before = connects();
  const queued = (await postfix.messages()).length;
  const raw = connect({ host: '127.0.0.1', port: ports.v2tlv, localAddress: '127.0.0.5' });
  raw.on('error', () => undefined);
  let reader = new SmtpReplyReader(raw);
  const step = async (line: string | undefined, code: number) => {
    if (line !== undefined) (reader === plainReader ? raw : secure!).write(`${line}\r\n`);
    expect((await reader.next(15_000)).code).toBe(code);
  };
  const plainReader = reader;
  let secure: TLSSocket | undefined;
  try {
    await step(undefined, 220);
    await step('EHLO client.test', 250);
    // More than EHLO before STARTTLS: the member connection is opened again after the handshake,
    // and that one's PROXY v2 header carries the TLS TLVs.
    await step('VRFY postmaster', 252);
    await step('STARTTLS', 220);
    reader.detach();
    secure = await new Promise<TLSSocket>((resolve, reject) => {
      const t = tlsConnect({ socket: raw, rejectUnauthorized: false, servername: 'mx.proxy.test' }, () => resolve(t));
      t.once('error', reject);
    });
    secure.on('error', () => undefined);
    reader = new SmtpReplyReader(secure);
    await step('EHLO client.test', 250);
    await step('MAIL FROM:<a@client.test>', 250);
    await step('RCPT TO:<b@example.test>', 250);
    await step('DATA', 354);
    await step('Subject: tlv\r\n\r\nhello\r\n.', 250);
    await step('QUIT', 221);
  } finally {
    secure?.destroy();
    raw.destroy();
  }
  const received = await receivedFor(postfix, queued, 'tlv');
  expect(received).toContain('[127.0.0.5]');
  // Two member connections named the client: the one before STARTTLS (dropped) and the one after.
  expect(connects()).toBe(before + 2);
}, 30_000);
