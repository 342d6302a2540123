/**
 * End to end: a server-ssl profile makes the proxy's member connections TLS. The member is a
 * private Postfix with `smtpd_tls_security_level = encrypt` (it refuses mail without TLS) and a
 * certificate from a test CA; its own log shows the TLS connections from the proxy. Clients talk
 * plain SMTP to the virtuals (swaks), so every TLS handshake in Postfix's log is the proxy's.
 * A second Postfix listener on <random loopback>:465 speaks TLS from the first byte.
 */
import { randomInt } from 'node:crypto';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { makeTestPki, type TestPki } from './support/pki';
import { freePort, waitForListen } from './support/ports';
import { startPostfix, type PrivatePostfix } from './support/postfix';
import { swaks } from './support/swaks';
import { uniqueToken } from './support/e2e-proxy';

let ltm: OpenltmInstance;
let postfix: PrivatePostfix;
let pki: TestPki;
let otherPki: TestPki;
// A loopback address of its own, so port 465 is free for this test's Postfix.
const implicitAddress = `127.${randomInt(1, 250)}.${randomInt(1, 250)}.${randomInt(2, 250)}`;
const ports: Record<string, number> = {};

const VIRTUALS: Record<string, { pool: string; serverSsl: string }> = {
  // No verification: TLS for confidentiality only (BIG-IP's default serverssl).
  starttls: { pool: 'p_pf', serverSsl: 'ss_plain' },
  verified: { pool: 'p_pf', serverSsl: 'ss_verify' },
  wrongName: { pool: 'p_pf', serverSsl: 'ss_wrong_name' },
  wrongCa: { pool: 'p_pf', serverSsl: 'ss_wrong_ca' },
  implicit: { pool: 'p_465', serverSsl: 'ss_verify' },
  withCert: { pool: 'p_pf', serverSsl: 'ss_client_cert' },
  withChain: { pool: 'p_pf', serverSsl: 'ss_chain' },
  tls13: { pool: 'p_pf', serverSsl: 'ss_tls13' },
  cipher: { pool: 'p_pf', serverSsl: 'ss_cipher' },
  // Both hops: STARTTLS from the client (smtps require + client-ssl), STARTTLS to the member.
  bothHops: { pool: 'p_pf', serverSsl: 'ss_verify' },
  none: { pool: 'p_pf', serverSsl: '' },
};

beforeAll(async () => {
  pki = await makeTestPki();
  otherPki = await makeTestPki();
  const server = await pki.issue('mx.backend.test', { usage: 'server', altNames: ['DNS:mx.backend.test'] });
  const proxyCert = await pki.issue('proxy.client.test');
  // Issued by the intermediate: Postfix (trusting the root only) needs the chain to trust it.
  const chainedCert = await pki.issue('chained.client.test', { by: 'intermediate' });
  postfix = await startPostfix({
    tls: { certFile: server.certFile, keyFile: server.keyFile, level: 'encrypt', implicitAddress },
    // Postfix asks for a client certificate and says in its log whether it got a trusted one.
    main: { smtpd_tls_ask_ccert: 'yes', smtpd_tls_CAfile: pki.caFile },
  });
  ltm = createOpenltm();
  await ltm.tmshOk(`create sys file ssl-cert backend_ca.crt source-path file:${pki.caFile}`);
  await ltm.tmshOk(`create sys file ssl-cert other_ca.crt source-path file:${otherPki.caFile}`);
  await ltm.tmshOk('create ltm profile server-ssl ss_plain');
  await ltm.tmshOk(`create sys file ssl-cert proxy.crt source-path file:${proxyCert.certFile}`);
  await ltm.tmshOk(`create sys file ssl-key proxy.key source-path file:${proxyCert.keyFile}`);
  await ltm.tmshOk('create ltm profile server-ssl ss_client_cert cert proxy.crt key proxy.key');
  // pki.issue(by intermediate) writes leaf + intermediate in one file: import the leaf alone.
  await ltm.tmshOk(`create sys file ssl-cert chained.crt source-path file:${chainedCert.certFile.replace(/\.pem$/, '.leaf.pem')}`);
  await ltm.tmshOk(`create sys file ssl-key chained.key source-path file:${chainedCert.keyFile}`);
  await ltm.tmshOk(`create sys file ssl-cert intermediate.crt source-path file:${pki.intermediateFile}`);
  await ltm.tmshOk('create ltm profile server-ssl ss_chain cert chained.crt key chained.key chain intermediate.crt');
  await ltm.tmshOk('create ltm profile server-ssl ss_tls13 options { dont-insert-empty-fragments }');
  await ltm.tmshOk('create ltm profile server-ssl ss_cipher ciphers ECDHE-ECDSA-AES128-GCM-SHA256');
  await ltm.tmshOk('create ltm profile smtps s_require activation-mode require');
  await ltm.tmshOk('create ltm profile server-ssl ss_verify peer-cert-mode require ca-file backend_ca.crt server-name mx.backend.test');
  await ltm.tmshOk('create ltm profile server-ssl ss_wrong_name peer-cert-mode require ca-file backend_ca.crt server-name other.backend.test');
  await ltm.tmshOk('create ltm profile server-ssl ss_wrong_ca peer-cert-mode require ca-file other_ca.crt server-name mx.backend.test');
  await ltm.tmshOk(`create ltm pool p_pf members replace-all-with { 127.0.0.1:${postfix.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk(`create ltm pool p_465 members replace-all-with { ${implicitAddress}:465 { address ${implicitAddress} } }`);
  for (const [name, v] of Object.entries(VIRTUALS)) {
    ports[name] = await freePort();
    const ss = v.serverSsl ? `${v.serverSsl} { context serverside }` : '';
    const client = name === 'bothHops' ? 's_require { } clientssl { context clientside }' : '';
    await ltm.tmshOk(`create ltm virtual vs_${name} destination 127.0.0.1:${ports[name]} pool ${v.pool} profiles replace-all-with { tcp { } ${client} ${ss} }`);
  }
  await ltm.startDaemon();
  for (const p of Object.values(ports)) await waitForListen(p, { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  await ltm?.stop();
  await postfix?.stop();
  pki?.remove();
  otherPki?.remove();
});

async function send(port: number, token: string) {
  return swaks({ port, to: 'bob@server.test', subject: token, body: `body ${token}` });
}

async function delivered(token: string): Promise<boolean> {
  const all = await postfix.messages();
  return all.some((m) => m.content.includes(token));
}

describe('server-ssl: STARTTLS to the member', () => {
  it('delivers through a member that accepts mail only over TLS, and the member logs TLS from the proxy', async () => {
    const token = uniqueToken('ss-starttls');
    const before = (postfix.maillog().match(/TLS connection established from/g) ?? []).length;
    const r = await send(ports.starttls, token);
    expect(r.code).toBe(0);
    await postfix.waitForMessages(1, 10_000);
    expect(await delivered(token)).toBe(true);
    expect(await eventually(() => (postfix.maillog().match(/TLS connection established from/g) ?? []).length, (n) => n > before)).toBeGreaterThan(before);
    // The proxy's own EHLO and STARTTLS replies never reach the client: it sees one greeting and its own EHLO's reply.
    expect(r.transcript).not.toMatch(/Ready to start TLS/);
    expect(r.transcript.match(/^<- {2}220 /gm)).toHaveLength(1);
  });

  it('is refused by that member without a server-ssl profile (proof that TLS is what made the difference)', async () => {
    const r = await send(ports.none, uniqueToken('ss-none'));
    expect(r.code).not.toBe(0);
    expect(r.transcript).toMatch(/530 5\.7\.0 Must issue a STARTTLS command first/);
  });

  it('verifies the member certificate against ca-file with server-name when peer-cert-mode is require', async () => {
    const token = uniqueToken('ss-verified');
    expect((await send(ports.verified, token)).code).toBe(0);
    await expectDelivered(token);
  });

  it('refuses a member whose certificate does not carry server-name: the client gets 421, nothing in plaintext', async () => {
    const r = await send(ports.wrongName, uniqueToken('ss-wrong-name'));
    expect(r.code).not.toBe(0);
    expect(r.transcript).toMatch(/^<\*\* +421 4\.3\.2 /m);
    expect(ltm.daemonLog()).toMatch(/server-ssl: .*(Hostname\/IP does not match|other\.backend\.test)/);
  });

  it('refuses a member whose certificate another CA signed', async () => {
    const r = await send(ports.wrongCa, uniqueToken('ss-wrong-ca'));
    expect(r.code).not.toBe(0);
    expect(r.transcript).toMatch(/421 4\.3\.2 /);
  });

  it('does not mark the member down for the pool: another virtual on the same pool still delivers', async () => {
    const token = uniqueToken('ss-after-failures');
    expect((await send(ports.starttls, token)).code).toBe(0);
    await expectDelivered(token);
    expect(await ltm.tmshOk('show ltm pool p_pf members')).not.toMatch(/marked down after a failed connection/);
  });
});

describe('server-ssl: the proxy\'s certificate and both hops', () => {
  const trusted = () => (postfix.maillog().match(/Trusted TLS connection established from/g) ?? []).length;

  it('presents the profile\'s cert and key to the member (Postfix logs a trusted client certificate)', async () => {
    const before = trusted();
    const token = uniqueToken('ss-cert');
    expect((await send(ports.withCert, token)).code).toBe(0);
    await expectDelivered(token);
    expect(await eventually(trusted, (n) => n >= before + 1)).toBe(before + 1);
  });

  it('presents no certificate without cert and key (Postfix logs an anonymous client)', async () => {
    const before = trusted();
    const anonymous = (postfix.maillog().match(/Anonymous TLS connection established from/g) ?? []).length;
    const token = uniqueToken('ss-anon');
    expect((await send(ports.starttls, token)).code).toBe(0);
    await expectDelivered(token);
    const anon = () => (postfix.maillog().match(/Anonymous TLS connection established from/g) ?? []).length;
    expect(await eventually(anon, (n) => n >= anonymous + 1)).toBe(anonymous + 1);
    expect(trusted()).toBe(before);
  });

  it('delivers with STARTTLS on both hops (client: swaks --tls; member: the proxy\'s STARTTLS, verified)', async () => {
    const token = uniqueToken('ss-both');
    const r = await swaks({ port: ports.bothHops, mode: 'starttls', to: 'bob@server.test', subject: token, body: `body ${token}` });
    expect(r.code).toBe(0);
    expect(r.transcript).toMatch(/^<~ {2}250 /m);
    await expectDelivered(token);
  });
});

describe('server-ssl: chain, options and ciphers reach the member', () => {
  /** The Postfix log line of the newest TLS connection from the proxy after `before` such lines. */
  async function nextTlsLine(before: number): Promise<string> {
    const lines = () => postfix.maillog().split('\n').filter((l) => /TLS connection established from/.test(l));
    const all = await eventually(lines, (l) => l.length > before);
    return all[before] ?? '';
  }
  const count = () => postfix.maillog().split('\n').filter((l) => /TLS connection established from/.test(l)).length;

  it('sends the chain after the certificate: an intermediate-issued certificate is trusted by a member that trusts the root', async () => {
    const before = count();
    const token = uniqueToken('ss-chain');
    expect((await send(ports.withChain, token)).code).toBe(0);
    expect(await nextTlsLine(before)).toMatch(/Trusted TLS connection established/);
  });

  it('speaks TLS 1.2 with the default options (no-tlsv1.3, as BIG-IP\'s serverssl) and TLS 1.3 when options allow it', async () => {
    let before = count();
    expect((await send(ports.starttls, uniqueToken('ss-v12'))).code).toBe(0);
    expect(await nextTlsLine(before)).toMatch(/: TLSv1\.2 with cipher/);
    before = count();
    expect((await send(ports.tls13, uniqueToken('ss-v13'))).code).toBe(0);
    expect(await nextTlsLine(before)).toMatch(/: TLSv1\.3 with cipher/);
  });

  it('offers only the profile\'s ciphers', async () => {
    const before = count();
    expect((await send(ports.cipher, uniqueToken('ss-cipher'))).code).toBe(0);
    expect(await nextTlsLine(before)).toMatch(/with cipher ECDHE-ECDSA-AES128-GCM-SHA256/);
  });
});

describe('server-ssl: members on port 465', () => {
  it('speaks TLS from the first byte to a member on port 465, verified, and mail is delivered', async () => {
    const token = uniqueToken('ss-465');
    const before = (postfix.maillog().match(/TLS connection established from/g) ?? []).length;
    const r = await send(ports.implicit, token);
    expect(r.code).toBe(0);
    // p_465's only member is the wrapper-mode (implicit TLS) listener: delivery went through it.
    await expectDelivered(token);
    expect(await eventually(() => (postfix.maillog().match(/TLS connection established from/g) ?? []).length, (n) => n > before)).toBeGreaterThan(before);
  });
});

describe('server-ssl: configuration', () => {
  it('refuses peer-cert-mode require without a ca-file', async () => {
    const r = await ltm.tmsh('create ltm profile server-ssl ss_noca peer-cert-mode require');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/01070734:3: .*peer-cert-mode require needs a ca-file/);
  });
});

async function expectDelivered(token: string): Promise<void> {
  for (let i = 0; i < 100 && !(await delivered(token)); i++) await new Promise((r) => setTimeout(r, 100));
  expect(await delivered(token)).toBe(true);
}
