/**
 * Credentials never cross in cleartext by default (issue 19, decision 5 revised). The member is
 * smtp-server from npm checking the password, so "AUTH works" means a real credential check.
 */
import * as net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { Harness, virtualSpec } from '../support/harness';
import { parseEhlo } from '../support/smtp-client';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
let member: SMTPServer | undefined;
/** Every AUTH the member saw: user and whether the password was right. */
let auths: Array<{ user: string; ok: boolean }> = [];
beforeAll(() => (cert = makeCert()));
afterEach(async () => {
  await h.stop();
  await new Promise<void>((r) => (member ? member.close(() => r()) : r()));
  member = undefined;
  auths = [];
});

const R538 = '538 5.7.11 Encryption required for requested authentication mechanism\r\n';
/** AUTH PLAIN for alice / s3cret-pass. */
const GOOD = `AUTH PLAIN ${Buffer.from('\0alice\0s3cret-pass').toString('base64')}`;
const BAD = `AUTH PLAIN ${Buffer.from('\0alice\0wrong').toString('base64')}`;

async function startMember(): Promise<number> {
  member = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    // The proxy's hop is plaintext by design; the member relies on the proxy for the policy.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, cb) {
      const ok = auth.username === 'alice' && auth.password === 's3cret-pass';
      auths.push({ user: auth.username ?? '', ok });
      if (!ok) return cb(new Error('Invalid username or password'));
      cb(null, { user: auth.username });
    },
  });
  await new Promise<void>((r) => member!.listen(0, '127.0.0.1', r));
  return (member.server.address() as net.AddressInfo).port;
}

async function proxy(mode: 'allow' | 'require', allowPlaintextAuth?: boolean, logger?: pino.Logger) {
  const port = await startMember();
  const spec = { smtps: { name: '/Common/smtps', activationMode: mode, allowPlaintextAuth } };
  const { listener, port: p } = await h.proxy(
    { ...virtualSpec(mode, cert), ...spec },
    [{ address: '127.0.0.1', port }],
    logger ? { logger } : {},
  );
  return { listener, connect: () => h.client(p) };
}

describe('allow mode, by default', () => {
  it('AUTH is hidden before TLS, answered 538 locally and never reaches the member; counted', async () => {
    const f = await proxy('allow');
    const c = await f.connect();
    await c.reply();
    const e = parseEhlo(await c.cmd('EHLO c'));
    expect(e.keywords).toContain('STARTTLS');
    expect(e.keywords).not.toContain('AUTH');
    expect(await c.cmd(GOOD)).toBe(R538);
    expect(await c.cmd('auth login')).toBe(R538);
    expect(await c.cmd('NOOP')).toMatch(/^250 /);
    expect(auths).toEqual([]);
    expect(f.listener.stats.authRefusedBeforeTls).toBe(2);
  });

  it('after STARTTLS, AUTH is advertised and relayed: the member checks the password', async () => {
    const f = await proxy('allow');
    const c = await f.connect();
    await c.reply();
    await c.cmd('EHLO c');
    expect(await c.cmd('STARTTLS')).toMatch(/^220 /);
    await c.startTls(cert.cert);
    const e = parseEhlo(await c.cmd('EHLO c'));
    expect(e.keywords).toContain('AUTH');
    expect(await c.cmd(BAD)).toMatch(/^535 /);
    expect(await c.cmd(GOOD)).toMatch(/^235 /);
    expect(auths).toEqual([{ user: 'alice', ok: false }, { user: 'alice', ok: true }]);
    expect(f.listener.stats.authRefusedBeforeTls).toBe(0);
  });

  it('AUTH LOGIN after STARTTLS: continuations are relayed to the member', async () => {
    const f = await proxy('allow');
    const c = await f.connect();
    await c.reply();
    await c.upgrade(cert.cert);
    expect(await c.cmd('AUTH LOGIN')).toMatch(/^334 /);
    expect(await c.cmd(Buffer.from('alice').toString('base64'))).toMatch(/^334 /);
    expect(await c.cmd(Buffer.from('s3cret-pass').toString('base64'))).toMatch(/^235 /);
    expect(auths).toEqual([{ user: 'alice', ok: true }]);
  });
});

it('an over-long AUTH LOGIN answer is cancelled with the member: the next AUTH is a command again', async () => {
  const f = await proxy('allow');
  const c = await f.connect();
  await c.reply();
  await c.upgrade(cert.cert);
  expect(await c.cmd('AUTH LOGIN')).toMatch(/^334 /);
  expect(await c.cmd('A'.repeat(13_000))).toBe('500 5.5.6 Authentication exchange line is too long\r\n');
  // Were the member still waiting for a username, this line would be taken for one.
  expect(await c.cmd(GOOD)).toMatch(/^235 /);
  expect(auths).toEqual([{ user: 'alice', ok: true }]);
});

describe('opt-out: allow-plaintext-auth enabled', () => {
  it('restores the old behaviour: AUTH advertised and relayed before TLS', async () => {
    const f = await proxy('allow', true);
    const c = await f.connect();
    await c.reply();
    const e = parseEhlo(await c.cmd('EHLO c'));
    expect(e.keywords).toEqual(expect.arrayContaining(['AUTH', 'STARTTLS']));
    expect(await c.cmd(GOOD)).toMatch(/^235 /);
    expect(auths).toEqual([{ user: 'alice', ok: true }]);
    expect(f.listener.stats.authRefusedBeforeTls).toBe(0);
  });
});

it('require mode: AUTH before TLS gets 530 and counts as an AUTH refused before TLS', async () => {
  const f = await proxy('require');
  const c = await f.connect();
  await c.reply();
  expect(await c.cmd(GOOD)).toBe('530 5.7.0 Must issue a STARTTLS command first\r\n');
  expect(auths).toEqual([]);
  expect(f.listener.stats.authRefusedBeforeTls).toBe(1);
  expect(f.listener.stats.refusedBeforeTls).toBe(1);
});

it('the 538 path logs no credentials, even at debug level', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) }));
  const f = await proxy('allow', false, logger);
  const c = await f.connect();
  await c.reply();
  expect(await c.cmd(GOOD)).toBe(R538);
  expect(await c.cmd('QUIT')).toMatch(/^221 /);
  await c.waitClosed();
  const log = lines.join('');
  expect(log).toContain('"cid"');
  for (const secret of [GOOD.slice('AUTH PLAIN '.length), 's3cret-pass', 'alice']) expect(log).not.toContain(secret);
});
