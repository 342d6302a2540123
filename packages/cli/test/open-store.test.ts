/** The etcd store address and settings: what a user types or exports, and the clear errors for bad input. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '@openltm/model';
import { parseEtcdUrl } from '@openltm/store';
import { etcdOptions } from '../src/open-store';
import { resolveStorePath } from '../src/store-path';

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (ConfigError.is(err)) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

test('an etcd URL names the members and the key prefix; etcds:// means TLS', () => {
  expect(parseEtcdUrl('etcd://10.0.0.1:2379,10.0.0.2:2379')).toEqual({ hosts: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'], prefix: '/openltm/', tls: false });
  expect(parseEtcdUrl('etcds://gw.example.com:2379/mail/prod/')).toEqual({ hosts: ['https://gw.example.com:2379'], prefix: '/mail/prod/', tls: true });
  for (const bad of ['etcd://', 'etcd://host', 'etcd://h:2379,,x y:1', 'etcd:/h:2379']) {
    expect(errorOf(() => parseEtcdUrl(bad)).toString()).toBe(
      `01070712:3: "${bad}" is not an etcd store address: expected etcd://host:port[,host:port...][/prefix] (etcds:// for TLS).`,
    );
  }
});

test('--store and OPENLTM_STORE pass an etcd URL through untouched (no directory is created for it)', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-url-'));
  try {
    expect(resolveStorePath('etcd://127.0.0.1:2379', { HOME: home })).toBe('etcd://127.0.0.1:2379');
    expect(resolveStorePath(undefined, { HOME: home, OPENLTM_STORE: 'etcds://a:1,b:2/x' })).toBe('etcds://a:1,b:2/x');
    expect(fs.readdirSync(home)).toEqual([]);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('TLS, authentication and host settings come from the environment, with a clear error for each mistake', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-etcd-env-'));
  try {
    for (const f of ['ca.pem', 'c.pem', 'c.key']) fs.writeFileSync(path.join(dir, f), `PEM ${f}`);
    const env = { OPENLTM_ETCD_CA: path.join(dir, 'ca.pem'), OPENLTM_ETCD_CERT: path.join(dir, 'c.pem'), OPENLTM_ETCD_KEY: path.join(dir, 'c.key'), OPENLTM_ETCD_USER: 'ltm', OPENLTM_ETCD_PASSWORD: 'pw', OPENLTM_HOST_NAME: 'gw-a', OPENLTM_STATUS_TTL: '4' };
    const o = etcdOptions('etcds://h:2379/p', { env });
    expect(o.connection).toMatchObject({ hosts: ['https://h:2379'], prefix: '/p/', credentials: { ca: 'PEM ca.pem', cert: 'PEM c.pem', key: 'PEM c.key' }, auth: { username: 'ltm', password: 'pw' }, statusTtlSeconds: 4 });
    expect(o.host).toBe('gw-a');

    expect(errorOf(() => etcdOptions('etcds://h:2379', { env: {} })).message).toBe('etcds://h:2379 uses TLS: set OPENLTM_ETCD_CA (or --etcd-ca) to the CA certificate of the etcd members.');
    expect(errorOf(() => etcdOptions('etcd://h:2379', { env: { OPENLTM_ETCD_CA: env.OPENLTM_ETCD_CA } })).message).toBe('TLS settings for etcd are given but etcd://h:2379 is not TLS: use etcds://.');
    expect(errorOf(() => etcdOptions('etcds://h:2379', { env: { OPENLTM_ETCD_CA: env.OPENLTM_ETCD_CA, OPENLTM_ETCD_CERT: env.OPENLTM_ETCD_CERT } })).message).toMatch(/needs its key/);
    expect(errorOf(() => etcdOptions('etcd://h:2379', { env: { OPENLTM_ETCD_USER: 'ltm' } })).message).toBe('OPENLTM_ETCD_USER is set without OPENLTM_ETCD_PASSWORD or OPENLTM_ETCD_PASSWORD_FILE.');
    expect(errorOf(() => etcdOptions('etcd://h:2379', { env: { OPENLTM_ETCD_TIMEOUT_MS: 'soon' } })).message).toBe('OPENLTM_ETCD_TIMEOUT_MS must be a positive whole number, not "soon".');
    expect(errorOf(() => etcdOptions('etcds://h:2379', { env: { OPENLTM_ETCD_CA: path.join(dir, 'missing.pem') } })).code).toBe('01070711');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the --etcd-* flags reach the store opener, and an unreachable cluster is one clear line', async () => {
  const { runProcess } = await import('../../../test/support/run-process');
  const tmsh = path.join(__dirname, '..', '..', '..', 'bin', 'tmsh');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-etcd-flags-'));
  try {
    const env = { ...process.env, HOME: home, OPENLTM_STORE: '' };
    const flagged = await runProcess(process.execPath, [tmsh, '--store', 'etcds://127.0.0.1:1', '--etcd-ca', path.join(home, 'missing.pem'), '-c', 'list ltm pool'], { env });
    expect(flagged.code).toBe(1);
    expect(flagged.stderr).toBe(`01070711:3: Cannot read the etcd CA certificate ${path.join(home, 'missing.pem')}: ENOENT: no such file or directory, open '${path.join(home, 'missing.pem')}'.\n`);
    const down = await runProcess(process.execPath, [tmsh, '--store', 'etcd://127.0.0.1:1', '-c', 'list ltm pool'], { env });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^01070994:3: The configuration store etcd:\/\/127\.0\.0\.1:1 cannot be reached \(.*\)\. Nothing was changed; try again\.\n$/);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}, 30_000);
