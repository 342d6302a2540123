/**
 * A real API for tests: a new SQLite store in a temp directory, the HTTPS server on 127.0.0.1
 * port 0 presenting the store's default.crt, and a client that trusts exactly that certificate.
 */
import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { openStore, type Store } from '@openltm/store';
import { escapeTmsh } from '@openltm/parser';
import { serveApi } from '../../src/api/serve-api';
import type { RunningApi } from '../../src/api/api-server';

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
  peerFingerprint?: string;
}

export interface ApiFixture {
  dir: string;
  store: Store;
  api: RunningApi;
  /** Log lines the server wrote (JSON objects). */
  logs: Array<Record<string, unknown>>;
  call(method: string, path: string, opts?: { body?: unknown; raw?: string | Buffer; auth?: string | null; token?: string; headers?: Record<string, string> }): Promise<ApiResponse>;
  close(): Promise<void>;
}

export async function startApiFixture(options: { anonymousLoopback?: boolean; users?: Array<[string, string, string?]> } = {}): Promise<ApiFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'openltm-api-'));
  const store = openStore(join(dir, 'config.db'));
  for (const [user, password, role] of options.users ?? [['admin', 'admin-pass']]) {
    store.execute(`create auth user ${user} password "${escapeTmsh(password)}"${role ? ` role ${role}` : ''}`);
  }
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(l)); cb(); } });
  const logger = pino({ level: 'info' }, sink);
  const api = await serveApi(store, logger, { port: 0, anonymousLoopback: options.anonymousLoopback });
  const ca = store.pem('sys file ssl-cert', 'default.crt')!.pem;
  const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
  return {
    dir,
    store,
    api,
    logs,
    call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.auth !== null) headers.Authorization = basic(opts.auth ?? 'admin:admin-pass');
      if (opts.token) {
        delete headers.Authorization;
        headers['X-F5-Auth-Token'] = opts.token;
      }
      const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      if (payload !== undefined) headers['Content-Type'] ??= 'application/json';
      return new Promise((resolve, reject) => {
        const req = request(
          // The default certificate names localhost.localdomain: trust it by pinning it as the only CA.
          { host: '127.0.0.1', port: api.port, method, path, headers, ca, checkServerIdentity: () => undefined, agent: false },
          (res) => {
            const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate?.();
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let body: unknown;
              try {
                body = text ? JSON.parse(text) : undefined;
              } catch {
                body = undefined;
              }
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, peerFingerprint: peer?.fingerprint256 });
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    async close() {
      await api.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
