/**
 * API authentication over real HTTPS against a real store: auth user objects (scrypt hashes,
 * never the password), HTTP Basic, token login as f5_modules does it, the guest role, the
 * lockout after failed logins, anonymous loopback only when allowed, and the store's certificate.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import pino from 'pino';
import { startApiServer } from '../src/api/api-server';
import { startApiFixture, type ApiFixture } from './helpers/api-fixture';

jest.setTimeout(60_000);

let fx: ApiFixture;

beforeAll(async () => {
  fx = await startApiFixture({ users: [['admin', 'admin-pass'], ['viewer', 'viewer pass "quoted"', 'guest']] });
});
afterAll(() => fx?.close());

test('no credentials and a wrong password get 401 in the BIG-IP error shape; Basic with the right one gets in', async () => {
  const none = await fx.call('GET', '/mgmt/tm/ltm/pool', { auth: null });
  expect(none.status).toBe(401);
  expect(none.body).toEqual({ code: 401, message: expect.stringContaining('Authorization failed'), errorStack: [], apiError: 1 });
  expect(none.headers['www-authenticate']).toMatch(/^Basic/);
  expect((await fx.call('GET', '/mgmt/tm/ltm/pool', { auth: 'admin:wrong' })).status).toBe(401);
  expect((await fx.call('GET', '/mgmt/tm/ltm/pool', { auth: 'nobody:admin-pass' })).status).toBe(401);
  const ok = await fx.call('GET', '/mgmt/tm/ltm/pool');
  expect(ok.status).toBe(200);
  expect(ok.body.kind).toBe('tm:ltm:pool:poolcollectionstate');
});

test('token login at /mgmt/shared/authn/login, the token in X-F5-Auth-Token, its timeout changed and revoked at /mgmt/shared/authz/tokens', async () => {
  const login = await fx.call('POST', '/mgmt/shared/authn/login', { auth: null, body: { username: 'admin', password: 'admin-pass', loginProviderName: 'tmos' } });
  expect(login.status).toBe(200);
  const token = login.body.token.token as string;
  expect(token).toMatch(/^[A-Z0-9]{26}$/);
  expect(login.body.token).toMatchObject({ userName: 'admin', timeout: 1200 });
  expect((await fx.call('GET', '/mgmt/tm/sys', { token })).status).toBe(200);
  const patched = await fx.call('PATCH', `/mgmt/shared/authz/tokens/${token}`, { token, body: { timeout: 3600 } });
  expect(patched.body.timeout).toBe(3600);
  expect((await fx.call('DELETE', `/mgmt/shared/authz/tokens/${token}`, { token })).status).toBe(200);
  expect((await fx.call('GET', '/mgmt/tm/sys', { token })).status).toBe(401);
  const bad = await fx.call('POST', '/mgmt/shared/authn/login', { auth: null, body: { username: 'admin', password: 'nope' } });
  expect(bad.status).toBe(401);
});

test('the password is stored only as an scrypt hash: not in the SQLite file, not in list, not over the API', async () => {
  const files = readdirSync(fx.dir).filter((f) => f.startsWith('config.db'));
  for (const f of files) expect(readFileSync(join(fx.dir, f)).includes('admin-pass')).toBe(false);
  const listed = fx.store.execute('list auth user admin').output;
  expect(listed).toMatch(/encrypted-password \$scrypt\$N=16384,r=8,p=1\$/);
  expect(listed).not.toContain('admin-pass');
  const got = await fx.call('GET', '/mgmt/tm/auth/user/admin');
  expect(got.body.encryptedPassword).toMatch(/^\$scrypt\$/);
  expect(got.text).not.toContain('admin-pass');
  expect(got.body.password).toBeUndefined();
});

test('a new password set over the API works at once and the old one stops working', async () => {
  await fx.call('POST', '/mgmt/tm/auth/user', { body: { name: 'rotating', password: 'first-one' } });
  expect((await fx.call('GET', '/mgmt/tm/sys', { auth: 'rotating:first-one' })).status).toBe(200);
  expect((await fx.call('PATCH', '/mgmt/tm/auth/user/rotating', { body: { password: 'second-one' } })).status).toBe(200);
  expect((await fx.call('GET', '/mgmt/tm/sys', { auth: 'rotating:first-one' })).status).toBe(401);
  expect((await fx.call('GET', '/mgmt/tm/sys', { auth: 'rotating:second-one' })).status).toBe(200);
});

test('a guest reads but cannot change anything (403, generation unchanged)', async () => {
  const guest = 'viewer:viewer pass "quoted"';
  expect((await fx.call('GET', '/mgmt/tm/ltm/virtual', { auth: guest })).status).toBe(200);
  const before = fx.store.generation();
  const res = await fx.call('POST', '/mgmt/tm/ltm/pool', { auth: guest, body: { name: 'guest_pool' } });
  expect(res.status).toBe(403);
  expect(res.body.message).toContain('guest');
  expect(fx.store.generation()).toBe(before);
  expect(fx.store.getEffective('ltm pool', 'guest_pool')).toBeUndefined();
});

test('failed logins are logged and, past five, lock the address out even with the right password', async () => {
  const lock = await startApiFixture();
  try {
    for (let i = 0; i < 5; i++) expect((await lock.call('GET', '/mgmt/tm/sys', { auth: 'admin:guess' + i })).status).toBe(401);
    const locked = await lock.call('GET', '/mgmt/tm/sys');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const failures = lock.logs.filter((l) => String(l.msg).startsWith('API login failed'));
    expect(failures).toHaveLength(5);
    expect(failures[4]).toMatchObject({ user: 'admin', address: '127.0.0.1', lockedOut: true });
    // Logs never carry the passwords tried.
    expect(JSON.stringify(lock.logs)).not.toContain('guess');
  } finally {
    await lock.close();
  }
});

test('anonymous access only when allowed, and only on a loopback address', async () => {
  const anon = await startApiFixture({ anonymousLoopback: true });
  try {
    expect((await anon.call('GET', '/mgmt/tm/ltm/pool', { auth: null })).status).toBe(200);
  } finally {
    await anon.close();
  }
  await expect(
    startApiServer({ store: fx.store, logger: pino({ level: 'silent' }), host: '0.0.0.0', port: 0, tls: { cert: '', key: '' }, uploadDir: join(fx.dir, 'u'), auth: { anonymousLoopback: true } }),
  ).rejects.toThrow(/only allowed on a loopback address/);
});

test('the API presents the certificate from the store', async () => {
  const res = await fx.call('GET', '/mgmt/tm/sys');
  const stored = new X509Certificate(fx.store.pem('sys file ssl-cert', 'default.crt')!.pem);
  expect(res.peerFingerprint).toBe(stored.fingerprint256);
});
