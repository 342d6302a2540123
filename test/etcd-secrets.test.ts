/**
 * Key material on etcd with OPENLTM_SECRETS_KEY_FILE: what etcd holds is ciphertext (read back
 * with etcdctl), a host with the same key file gets the PEM and passphrase back, a host with a
 * different key is refused with a clear error, and one without a key file has no key material.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@openltm/model';
import { Session, generateSelfSigned } from '@openltm/store';
import { openStoreAt } from '../packages/cli/src/open-store';
import { startEtcd, type EtcdCluster } from './support/etcd';

let etcd: EtcdCluster;
let dir: string;
beforeAll(async () => {
  etcd = await startEtcd();
  dir = mkdtempSync(join(tmpdir(), 'openltm-etcd-secrets-'));
}, 60_000);
afterAll(async () => {
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('sealed key material: ciphertext in etcd, the PEM for hosts with the key, a clear error for a wrong key', () => {
  const keyFile = join(dir, 'secrets.key');
  writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const wrongKey = join(dir, 'wrong.key');
  writeFileSync(wrongKey, randomBytes(32).toString('base64'), { mode: 0o600 });
  const pair = generateSelfSigned('mail.example.com');
  writeFileSync(join(dir, 'mail.key'), pair.key);
  const url = etcd.url('/sealed');
  const base = { ...process.env, HOME: dir };

  const a = openStoreAt(url, { env: { ...base, OPENLTM_SECRETS_KEY_FILE: keyFile } });
  try {
    a.execute(`create sys file ssl-key mail.key source-path file:${join(dir, 'mail.key')}`, new Session());
  } finally {
    a.close();
  }

  const stored = execFileSync('etcdctl', ['--endpoints', etcd.members[0].clientUrl, 'get', '--prefix', '/sealed/files/'], { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8' });
  expect(stored).toContain('/sealed/files/sys file ssl-key/Common/mail.key');
  expect(stored).toContain('openltm-aes-256-gcm:');
  expect(stored).not.toContain('PRIVATE KEY');

  const b = openStoreAt(url, { env: { ...base, OPENLTM_SECRETS_KEY_FILE: keyFile } });
  try {
    expect(b.pem('sys file ssl-key', 'mail.key')?.pem).toBe(pair.key);
  } finally {
    b.close();
  }

  let refused: unknown;
  try {
    openStoreAt(url, { env: { ...base, OPENLTM_SECRETS_KEY_FILE: wrongKey } }).close();
  } catch (err) {
    refused = err;
  }
  expect(ConfigError.is(refused) && refused.toString()).toBe(
    "01071ac2:3: Key material in the store cannot be decrypted with this host's secrets key file: every host needs the same key.",
  );

  const without = openStoreAt(url, { env: base });
  try {
    expect(without.pem('sys file ssl-key', 'mail.key')).toBeUndefined();
  } finally {
    without.close();
  }
});
