/**
 * The iControl REST API over HTTPS: authentication first, then the token, upload, transaction,
 * sys and configuration resources. Every configuration change is tmsh text run by the store's
 * executor (one store transaction per request or per REST transaction), so nothing changes on
 * an error and the error is the one tmsh prints.
 */
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Session, type ScriptResult, type Store } from '@openltm/store';
import { Authenticator, isLoopback, type AuthOptions, type Principal } from './auth';
import type { Json } from './object-json';
import { selfLink } from './object-json';
import { Resources, parseQuery, resolve } from './resources';
import { RestError, errorResponse } from './rest-error';
import { Uploads, sysCollection, sysProvision, sysVersion } from './sys-resources';
import { TransactionTable, transactionJson } from './transactions';
import { statsJson } from './stats-json';

export interface ApiServerOptions {
  store: Store;
  logger: Logger;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Certificate and key (PEM) the API serves. */
  tls: { cert: string; key: string; passphrase?: string };
  /** Where uploaded files wait to be imported (created 0700). */
  uploadDir: string;
  auth?: AuthOptions;
  /** Text for GET /metrics (Prometheus exposition), when metrics are served here. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

export interface RunningApi {
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 8 * 1024 * 1024;
const MAX_LOGIN_BODY = 64 * 1024;
const EMPTY_COLLECTIONS = /^(ltm\/profile\/[a-z0-9-]+|net\/tunnels\/[a-z0-9-]+|net\/vlan|net\/route-domain|ltm\/policy|ltm\/rule|ltm\/snatpool|ltm\/persistence\/[a-z0-9-]+|ltm\/message-routing\/[a-z0-9/-]+)$/;
const WRITE = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

interface RequestContext {
  user: string;
  /** Warnings the executor gave (stored-only settings), in tmsh's words. */
  warnings: string[];
}

function warningsOf(r: ScriptResult): string[] {
  return r.results.flatMap((x) => x.warnings ?? []).map((w) => w.toString());
}

/** A non-JSON answer (the Prometheus text of /metrics). */
export class TextResponse {
  constructor(
    readonly contentType: string,
    readonly body: string,
  ) {}
}

function readBody(req: IncomingMessage, max = MAX_BODY): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > max) {
        // Stop keeping it; the rest is drained (not buffered) so the client reads the 413.
        chunks.length = 0;
        req.off('data', onData);
        req.resume();
        reject(new RestError(413, `The request body is larger than ${max} bytes.`, { Connection: 'close' }));
      } else chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): Json {
  if (!body.length) return {};
  try {
    return JSON.parse(body.toString('utf8')) as Json;
  } catch {
    throw new RestError(400, 'Found invalid JSON body in the request.');
  }
}

function tokenJson(t: { token: string; user: string; timeout: number; startTime: number }): Json {
  return {
    token: t.token, name: t.token, userName: t.user, authProviderName: 'tmos', timeout: t.timeout,
    startTime: new Date(t.startTime).toISOString(), expirationMicros: (t.startTime + t.timeout * 1000) * 1000,
    lastUpdateMicros: t.startTime * 1000, generation: 1, kind: 'shared:authz:tokens:authtokenitemstate',
    selfLink: `https://localhost/mgmt/shared/authz/tokens/${t.token}`,
  };
}

export class ApiHandler {
  readonly auth: Authenticator;
  private readonly resources: Resources;
  private readonly transactions = new TransactionTable();
  private readonly uploads: Uploads;

  constructor(private readonly opts: Omit<ApiServerOptions, 'host' | 'port' | 'tls'>) {
    this.auth = new Authenticator(opts.store, opts.logger, opts.auth);
    this.uploads = new Uploads(opts.uploadDir);
    this.resources = new Resources(opts.store, this.uploads);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'https://localhost');
    const address = req.socket.remoteAddress ?? '';
    let status = 200;
    const ctx: RequestContext = { user: '', warnings: [] };
    try {
      const out = await this.route(method, url, req, address, ctx);
      // Stored-only settings are accepted with a warning, as tmsh prints one: here in a header
      // (iControl REST bodies have no place for it), one line per warning.
      if (ctx.warnings.length) res.setHeader('X-Openltm-Warning', ctx.warnings.map((w) => w.replace(/[\r\n]+/g, ' ')));
      if (out instanceof TextResponse) {
        res.writeHead(200, { 'Content-Type': out.contentType });
        res.end(out.body);
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8' });
        res.end(out === undefined ? '' : JSON.stringify(out));
      }
    } catch (err) {
      // A body nobody read (refused before authentication) is discarded, not buffered.
      req.resume();
      const e = errorResponse(err);
      status = e.status;
      if (e.internal) this.opts.logger.error({ err, method, path: url.pathname }, 'API request failed');
      res.writeHead(e.status, { 'Content-Type': 'application/json; charset=UTF-8', ...e.headers });
      res.end(JSON.stringify(e.body));
    }
    if (WRITE.has(method) || status >= 400) {
      this.opts.logger.info({ method, path: url.pathname, user: ctx.user, status, address, ...(ctx.warnings.length ? { warnings: ctx.warnings } : {}) }, 'API request');
    }
  }

  private async route(method: string, url: URL, req: IncomingMessage, address: string, ctx: RequestContext): Promise<Json | TextResponse | undefined> {
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/mgmt/shared/authn/login') {
      if (method !== 'POST') throw new RestError(405, `Method ${method} is not allowed here; POST { "username", "password" }.`);
      const b = parseJson(await readBody(req, MAX_LOGIN_BODY)) as Record<string, Json>;
      if (typeof b.username !== 'string' || typeof b.password !== 'string') throw new RestError(400, 'Login needs "username" and "password" (strings).');
      const p = await this.auth.login(b.username, b.password, address);
      ctx.user = p.user;
      const t = this.auth.issueToken(p);
      this.opts.logger.info({ user: p.user, address }, 'API login');
      return { username: p.user, loginReference: { link: 'https://localhost/mgmt/cm/system/authn/providers/tmos/1f44a60e-11a7-3c51-a49f-82983026b41b/login' }, loginProviderName: 'tmos', token: tokenJson(t), generation: 0, lastUpdateMicros: 0 };
    }
    // Credentials first: an anonymous client never gets a body buffered.
    const principal = await this.auth.authenticate(req.headers, address);
    ctx.user = principal.user;
    const raw = await readBody(req);
    let words: string[];
    try {
      words = path.split('/').filter(Boolean).map((w) => decodeURIComponent(w));
    } catch {
      throw new RestError(400, `Malformed URI: ${path}`);
    }
    if (words[0] === 'metrics' && words.length === 1 && this.opts.metrics) {
      if (method !== 'GET') throw new RestError(405, `Method ${method} is not allowed on /metrics.`);
      const m = await this.opts.metrics();
      return new TextResponse(m.contentType, m.body);
    }
    if (words[0] !== 'mgmt') throw new RestError(404, `Public URI path not registered: ${path}`);
    if (WRITE.has(method) && principal.role === 'guest' && !path.startsWith('/mgmt/shared/authz/tokens')) {
      throw new RestError(403, `User ${principal.user} has the guest role: it may read the configuration, not change it.`);
    }
    if (path.startsWith('/mgmt/shared/authz/tokens/')) return this.tokens(method, words[4], raw);
    if (path.startsWith('/mgmt/shared/file-transfer/uploads/') && words.length === 5) {
      if (method !== 'POST') throw new RestError(405, `Method ${method} is not allowed here; POST the file's bytes.`);
      const range = req.headers['content-range'];
      return this.uploads.write(words[4], typeof range === 'string' ? range : undefined, raw);
    }
    if (path === '/mgmt/shared/iapp/global-installed-packages') return { kind: 'shared:iapp:global-installed-packages:installedpackagecollectionstate', items: [] };
    if (path === '/mgmt/tm/util/unix-rm') {
      if (method !== 'POST') throw new RestError(405, `Method ${method} is not allowed here.`);
      const b = parseJson(raw) as Record<string, Json>;
      this.uploads.remove(b.utilCmdArgs);
      return { kind: 'tm:util:unix-rm:runstate', command: 'run', utilCmdArgs: b.utilCmdArgs };
    }
    if (words[1] !== 'tm') throw new RestError(404, `Public URI path not registered: ${path}`);
    const tm = words.slice(2);
    if (tm[0] === 'transaction') return this.transaction(method, tm, principal, raw, ctx);
    if (method === 'GET' && tm[0] === 'sys' && tm.length <= 2) {
      if (tm.length === 1) return sysCollection();
      if (tm[1] === 'version') return sysVersion();
      if (tm[1] === 'provision') return sysProvision();
    }
    if (tm[tm.length - 1] === 'stats') {
      const sp = resolve(tm.slice(0, -1));
      if (!sp) throw new RestError(404, `Public URI path not registered: ${path}`);
      if (method !== 'GET') throw new RestError(405, `Method ${method} is not allowed on statistics.`);
      return statsJson(this.opts.store, sp.type.key, sp.name, sp.sub, sp.entry);
    }
    const rp = resolve(tm);
    // Collections of BIG-IP types openltm does not implement (other profile types, tunnels,
    // VLANs, policies): clients list them to classify what they manage. They are empty here, and
    // nothing can be created in them.
    if (!rp && method === 'GET' && EMPTY_COLLECTIONS.test(tm.join('/'))) {
      return { kind: `tm:${tm.join(':')}:${tm[tm.length - 1]}collectionstate`, selfLink: selfLink(`/mgmt/tm/${tm.join('/')}`), items: [] };
    }
    if (!rp) throw new RestError(404, `Public URI path not registered: ${path}`);
    if (method === 'GET') return this.resources.get(rp, parseQuery(url.searchParams));
    if (!WRITE.has(method)) throw new RestError(405, `Method ${method} is not allowed; use GET, POST, PATCH, PUT or DELETE.`);
    const coordination = req.headers['x-f5-rest-coordination-id'];
    const inTransaction = typeof coordination === 'string' && coordination !== '';
    const { tmsh, result } = this.resources.statements(method, rp, method === 'DELETE' ? {} : parseJson(raw), inTransaction);
    if (inTransaction) {
      const body = parseJson(raw);
      this.transactions.queue(coordination, principal.user, { method, uri: url.pathname, body, tmsh });
      return body;
    }
    if (tmsh.length) ctx.warnings.push(...warningsOf(this.opts.store.executeScript(tmsh.join('\n'), new Session(), { source: 'iControl REST' })));
    if (method === 'DELETE') return undefined;
    return this.resources.get(result, { expand: false });
  }

  private tokens(method: string, token: string | undefined, raw: Buffer): Json | undefined {
    const t = token ? this.auth.token(token) : undefined;
    if (!t) throw new RestError(404, 'The token was not found.');
    if (method === 'GET') return tokenJson(t);
    if (method === 'PATCH') {
      const b = parseJson(raw) as Record<string, Json>;
      this.auth.setTimeout(t, Number(b.timeout));
      return tokenJson(t);
    }
    if (method === 'DELETE') {
      this.auth.revoke(t.token);
      return tokenJson(t);
    }
    throw new RestError(405, `Method ${method} is not allowed on a token.`);
  }

  private transaction(method: string, tm: string[], p: Principal, raw: Buffer, ctx: RequestContext): Json | undefined {
    const [, id, sub] = tm;
    if (!id) {
      if (method !== 'POST') throw new RestError(405, `Method ${method} is not allowed here; POST {} to start a transaction.`);
      return transactionJson(this.transactions.create(p.user)) as Json;
    }
    const t = this.transactions.get(id, p.user);
    if (sub === 'commands') {
      if (method !== 'GET') throw new RestError(405, `Method ${method} is not allowed here.`);
      return { kind: 'tm:transaction:commands:commandscollectionstate', selfLink: selfLink(`/mgmt/tm/transaction/${id}/commands`), items: t.commands.map((c) => ({ commandId: c.commandId, method: c.method, uri: c.uri, body: c.body as Json, evalOrder: c.commandId })) };
    }
    if (method === 'GET') return transactionJson(t) as Json;
    if (method === 'DELETE') {
      this.transactions.delete(t);
      return undefined;
    }
    if (method !== 'PATCH') throw new RestError(405, `Method ${method} is not allowed on a transaction.`);
    const b = parseJson(raw) as Record<string, Json>;
    if (b.state !== 'VALIDATING') throw new RestError(400, 'To commit a transaction, PATCH it with { "state": "VALIDATING" }.');
    if (t.state !== 'STARTED') throw new RestError(400, `Transaction ${id} is already ${t.state}.`);
    const text = t.commands.flatMap((c) => c.tmsh).join('\n');
    try {
      if (text) ctx.warnings.push(...warningsOf(this.opts.store.executeScript(text, new Session(), { source: `iControl REST transaction ${id}` })));
      t.state = 'COMPLETED';
    } catch (err) {
      t.state = 'FAILED';
      t.failureReason = String(err);
      throw err;
    } finally {
      this.transactions.delete(t);
    }
    return transactionJson(t) as Json;
  }
}

/** Serves the API over HTTPS until closed. */
export async function startApiServer(opts: ApiServerOptions): Promise<RunningApi & { handler: ApiHandler }> {
  if (opts.auth?.anonymousLoopback && !isLoopback(opts.host) && opts.host !== 'localhost') {
    throw new Error(`anonymous access is only allowed on a loopback address, not ${opts.host}`);
  }
  const handler = new ApiHandler(opts);
  const server = https.createServer({ cert: opts.tls.cert, key: opts.tls.key, passphrase: opts.tls.passphrase }, (req, res) => void handler.handle(req, res));
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    handler,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
