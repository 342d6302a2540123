/**
 * End to end: SNI as BIG-IP does it. Three client-ssl profiles on one virtual (the SNI default,
 * an exact `server-name`, a `*.` wildcard), configured with the real tmsh, served by the real
 * daemon; `openssl s_client -servername` tells which certificate each name got. A second virtual
 * has `sni-require true` on its default profile. Smtp-sink is the pool member.
 */
import { makeSelfSignedCert, type TestCertificate } from './support/certs';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { opensslClient } from './support/openssl-client';
import { freePort, waitForListen } from './support/ports';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { runProcess } from './support/run-process';
import { join } from 'node:path';

let ltm: OpenltmInstance;
let sink: SmtpSink;
const certs: Record<string, TestCertificate> = {};
let port: number;
let requirePort: number;

async function importPair(name: string, cert: TestCertificate): Promise<void> {
  await ltm.tmshOk(`create sys file ssl-cert ${name}.crt source-path file:${cert.certFile}`);
  await ltm.tmshOk(`create sys file ssl-key ${name}.key source-path file:${cert.keyFile}`);
}

beforeAll(async () => {
  for (const cn of ['default.example.test', 'mail.example.test', 'star.other.test']) certs[cn] = await makeSelfSignedCert({ commonName: cn, keyType: 'ec', altNames: [`DNS:${cn}`] });
  sink = await startSmtpSink();
  ltm = createOpenltm();
  port = await freePort();
  requirePort = await freePort();
  await importPair('def', certs['default.example.test']);
  await importPair('mail', certs['mail.example.test']);
  await importPair('star', certs['star.other.test']);
  const chain = (n: string) => `cert-key-chain replace-all-with { ${n} { cert ${n}.crt key ${n}.key } }`;
  await ltm.tmshOk(`create ltm profile client-ssl cs_def ${chain('def')} sni-default true`);
  await ltm.tmshOk(`create ltm profile client-ssl cs_mail ${chain('mail')} server-name mail.example.test`);
  await ltm.tmshOk(`create ltm profile client-ssl cs_star ${chain('star')} server-name *.other.test`);
  await ltm.tmshOk(`create ltm profile client-ssl cs_def_req ${chain('def')} sni-default true sni-require true`);
  await ltm.tmshOk('create ltm profile smtps s_allow activation-mode allow');
  await ltm.tmshOk(`create ltm pool p_sink members replace-all-with { 127.0.0.1:${sink.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk(`create ltm virtual vs_sni destination 127.0.0.1:${port} pool p_sink profiles replace-all-with { tcp { } s_allow { } cs_def { } cs_mail { } cs_star { } }`);
  await ltm.tmshOk(`create ltm virtual vs_sni_req destination 127.0.0.1:${requirePort} pool p_sink profiles replace-all-with { tcp { } s_allow { } cs_def_req { } cs_mail { } cs_star { } }`);
  // One worker: the session-ID cache is per worker (e2e-workers.test.ts covers tickets across workers).
  await ltm.startDaemon(['--workers', '1']);
  await waitForListen(port, { timeoutMs: 10_000 });
  await waitForListen(requirePort, { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  await ltm?.stop();
  await sink?.stop();
  for (const c of Object.values(certs)) c.remove();
});

/** The CN of the certificate the client received over STARTTLS, and whether mail commands worked inside. */
async function served(p: number, servername: string | null): Promise<{ cn?: string; ehloOk: boolean; stderr: string }> {
  const r = await opensslClient({ port: p, mode: 'starttls', servername, commands: ['EHLO client.test'] });
  return { cn: /CN ?= ?([^,\s]+)/.exec(r.peerSubject ?? '')?.[1], ehloOk: /^250[ -]/m.test(r.transcript), stderr: r.stderr };
}

describe('SNI: several client-ssl profiles on one virtual', () => {
  it('serves the profile whose server-name matches exactly (case-insensitively)', async () => {
    expect((await served(port, 'mail.example.test')).cn).toBe('mail.example.test');
    expect((await served(port, 'MAIL.Example.TEST')).cn).toBe('mail.example.test');
  });

  it('serves a *. wildcard profile for one label, not two', async () => {
    const one = await served(port, 'mx1.other.test');
    expect(one.cn).toBe('star.other.test');
    expect(one.ehloOk).toBe(true);
    expect((await served(port, 'a.b.other.test')).cn).toBe('default.example.test');
    expect((await served(port, 'other.test')).cn).toBe('default.example.test');
  });

  it('serves the sni-default profile to a client that sends no name, or a name nobody serves', async () => {
    const none = await served(port, null);
    expect(none.cn).toBe('default.example.test');
    expect(none.ehloOk).toBe(true);
    expect((await served(port, 'wrong.example.test')).cn).toBe('default.example.test');
  });
});

describe('SNI: sni-require on the default profile', () => {
  it('refuses the handshake of a client that sends no name', async () => {
    const r = await served(requirePort, null);
    expect(r.cn).toBeUndefined();
    expect(r.ehloOk).toBe(false);
  });

  it('refuses the handshake of a client whose name no profile serves', async () => {
    const r = await served(requirePort, 'wrong.example.test');
    expect(r.cn).toBeUndefined();
    expect(r.ehloOk).toBe(false);
  });

  it('says why in the daemon log', async () => {
    const log = await eventually(() => ltm.daemonLog(), (l) => /sni-require: the client sent a name no client-ssl profile serves \(wrong\.example\.test\)/.test(l));
    expect(log).toMatch(/sni-require: the client sent no server name/);
    expect(log).toMatch(/sni-require: the client sent a name no client-ssl profile serves \(wrong\.example\.test\)/);
  });

  it('serves the clients whose name matches a profile', async () => {
    const r = await served(requirePort, 'mx2.other.test');
    expect(r.cn).toBe('star.other.test');
    expect(r.ehloOk).toBe(true);
    expect((await served(requirePort, 'mail.example.test')).cn).toBe('mail.example.test');
  });

  it('resumes a session of a client whose name matched (resumption skips the name choice)', async () => {
    const f = join(certs['default.example.test'].dir, 'sni.sess');
    const run = (extra: string[]) => runProcess('openssl', ['s_client', '-starttls', 'smtp', '-tls1_2', '-connect', `127.0.0.1:${requirePort}`, '-servername', 'mail.example.test', '-ign_eof', ...extra], { input: 'EHLO client.test\r\nQUIT\r\n', timeoutMs: 15_000 });
    const first = await run(['-sess_out', f]);
    expect(first.stdout).toMatch(/^New, /m);
    const again = await run(['-sess_in', f]);
    expect(again.stdout).toMatch(/^Reused, /m);
    expect(again.stdout).toMatch(/^250[ -]/m);
  });

  it('counts the refused handshakes in show ltm virtual', async () => {
    // Status reaches the store about once a second: wait for the report, not for a time.
    const failures = async () => Number(/TLS Handshake Failures +(\d+)/.exec(await ltm.tmshOk('show ltm virtual vs_sni_req'))?.[1]);
    expect(await eventually(failures, (n) => n >= 2, 10_000, 200)).toBeGreaterThanOrEqual(2);
  });
});

describe('SNI: configuration is validated as BIG-IP does', () => {
  it('refuses a virtual with several client-ssl profiles and no sni-default, or two', async () => {
    const none = await ltm.tmsh(`create ltm virtual vs_bad destination 127.0.0.1:${await freePort()} profiles replace-all-with { tcp { } cs_mail { } cs_star { } }`);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/01071809:3: .*has no clientssl\/serverssl profile that is default for SNI/);
    const two = await ltm.tmsh(`create ltm virtual vs_bad2 destination 127.0.0.1:${await freePort()} profiles replace-all-with { tcp { } cs_def { } cs_def_req { } }`);
    expect(two.code).not.toBe(0);
    expect(two.stderr).toMatch(/01071809:3: .*more than one clientssl\/serverssl profile that is default for SNI/);
  });
});

describe('SNI: profiles that could not be honoured are refused at configuration time', () => {
  it('refuses a non-default profile without server-name (it could never be chosen)', async () => {
    await ltm.tmshOk('create ltm profile client-ssl cs_noname cert-key-chain replace-all-with { mail { cert mail.crt key mail.key } }');
    const r = await ltm.tmsh(`create ltm virtual vs_bad3 destination 127.0.0.1:${await freePort()} profiles replace-all-with { tcp { } cs_def { } cs_noname { } }`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/01070734:3: .*cs_noname.*has no server-name/);
  });

  it('refuses two profiles with the same server-name on one virtual', async () => {
    await ltm.tmshOk('create ltm profile client-ssl cs_mail2 cert-key-chain replace-all-with { def { cert def.crt key def.key } } server-name MAIL.example.test');
    const r = await ltm.tmsh(`create ltm virtual vs_bad4 destination 127.0.0.1:${await freePort()} profiles replace-all-with { tcp { } cs_def { } cs_mail { } cs_mail2 { } }`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/same server-name mail\.example\.test/);
  });

  it('refuses a profile whose ciphers differ from the SNI default (OpenSSL picks ciphers before it reads the name)', async () => {
    await ltm.tmshOk('create ltm profile client-ssl cs_ciph cert-key-chain replace-all-with { mail { cert mail.crt key mail.key } } server-name ciph.example.test ciphers ECDHE+AESGCM');
    const r = await ltm.tmsh(`create ltm virtual vs_bad5 destination 127.0.0.1:${await freePort()} profiles replace-all-with { tcp { } cs_def { } cs_ciph { } }`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/differs from the SNI default profile \(\/Common\/cs_def\) in ciphers/);
  });
});
