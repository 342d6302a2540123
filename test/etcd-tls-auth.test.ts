/**
 * openltm against an etcd that demands client TLS certificates and, then, user authentication:
 * `etcds://` with OPENLTM_ETCD_CA/CERT/KEY works; without a client certificate etcd refuses the
 * handshake and tmsh says the store cannot be reached; with auth enabled, the right
 * OPENLTM_ETCD_USER/PASSWORD works and a wrong password is refused, changing nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@openltm/model';
import { Session } from '@openltm/store';
import { openStoreAt } from '../packages/cli/src/open-store';
import { etcdctl, startEtcd, type EtcdCluster, type EtcdTls } from './support/etcd';
import { makeTestPki, type TestPki } from './support/pki';

let pki: TestPki;
let etcd: EtcdCluster;
let tls: EtcdTls;
let home: string;
beforeAll(async () => {
  pki = await makeTestPki();
  const server = await pki.issue('etcd.test', { usage: 'server', altNames: ['IP:127.0.0.1', 'DNS:localhost'] });
  const client = await pki.issue('root', { usage: 'client' });
  tls = { certFile: server.certFile, keyFile: server.keyFile, caFile: pki.caFile, clientCertFile: client.certFile, clientKeyFile: client.keyFile };
  etcd = await startEtcd({ tls });
  home = mkdtempSync(join(tmpdir(), 'openltm-etcd-tls-'));
}, 60_000);
afterAll(async () => {
  await etcd?.stop();
  pki?.remove();
  if (home) rmSync(home, { recursive: true, force: true });
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (ConfigError.is(err)) return err.toString();
    throw err;
  }
  throw new Error('expected a refusal');
}

test('client certificates, then user and password', async () => {
  const url = etcd.url('/tls');
  const withCert = { ...process.env, HOME: home, OPENLTM_ETCD_TIMEOUT_MS: '2000', OPENLTM_ETCD_CA: pki.caFile, OPENLTM_ETCD_CERT: tls.clientCertFile, OPENLTM_ETCD_KEY: tls.clientKeyFile };
  const store = openStoreAt(url, { env: withCert });
  try {
    store.execute('create ltm pool over_tls', new Session());
  } finally {
    store.close();
  }
  expect(await etcdctl([etcd.members[0].clientUrl], ['get', '--prefix', '--keys-only', '/tls/objects/ltm pool'], tls)).toContain('/tls/objects/ltm pool/Common/over_tls');

  // No client certificate: etcd ends the handshake.
  expect(refusal(() => openStoreAt(url, { env: { ...process.env, HOME: home, OPENLTM_ETCD_TIMEOUT_MS: '2000', OPENLTM_ETCD_CA: pki.caFile } }))).toMatch(
    /^01070994:3: The configuration store etcds:\/\/127\.0\.0\.1:\d+\/tls cannot be reached \(/,
  );

  // Authentication on: a user with a password.
  const ep = [etcd.members[0].clientUrl];
  await etcdctl(ep, ['user', 'add', 'root:root-pw'], tls);
  await etcdctl(ep, ['user', 'add', 'ltm:s3cret'], tls);
  await etcdctl(ep, ['role', 'add', 'openltm'], tls);
  await etcdctl(ep, ['role', 'grant-permission', 'openltm', '--prefix=true', 'readwrite', '/tls/'], tls);
  await etcdctl(ep, ['user', 'grant-role', 'ltm', 'openltm'], tls);
  await etcdctl(ep, ['auth', 'enable'], tls);

  const good = openStoreAt(url, { env: { ...withCert, OPENLTM_ETCD_USER: 'ltm', OPENLTM_ETCD_PASSWORD: 's3cret' } });
  try {
    good.execute('create ltm pool with_password', new Session());
    expect(good.names('ltm pool')).toEqual(['over_tls', 'with_password']);
  } finally {
    good.close();
  }
  expect(refusal(() => openStoreAt(url, { env: { ...withCert, OPENLTM_ETCD_USER: 'ltm', OPENLTM_ETCD_PASSWORD: 'wrong' } }))).toMatch(
    /^01070734:3: etcd refused this client \(.*authentication failed.*\): check OPENLTM_ETCD_USER, its password and its role's permission on the prefix\. Nothing was changed\.$/,
  );
}, 90_000);
