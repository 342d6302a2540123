/**
 * Who may use the API: `auth user` objects from the store (HTTP Basic, or a token from
 * /mgmt/shared/authn/login sent as X-F5-Auth-Token), anonymous only when the administrator
 * allowed it and the client is on loopback. Failed logins are counted per client address and
 * logged; past the limit the address is locked out for a while, even with the right password.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { verifyPassword, type Store } from '@openltm/store';
import { RestError } from './rest-error';

export interface Principal {
  user: string;
  role: 'admin' | 'guest';
}

export interface Token {
  token: string;
  user: string;
  role: Principal['role'];
  /** Seconds of validity from `startTime`. */
  timeout: number;
  startTime: number;
}

export interface AuthOptions {
  /** Failed logins allowed per address before the lockout (default 5). */
  maxFailures?: number;
  /** How long an address stays locked out, and how long failures are remembered (default 60 s). */
  lockoutMs?: number;
  /** Serve requests without credentials from loopback clients as `admin` (off by default). */
  anonymousLoopback?: boolean;
  /** Token lifetime in seconds (default 1200, as BIG-IP). */
  tokenTimeout?: number;
  now?: () => number;
}

const MAX_TOKEN_TIMEOUT = 36000;
const DUMMY_HASH = `$scrypt$N=16384,r=8,p=1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

export function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

export class Authenticator {
  private readonly tokens = new Map<string, Token>();
  private readonly failures = new Map<string, { count: number; since: number; lockedUntil?: number }>();
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly options: AuthOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  private lockout(address: string): void {
    const f = this.failures.get(address);
    if (f?.lockedUntil && f.lockedUntil > this.now()) {
      throw new RestError(429, 'Too many failed logins from this address: try again later.', { 'Retry-After': String(Math.ceil((f.lockedUntil - this.now()) / 1000)) });
    }
  }

  private failed(address: string, user: string, why: string): never {
    this.sweep();
    const now = this.now();
    const window = this.options.lockoutMs ?? 60_000;
    let f = this.failures.get(address);
    if (!f || now - f.since > window) f = { count: 0, since: now };
    f.count++;
    if (f.count >= (this.options.maxFailures ?? 5)) f.lockedUntil = now + window;
    this.failures.set(address, f);
    this.logger.warn({ address, user, failures: f.count, lockedOut: !!f.lockedUntil }, `API login failed: ${why}`);
    throw new RestError(401, 'Authentication failed.', { 'WWW-Authenticate': 'Basic realm="openltm"' });
  }

  /** Checks a user name and password; throws 401 (or 429 when locked out). */
  async login(user: string, password: string, address: string): Promise<Principal> {
    this.lockout(address);
    const rec = /^[A-Za-z0-9_.:%-]+$/.test(user) ? this.store.getEffective('auth user', user) : undefined;
    const hash = rec?.properties['encrypted-password'];
    if (typeof hash !== 'string') {
      // As slow as a wrong password, so the answer time does not tell which user names exist.
      await verifyPassword(password, DUMMY_HASH);
      this.failed(address, user, 'unknown user');
    }
    if (!(await verifyPassword(password, hash))) this.failed(address, user, 'wrong password');
    this.failures.delete(address);
    return { user, role: rec!.properties.role === 'guest' ? 'guest' : 'admin' };
  }

  /** Drops expired tokens and old failure records, so neither map grows without bound. */
  private sweep(): void {
    const now = this.now();
    for (const [k, t] of this.tokens) if (now > t.startTime + t.timeout * 1000) this.tokens.delete(k);
    const window = this.options.lockoutMs ?? 60_000;
    for (const [k, f] of this.failures) if (now - f.since > window && (!f.lockedUntil || f.lockedUntil < now)) this.failures.delete(k);
  }

  issueToken(p: Principal, timeout?: number): Token {
    this.sweep();
    const t: Token = {
      token: randomBytes(20).toString('base64url').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 26).padEnd(26, 'X'),
      user: p.user,
      role: p.role,
      timeout: Math.min(timeout ?? this.options.tokenTimeout ?? 1200, MAX_TOKEN_TIMEOUT),
      startTime: this.now(),
    };
    this.tokens.set(t.token, t);
    return t;
  }

  token(value: string): Token | undefined {
    const t = this.tokens.get(value);
    if (!t) return undefined;
    if (this.now() > t.startTime + t.timeout * 1000) {
      this.tokens.delete(value);
      return undefined;
    }
    // A token whose user was deleted (or demoted) stops working at once.
    const rec = this.store.getEffective('auth user', t.user);
    if (!rec) {
      this.tokens.delete(value);
      return undefined;
    }
    t.role = rec.properties.role === 'guest' ? 'guest' : 'admin';
    return t;
  }

  setTimeout(t: Token, seconds: number): void {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TOKEN_TIMEOUT) {
      throw new RestError(400, `Invalid token timeout ${seconds}: expected 1 to ${MAX_TOKEN_TIMEOUT} seconds.`);
    }
    t.timeout = seconds;
  }

  revoke(value: string): boolean {
    return this.tokens.delete(value);
  }

  /** The caller of a request: token, Basic, or anonymous loopback; throws 401 otherwise. */
  async authenticate(headers: Record<string, string | string[] | undefined>, address: string): Promise<Principal> {
    const tokenHeader = headers['x-f5-auth-token'];
    if (typeof tokenHeader === 'string' && tokenHeader) {
      const t = this.token(tokenHeader);
      if (!t) {
        this.lockout(address);
        this.failed(address, '', 'unknown or expired token');
      }
      return { user: t.user, role: t.role };
    }
    const auth = headers.authorization;
    if (typeof auth === 'string' && /^Basic /i.test(auth)) {
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) this.failed(address, '', 'malformed Basic credentials');
      return this.login(decoded.slice(0, colon), decoded.slice(colon + 1), address);
    }
    if (this.options.anonymousLoopback && isLoopback(address)) return { user: 'anonymous', role: 'admin' };
    throw new RestError(401, 'Authorization failed: no user authentication header or token detected.', { 'WWW-Authenticate': 'Basic realm="openltm"' });
  }
}
