/**
 * Opens the configuration store a command names: a SQLite file, or an etcd cluster
 * (`etcd://h1:2379,h2:2379[/prefix]`, `etcds://` for TLS). How to reach etcd comes from the
 * environment (the --etcd-* flags set the same variables):
 *
 *   OPENLTM_ETCD_CA, OPENLTM_ETCD_CERT, OPENLTM_ETCD_KEY   PEM files: the CA of the members, this client's certificate and key
 *   OPENLTM_ETCD_USER, OPENLTM_ETCD_PASSWORD (or OPENLTM_ETCD_PASSWORD_FILE)   etcd authentication
 *   OPENLTM_HOST_NAME        this host's name in per-host status (default: the OS host name)
 *   OPENLTM_ETCD_TIMEOUT_MS  how long a request may take before etcd counts as unreachable (default 5000)
 *   OPENLTM_STATUS_TTL       seconds a dead host's status stays (its lease TTL; default 10)
 *   OPENLTM_SECRETS_KEY_FILE a 32-byte key (hex or base64) every host holds: key material is sealed (AES-256-GCM) before it reaches etcd
 *   OPENLTM_ETCD_ATTEMPTS    how often a command runs when other writers keep committing first (default 8; 1 = never retry)
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { ConfigError, ErrorCodes } from '@openltm/model';
import { stateDir } from './store-path';
import { Store, isEtcdUrl, parseEtcdUrl, secretCipherFromFile, type EtcdBackendOptions } from '@openltm/store';

export interface OpenStoreOptions {
  /** A daemon: follow the cluster's changes and keep serving without it. */
  follow?: boolean;
  cacheFile?: string;
  onLink?: (up: boolean, detail: string) => void;
  env?: NodeJS.ProcessEnv;
}

function readPem(what: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(ErrorCodes.FILE, `Cannot read the etcd ${what} ${file}: ${(err as Error).message}.`);
  }
}

/** The etcd driver's settings for `url`, from the environment. */
export function etcdOptions(url: string, options: OpenStoreOptions = {}): EtcdBackendOptions {
  const env = options.env ?? process.env;
  const parsed = parseEtcdUrl(url);
  const ca = env.OPENLTM_ETCD_CA;
  const cert = env.OPENLTM_ETCD_CERT;
  const key = env.OPENLTM_ETCD_KEY;
  if (parsed.tls && !ca) throw new ConfigError(ErrorCodes.INVALID_VALUE, `${url} uses TLS: set OPENLTM_ETCD_CA (or --etcd-ca) to the CA certificate of the etcd members.`);
  if (!parsed.tls && (ca || cert)) throw new ConfigError(ErrorCodes.INVALID_VALUE, `TLS settings for etcd are given but ${url} is not TLS: use etcds://.`);
  if (!!cert !== !!key) throw new ConfigError(ErrorCodes.INVALID_VALUE, 'An etcd client certificate needs its key, and a key its certificate (OPENLTM_ETCD_CERT and OPENLTM_ETCD_KEY).');
  const user = env.OPENLTM_ETCD_USER;
  const password = env.OPENLTM_ETCD_PASSWORD ?? (env.OPENLTM_ETCD_PASSWORD_FILE ? readPem('password file', env.OPENLTM_ETCD_PASSWORD_FILE).trim() : undefined);
  if (user && password === undefined) throw new ConfigError(ErrorCodes.INVALID_VALUE, 'OPENLTM_ETCD_USER is set without OPENLTM_ETCD_PASSWORD or OPENLTM_ETCD_PASSWORD_FILE.');
  const number = (name: string, fallback: number): number => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new ConfigError(ErrorCodes.INVALID_VALUE, `${name} must be a positive whole number, not "${v}".`);
    return n;
  };
  return {
    connection: {
      hosts: parsed.hosts,
      prefix: parsed.prefix,
      ...(ca ? { credentials: { ca: readPem('CA certificate', ca), ...(cert && key ? { cert: readPem('client certificate', cert), key: readPem('client key', key) } : {}) } } : {}),
      ...(user ? { auth: { username: user, password: password ?? '' } } : {}),
      timeoutMs: number('OPENLTM_ETCD_TIMEOUT_MS', 5000),
      statusTtlSeconds: number('OPENLTM_STATUS_TTL', 10),
    },
    location: url,
    host: env.OPENLTM_HOST_NAME || hostname(),
    maxAttempts: number('OPENLTM_ETCD_ATTEMPTS', 8),
    ...(env.OPENLTM_SECRETS_KEY_FILE ? { cipher: secretCipherFromFile(env.OPENLTM_SECRETS_KEY_FILE) } : {}),
    ...(options.follow ? { follow: true } : {}),
    ...(options.cacheFile ? { cacheFile: options.cacheFile } : {}),
    ...(options.onLink ? { onLink: options.onLink } : {}),
  };
}

/**
 * The daemon's cached copy of an etcd cluster's configuration: one file per cluster address under
 * ~/.openltm. tmsh reads it (and says so) when etcd cannot be reached.
 */
export function etcdCacheFile(url: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), `etcd-cache-${createHash('sha256').update(url).digest('hex').slice(0, 12)}.json`);
}

/** Opens the store at `location`: a SQLite file or an etcd URL. */
export function openStoreAt(location: string, options: OpenStoreOptions = {}): Store {
  if (!isEtcdUrl(location)) return Store.open(location);
  const settings = etcdOptions(location, options);
  const env = options.env ?? process.env;
  // `save sys config` / `load sys config` without a file use ~/.openltm/bigip.conf: an etcd store has no directory of its own.
  return Store.openEtcd(options.follow ? settings : { ...settings, cachedReads: etcdCacheFile(location, env) }, { configFile: join(stateDir(env), 'bigip.conf') });
}
