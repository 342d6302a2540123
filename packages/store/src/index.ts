/**
 * @openltm/store: the configuration store (one SQLite file, or an etcd cluster) and the tmsh
 * executor. Both drivers sit behind one seam (store-backend.ts, object-repository.ts).
 *
 * For the cli:
 *  - `openStore(path)` / `Store.open(path, { busyTimeoutMs })`: creates the file (0600) with the
 *    built-ins when missing.
 *  - `Store.openEtcd({ connection, location, host, follow?, cacheFile?, cipher? })`: the same store
 *    on etcd (`parseEtcdUrl` reads `etcd://h1:2379,h2:2379/prefix`); see docs/cluster.md.
 *  - `store.execute(text | statement, session)` -> `{ output, data?, changed?, queued? }`; throws
 *    ConfigError (print `err.toString()`); nothing changes on error.
 *  - `store.executeScript(text, session, { dryRun, source })`: a whole script in one transaction.
 *  - `new Session()`: current folder and pending cli transaction; one per shell.
 *  - `store.names(typeKey, folder)`: object names for completion.
 * For the daemon:
 *  - `store.generation()`: cheap; poll it.
 *  - `store.effective(typeKey)`, `store.getEffective(typeKey, name)`, `store.snapshot(typeKeys)`:
 *    objects with effective values (defaults filled, defaults-from resolved). Values are stored
 *    forms: references are full paths, destinations `/Common/10.0.0.1:25` (IPv6 `addr.port`),
 *    monitor rules text (`/Common/a and /Common/b`, `min 1 of { ... }`, `none`; parse with
 *    `parseMonitorRule`), lists string arrays, collections records keyed by full name (pool
 *    members `/Common/10.0.0.11:25`; split with `memberNode`). Strings keep tmsh's escaped form
 *    (`GET /\r\n`): turn them into bytes with the parser's `unescapeTmsh`.
 *  - `store.pem('sys file ssl-cert' | 'sys file ssl-key', name)`: PEM (+ passphrase). Never log.
 *  - `store.writeStatus(report)`: the data plane's StatusReport for `show`.
 */
export { Store, openStore, type StoreOptions, type EffectiveObject, type ScriptOptions, type ScriptResult } from './store';
export { Session, type ExecuteResult } from './session';
export type { LoadSummary } from './save-load';
export { parseMonitorRule, formatMonitorRule, type ParsedMonitorRule } from './monitor-rule';
export { memberNode } from './validate/references';
export { NOT_SERVED_KEY, PRESERVED_KEY } from './preserved';
export { generateSelfSigned } from './certificates';
export type { StoredProps, StoredValue } from './stored-value';
export { SCHEMA_VERSION } from './database';
export { hashPassword, verifyPassword } from './passwords';
export type { ShowJson } from './show-data';
export { persistenceInForce, SOURCE_ADDR, type PersistenceInForce } from './persistence-in-force';
export { isEtcdUrl, parseEtcdUrl, type EtcdUrl } from './etcd-url';
export type { EtcdBackendOptions } from './etcd-backend';
export { secretCipherFromFile, type SecretCipher } from './kv-secrets';
export type { EtcdConnection } from './etcd-protocol';
export type { StoreBackend } from './store-backend';
