/**
 * Starts the API on a store: the TLS certificate and key come from the store's sys file objects.
 * `openltm api` calls it; the daemon can call it too (one line) to serve the API in-process.
 */
import * as path from 'node:path';
import type { Logger } from 'pino';
import type { Store } from '@openltm/store';
import { startApiServer, type ApiServerOptions, type RunningApi } from './api-server';
import { createMetrics } from './metrics';
import { stateDir } from '../store-path';

export interface ServeApiOptions {
  host?: string;
  port?: number;
  /** Names of the `sys file ssl-cert` and `ssl-key` the API presents (default default.crt / default.key). */
  cert?: string;
  key?: string;
  anonymousLoopback?: boolean;
  uploadDir?: string;
  /** Serve Prometheus metrics at /metrics (same listener and credentials); default true. */
  metrics?: boolean;
}

export async function serveApi(store: Store, logger: Logger, o: ServeApiOptions = {}): Promise<RunningApi> {
  const certName = o.cert ?? 'default.crt';
  const keyName = o.key ?? 'default.key';
  const cert = store.pem('sys file ssl-cert', certName);
  const key = store.pem('sys file ssl-key', keyName);
  if (!cert) throw new Error(`the API certificate ${certName} is not in the store (create sys file ssl-cert ${certName} first)`);
  if (!key) throw new Error(`the API key ${keyName} is not in the store (create sys file ssl-key ${keyName} first)`);
  const api = await startApiServer({
    store,
    logger,
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 8443,
    tls: { cert: cert.pem, key: key.pem, ...(key.passphrase ? { passphrase: key.passphrase } : {}) },
    uploadDir: o.uploadDir ?? path.join(store.driver === 'sqlite' ? path.dirname(path.resolve(store.path)) : stateDir(), 'api-uploads'),
    auth: { anonymousLoopback: o.anonymousLoopback === true },
    ...(o.metrics !== false ? { metrics: metricsEndpoint(store) } : {}),
  });
  logger.info({ host: o.host ?? '127.0.0.1', port: api.port, cert: certName }, 'iControl REST API listening');
  if (!o.anonymousLoopback && store.names('auth user').length === 0) {
    logger.warn({}, 'no auth user exists: every request will be refused until one is created (create auth user NAME password ...)');
  }
  return api;
}

function metricsEndpoint(store: Store): NonNullable<ApiServerOptions['metrics']> {
  const m = createMetrics(store);
  return async () => ({ contentType: m.contentType, body: await m.scrape() });
}
