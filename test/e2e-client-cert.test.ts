/**
 * End to end: client certificates. A test PKI (root CA, intermediate CA, a revoked certificate,
 * one from an unrelated CA); client-ssl profiles with peer-cert-mode require/request, ca-file,
 * crl-file and authenticate-depth, configured with the real tmsh; swaks (--tls-cert/--tls-key)
 * and openssl s_client (-cert/-key) as the clients; smtp-sink counts what was delivered.
 */
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { opensslClient } from './support/openssl-client';
import { makeTestPki, type IssuedCert, type TestPki } from './support/pki';
import { freePort, waitForListen } from './support/ports';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { swaks } from './support/swaks';
import { runProcess } from './support/run-process';
import { join } from 'node:path';

let ltm: OpenltmInstance;
let sink: SmtpSink;
let pki: TestPki;
let otherPki: TestPki;
let stranger: IssuedCert;
let good: IssuedCert;
let viaIntermediate: IssuedCert;
let revoked: IssuedCert;
const ports: Record<string, number> = {};

beforeAll(async () => {
  pki = await makeTestPki();
  good = await pki.issue('alice.client.test');
  viaIntermediate = await pki.issue('bob.client.test', { by: 'intermediate' });
  revoked = await pki.issue('mallory.client.test');
  const crl = await pki.revoke(revoked);
  // A proper client certificate, from a CA the profiles do not trust.
  otherPki = await makeTestPki();
  stranger = await otherPki.issue('stranger.client.test');
  sink = await startSmtpSink();
  ltm = createOpenltm();
  await ltm.tmshOk(`create sys file ssl-cert client_ca.crt source-path file:${pki.caFile}`);
  await ltm.tmshOk(`create sys file ssl-crl client_ca.crl source-path file:${crl}`);
  await ltm.tmshOk(`create ltm pool p_sink members replace-all-with { 127.0.0.1:${sink.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk('create ltm profile smtps s_require activation-mode require');
  const profiles: Record<string, string> = {
    require: 'peer-cert-mode require ca-file client_ca.crt',
    crl: 'peer-cert-mode require ca-file client_ca.crt crl-file client_ca.crl',
    depth0: 'peer-cert-mode require ca-file client_ca.crt authenticate-depth 0',
    depth1: 'peer-cert-mode require ca-file client_ca.crt authenticate-depth 1',
    request: 'peer-cert-mode request ca-file client_ca.crt',
    crlTicket: 'peer-cert-mode require ca-file client_ca.crt crl-file client_ca.crl session-ticket enabled',
  };
  for (const [name, props] of Object.entries(profiles)) {
    ports[name] = await freePort();
    await ltm.tmshOk(`create ltm profile client-ssl cs_${name} ${props}`);
    await ltm.tmshOk(`create ltm virtual vs_${name} destination 127.0.0.1:${ports[name]} pool p_sink profiles replace-all-with { tcp { } s_require { } cs_${name} { } }`);
  }
  await ltm.startDaemon();
  for (const p of Object.values(ports)) await waitForListen(p, { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  await ltm?.stop();
  await sink?.stop();
  pki?.remove();
  otherPki?.remove();
});

type Cert = { certFile: string; keyFile: string } | undefined;

async function send(port: number, cert: Cert): Promise<{ delivered: boolean; transcript: string }> {
  const args = cert ? ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile] : [];
  const before = sink.counters().messages;
  const r = await swaks({ port, mode: 'starttls', to: 'bob@server.test', args });
  if (r.code === 0) await sink.waitForMessages(before + 1, 10_000);
  return { delivered: r.code === 0, transcript: `${r.transcript}\n${r.stderr}` };
}

async function counters(virtual: string): Promise<{ verified: number; failed: number; none: number }> {
  const out = await ltm.tmshOk(`show ltm virtual ${virtual}`);
  const n = (label: string) => Number(new RegExp(`${label} +(\\d+)`).exec(out)?.[1] ?? NaN);
  return { verified: n('Verified'), failed: n('Failed Verification'), none: n('Not Presented') };
}

describe('peer-cert-mode require with a ca-file', () => {
  it('delivers mail from a client whose certificate the CA signed (swaks)', async () => {
    const r = await send(ports.require, good);
    expect(r.delivered).toBe(true);
  });

  it('refuses a client without a certificate: the handshake fails, nothing is delivered (swaks)', async () => {
    const before = sink.counters().messages;
    const r = await send(ports.require, undefined);
    expect(r.delivered).toBe(false);
    expect(r.transcript).not.toMatch(/^<~ +250 .*queued|^<~ +354/m);
    expect(sink.counters().messages).toBe(before);
  });

  it('refuses a certificate from another CA with 421 inside TLS (swaks and openssl)', async () => {
    const r = await send(ports.require, stranger);
    expect(r.delivered).toBe(false);
    expect(r.transcript).toMatch(/421 4\.7\.1 .*client certificate not accepted/);
    const o = await opensslClient({ port: ports.require, mode: 'starttls', args: ['-cert', stranger.certFile, '-key', stranger.keyFile], commands: ['EHLO client.test'] });
    expect(o.transcript).toMatch(/421 4\.7\.1 .*client certificate not accepted/);
    expect(o.transcript).not.toMatch(/^250[ -]/m);
  });

  it('logs the subject and the verification result of each client certificate', async () => {
    const log = await eventually(() => ltm.daemonLog(), (l) => /stranger\.client\.test/.test(l) && /alice\.client\.test/.test(l));
    const lines = log.split('\n').filter((l) => l.includes('"msg":"client certificate"'));
    const alice = lines.find((l) => l.includes('CN=alice.client.test'));
    const strangerLine = lines.find((l) => l.includes('CN=stranger.client.test'));
    expect(alice).toMatch(/"verify":"ok"/);
    expect(strangerLine).toMatch(/"verify":"UNABLE_TO_VERIFY_LEAF_SIGNATURE"/);
    expect(strangerLine).toMatch(/"refused":true/);
    // Never key material in the log.
    expect(log).not.toMatch(/PRIVATE KEY/);
  });

  it('counts verified and failed client certificates in show ltm virtual', async () => {
    const c = await eventually(() => counters('vs_require'), (x) => x.verified >= 1 && x.failed >= 2, 10_000, 200);
    expect(c.verified).toBe(1);
    expect(c.failed).toBe(2);
  });
});

describe('crl-file', () => {
  it('refuses a revoked certificate and accepts one that is not revoked', async () => {
    const bad = await send(ports.crl, revoked);
    expect(bad.delivered).toBe(false);
    expect(bad.transcript).toMatch(/421 4\.7\.1 /);
    expect((await send(ports.crl, good)).delivered).toBe(true);
    const log = await eventually(() => ltm.daemonLog(), (l) => /mallory\.client\.test.*CERT_REVOKED/.test(l));
    expect(log).toMatch(/CN=mallory\.client\.test.*"verify":"CERT_REVOKED"/);
  });
});

describe('crl-file and resumption', () => {
  /** STARTTLS with a client certificate, saving or offering a session; EHLO inside TLS (s_client prints only what follows TLS). */
  async function resume(cert: IssuedCert, opts: { save?: string; offer?: string }): Promise<{ session?: string; ehlo?: string }> {
    const args = ['s_client', '-starttls', 'smtp', '-connect', `127.0.0.1:${ports.crlTicket}`, '-ign_eof', '-cert', cert.certFile, '-key', cert.keyFile];
    if (opts.save) args.push('-sess_out', opts.save);
    if (opts.offer) args.push('-sess_in', opts.offer);
    const r = await runProcess('openssl', args, { input: 'EHLO client.test\r\nQUIT\r\n', timeoutMs: 15_000 });
    return { session: /^(New|Reused), /m.exec(r.stdout)?.[1], ehlo: /^(250|421)[ -]/m.exec(r.stdout)?.[1] };
  }

  it('a certificate revoked after its session was made cannot resume that session (ticket) once the CRL is updated', async () => {
    const eve = await pki.issue('eve.client.test');
    const session = join(pki.dir, 'eve.sess');
    const first = await resume(eve, { save: session });
    expect(first).toEqual({ session: 'New', ehlo: '250' });
    expect(await resume(eve, { offer: session })).toEqual({ session: 'Reused', ehlo: '250' });
    const crl = await pki.revoke(eve);
    await ltm.tmshOk(`modify sys file ssl-crl client_ca.crl source-path file:${crl}`);
    // The daemon applies the change within moments: a fresh handshake with eve's certificate is refused then.
    await eventually(() => resume(eve, {}), (r) => r.ehlo === '421', 10_000, 200);
    const after = await resume(eve, { offer: session });
    expect(after.session).toBe('New');
    expect(after.ehlo).toBe('421');
  });
});

describe('authenticate-depth', () => {
  /** openssl s_client sends the leaf and the intermediate (-cert_chain); swaks sends the leaf only. */
  async function ehloWithChain(port: number, cert: IssuedCert): Promise<string> {
    const r = await opensslClient({
      port, mode: 'starttls', commands: ['EHLO client.test'],
      args: ['-cert', cert.certFile, '-key', cert.keyFile, '-cert_chain', pki.intermediateFile],
    });
    return r.transcript;
  }

  it('refuses a chain with more intermediate CAs than allowed and accepts it within the limit', async () => {
    expect(await ehloWithChain(ports.depth0, viaIntermediate)).toMatch(/^421 4\.7\.1 .*client certificate not accepted/m);
    expect(await ehloWithChain(ports.depth1, viaIntermediate)).toMatch(/^250[ -]/m);
    // A certificate the root signed directly has no intermediate: depth 0 takes it.
    expect((await send(ports.depth0, good)).delivered).toBe(true);
    const log = ltm.daemonLog();
    expect(log).toMatch(/cs_depth0.*CN=bob\.client\.test.*"verify":"chain has 1 intermediate CAs, more than authenticate-depth 0"/);
  });
});

describe('peer-cert-mode request', () => {
  it('asks for a certificate but delivers mail with none, or with one that does not verify, and counts each', async () => {
    expect((await send(ports.request, undefined)).delivered).toBe(true);
    expect((await send(ports.request, stranger)).delivered).toBe(true);
    expect((await send(ports.request, good)).delivered).toBe(true);
    const c = await eventually(() => counters('vs_request'), (x) => x.verified + x.failed + x.none >= 3, 10_000, 200);
    expect(c).toEqual({ verified: 1, failed: 1, none: 1 });
  });
});

describe('configuration', () => {
  it('refuses peer-cert-mode require without a ca-file', async () => {
    const r = await ltm.tmsh('create ltm profile client-ssl cs_noca peer-cert-mode require');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/01070734:3: .*peer-cert-mode require needs a ca-file/);
  });

  it('refuses a CRL file that is not a CRL', async () => {
    const r = await ltm.tmsh(`create sys file ssl-crl not_a_crl source-path file:${pki.caFile}`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not a PEM CRL/);
  });
});
