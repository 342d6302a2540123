/**
 * Issue 19 end to end: the real daemon configured with the real tmsh. Postfix is the member that
 * must never see AUTH before TLS (its log is the witness); smtp-server, checking a password, is
 * the member that proves AUTH works after STARTTLS and, with the opt-out, before it. swaks is
 * the client.
 */
import { connect, type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { startPostfix, type PrivatePostfix } from './support/postfix';
import { SmtpReplyReader } from './support/smtp-reply-reader';
import { swaks } from './support/swaks';

let ltm: OpenltmInstance;
let postfix: PrivatePostfix;
let member: SMTPServer;
const ports = { pf: 0, auth: 0, open: 0 };
const auths: Array<{ user: string; ok: boolean }> = [];
let warning = '';

const AUTH_ARGS = ['--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 's3cret-pass'];

beforeAll(async () => {
  // debug_peer_list: Postfix logs every command it receives from the proxy.
  postfix = await startPostfix({ main: { debug_peer_list: '127.0.0.1' } });
  member = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _s, cb) {
      const ok = auth.username === 'alice' && auth.password === 's3cret-pass';
      auths.push({ user: auth.username ?? '', ok });
      return ok ? cb(null, { user: 'alice' }) : cb(new Error('Invalid username or password'));
    },
    onData(stream, _s, cb) {
      stream.resume();
      stream.on('end', () => cb());
    },
  });
  await new Promise<void>((r) => member.listen(0, '127.0.0.1', r));
  const memberPort = (member.server.address() as AddressInfo).port;
  ltm = createOpenltm();
  ports.pf = await freePort();
  ports.auth = await freePort();
  ports.open = await freePort();
  await ltm.tmshOk(`create ltm pool p_pf members replace-all-with { 127.0.0.1:${postfix.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk(`create ltm pool p_auth members replace-all-with { 127.0.0.1:${memberPort} { address 127.0.0.1 } }`);
  await ltm.tmshOk('create ltm profile smtps s_allow activation-mode allow');
  const created = await ltm.tmsh('create ltm profile smtps s_open activation-mode allow allow-plaintext-auth enabled');
  if (created.code !== 0) throw new Error(created.stderr);
  warning = created.stderr;
  const vs = (name: string, port: number, pool: string, smtps: string) =>
    ltm.tmshOk(`create ltm virtual ${name} destination 127.0.0.1:${port} pool ${pool} profiles replace-all-with { /Common/tcp { } ${smtps} { } /Common/clientssl { context clientside } }`);
  await vs('vs_pf', ports.pf, 'p_pf', 's_allow');
  await vs('vs_auth', ports.auth, 'p_auth', 's_allow');
  await vs('vs_open', ports.open, 'p_auth', 's_open');
  await ltm.startDaemon();
  for (const p of Object.values(ports)) await waitForListen(p, { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  await ltm?.stop();
  await postfix?.stop();
  await new Promise<void>((r) => (member ? member.close(() => r()) : r()));
});

beforeEach(() => (auths.length = 0));

it('setting allow-plaintext-auth enabled prints a warning on stderr (rc 0); list shows it', async () => {
  expect(warning).toContain('01070996:4: allow-plaintext-auth enabled');
  expect(await ltm.tmshOk('list ltm profile smtps s_open')).toContain('allow-plaintext-auth enabled');
});

it('AUTH PLAIN before TLS: 538 from the proxy, Postfix never sees AUTH, show counts it', async () => {
  const sock = connect({ host: '127.0.0.1', port: ports.pf });
  const r = new SmtpReplyReader(sock);
  try {
    expect((await r.next()).code).toBe(220);
    sock.write('EHLO client.test\r\n');
    const ehlo = await r.next();
    expect(ehlo.lines.join('\n')).toMatch(/STARTTLS/);
    expect(ehlo.lines.join('\n')).not.toMatch(/AUTH/);
    sock.write(`AUTH PLAIN ${Buffer.from('\0alice\0s3cret-pass').toString('base64')}\r\n`);
    const refused = await r.next();
    expect(refused.code).toBe(538);
    expect(refused.lines[0]).toBe('538 5.7.11 Encryption required for requested authentication mechanism');
    sock.write('QUIT\r\n');
    expect((await r.next()).code).toBe(221);
  } finally {
    sock.destroy();
  }
  // Postfix logged the session's commands (debug_peer_list): EHLO and QUIT, never AUTH.
  const log = await eventually(() => postfix.maillog(), (l) => /< [^:]*\[127\.0\.0\.1\]: QUIT/.test(l), 5000, 100);
  expect(log).toMatch(/< [^:]*\[127\.0\.0\.1\]: EHLO client\.test/);
  expect(log).not.toMatch(/: AUTH/i);
  expect(log).not.toContain(Buffer.from('\0alice\0s3cret-pass').toString('base64'));
  const show = await eventually(() => ltm.tmshOk('show ltm virtual vs_pf raw'), (o) => /AUTH Refused Before TLS\s+1\b/.test(o), 5000, 200);
  expect(show).toMatch(/AUTH Refused Before TLS\s+1\b/);
});

// swaks only sends AUTH when the EHLO reply offers it, so it stops before the 538 (which the
// raw client above gets): "Host did not advertise authentication", on stderr.
it('swaks --auth without --tls fails and the member sees no credentials', async () => {
  const res = await swaks({ port: ports.auth, args: AUTH_ARGS });
  expect(res.code).not.toBe(0);
  expect(res.transcript + res.stderr).toMatch(/did not advertise authentication/);
  expect(res.transcript).not.toMatch(/-> AUTH/);
  expect(auths).toEqual([]);
});

it('swaks --auth with --tls authenticates against the member and delivers', async () => {
  const res = await swaks({ port: ports.auth, mode: 'starttls', args: AUTH_ARGS });
  expect(res.code).toBe(0);
  expect(res.transcript).toMatch(/~> AUTH PLAIN/);
  expect(res.transcript).toMatch(/<~ +235 /);
  expect(auths).toEqual([{ user: 'alice', ok: true }]);
});

it('with the opt-out, swaks --auth without --tls authenticates in cleartext as before', async () => {
  const res = await swaks({ port: ports.open, args: AUTH_ARGS });
  expect(res.code).toBe(0);
  expect(res.transcript).toMatch(/-> AUTH PLAIN/);
  expect(res.transcript).toMatch(/<- +235 /);
  expect(auths).toEqual([{ user: 'alice', ok: true }]);
});
