import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '@openltm/model';
import { Session, Store, generateSelfSigned, parseEtcdUrl, type StoreBackend } from '@openltm/store';
import { SqliteBackend } from '../src/sqlite-backend';
import { EtcdBackend } from '../src/etcd-backend';

let pair: { cert: string; key: string } | undefined;
/** One default pair per test file: RSA key generation is the slowest part of creating a store. */
export function defaultPair(): { cert: string; key: string } {
  return (pair ??= generateSelfSigned());
}

export interface TestStore {
  store: Store;
  session: Session;
  dir: string;
  file: string;
  /** Runs one command and returns what it printed. */
  run(cmd: string): string;
  /** The ConfigError a command throws (fails the test if it does not). */
  fail(cmd: string): ConfigError;
  cleanup(): void;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-store-'));
}

/** Which driver the suite runs on: the "store on etcd" jest project runs it all again on etcd. */
export const driver: 'sqlite' | 'etcd' = (globalThis as { OPENLTM_STORE_DRIVER?: string }).OPENLTM_STORE_DRIVER === 'etcd' ? 'etcd' : 'sqlite';
/** `it`, for tests of the SQLite file itself (its locking, its tables): skipped on etcd, which has its own tests. */
export const itSqlite = driver === 'sqlite' ? it : it.skip;

let prefixes = 0;
/** Each test store on etcd gets a key prefix of its own. */
function etcdPrefix(): string {
  return `/test-${process.pid}-${++prefixes}-${crypto.randomBytes(4).toString('hex')}`;
}

const opened = new Map<string, string>();
/**
 * Opens the store of a test: the SQLite file `file`, or (on etcd) the prefix that file stands
 * for, so a second open of the same file is a second client of the same configuration.
 */
export function openStoreAt(file: string, options: { busyTimeoutMs?: number } = {}): Store {
  const storeOptions = { defaultCertificate: defaultPair(), busyTimeoutMs: options.busyTimeoutMs ?? 2000, configFile: path.join(path.dirname(file), 'bigip.conf') };
  if (driver === 'sqlite') return Store.open(file, storeOptions);
  const base = process.env.OPENLTM_TEST_ETCD_URL;
  if (!base) throw new Error('the "store on etcd" project needs OPENLTM_TEST_ETCD_URL (its global setup starts etcd)');
  let prefix = opened.get(file);
  if (!prefix) opened.set(file, (prefix = etcdPrefix()));
  const url = parseEtcdUrl(`${base}${prefix}`);
  return Store.openEtcd({ connection: { hosts: url.hosts, prefix: url.prefix, timeoutMs: 5000, statusTtlSeconds: 10 }, location: `${base}${prefix}`, host: 'test' }, storeOptions);
}

/**
 * The storage backend under a test store's file (or its etcd prefix), without a Store on top: to
 * write records the way another openltm build did, through the repository seam.
 */
export function openBackendAt(file: string): StoreBackend {
  if (driver === 'sqlite') return SqliteBackend.open(file, { busyTimeoutMs: 2000 });
  const base = process.env.OPENLTM_TEST_ETCD_URL!;
  let prefix = opened.get(file);
  if (!prefix) opened.set(file, (prefix = etcdPrefix()));
  const url = parseEtcdUrl(`${base}${prefix}`);
  return EtcdBackend.open({ connection: { hosts: url.hosts, prefix: url.prefix, timeoutMs: 5000, statusTtlSeconds: 10 }, location: `${base}${prefix}`, host: 'test' });
}

export function openTestStore(dir = tempDir()): TestStore {
  const file = path.join(dir, 'config.db');
  const store = openStoreAt(file);
  const session = new Session();
  return {
    store,
    session,
    dir,
    file,
    run: (cmd) => store.execute(cmd, session).output,
    fail: (cmd) => {
      try {
        store.execute(cmd, session);
      } catch (err) {
        if (ConfigError.is(err)) return err;
        throw err;
      }
      throw new Error(`expected "${cmd}" to fail`);
    },
    cleanup: () => {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a fresh certificate and key (optionally encrypted) into `dir`. */
const pairs = new Map<string, { cert: string; key: string }>();
export function writePair(dir: string, name: string, passphrase?: string): { cert: string; key: string } {
  let p = pairs.get(name);
  if (!p) pairs.set(name, (p = generateSelfSigned(`${name}.example.com`)));
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  fs.writeFileSync(cert, p.cert);
  const keyPem = passphrase
    ? crypto.createPrivateKey(p.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
    : p.key;
  fs.writeFileSync(key, keyPem);
  return { cert, key };
}

/** The seed scenario of tmsh.md section 8, with certificates written to `dir`. */
export function seedScenario(t: TestStore): void {
  const { cert, key } = writePair(t.dir, 'mail');
  t.run(`create sys file ssl-cert mail.crt source-path file:${cert}`);
  t.run(`create sys file ssl-key mail.key source-path file:${key}`);
  t.run('create ltm profile client-ssl my_cssl defaults-from clientssl cert-key-chain replace-all-with { default { cert mail.crt key mail.key } }');
  t.run('create ltm profile smtps my_smtps defaults-from smtps activation-mode require');
  t.run('create ltm monitor smtp smtp_mon defaults-from smtp domain example.com');
  t.run('create ltm pool smtp_pool monitor smtp_mon members replace-all-with { 10.0.0.11:25 { address 10.0.0.11 } 10.0.0.12:25 { address 10.0.0.12 } }');
  t.run('create ltm virtual vs_smtp destination 192.0.2.10:25 ip-protocol tcp pool smtp_pool profiles replace-all-with { tcp { } my_smtps { } my_cssl { context clientside } } source-address-translation { type automap }');
}
