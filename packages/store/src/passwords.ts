/**
 * API user passwords: hashed with scrypt as they are applied, so the store, `list` and saved
 * files only ever hold `$scrypt$N=..,r=..,p=..$salt$hash`.
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { ConfigError, ErrorCodes, type ObjectTypeDef, type SourcePosition } from '@openltm/model';
import { unescapeTmsh } from '@openltm/parser';
import type { StoredProps } from './stored-value';

const N = 16384;
const R = 8;
const P = 1;
const KEY_LEN = 32;
const FORMAT = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, KEY_LEN, { N, r: R, p: P });
  return `$scrypt$N=${N},r=${R},p=${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** True when `password` matches the stored hash (constant-time compare; async so a server stays responsive). */
export function verifyPassword(password: string, encrypted: string): Promise<boolean> {
  const m = FORMAT.exec(encrypted);
  if (!m) return Promise.resolve(false);
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4], 'base64');
  const want = Buffer.from(m[5], 'base64');
  return new Promise((resolve) => {
    scrypt(password, salt, want.length, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }, (err, got) => {
      resolve(!err && got.length === want.length && timingSafeEqual(got, want));
    });
  });
}

/** `auth user`: turns `password` into `encrypted-password` and checks a given hash's form. */
export function hashUserPassword(def: ObjectTypeDef, props: StoredProps, position?: SourcePosition): void {
  if (def.key !== 'auth user') return;
  const clear = props.password;
  delete props.password;
  if (typeof clear === 'string') {
    // Values are kept in tmsh's escaped form; the password is what the user meant (`\"` is `"`).
    const plain = unescapeTmsh(clear);
    if (plain.length === 0) throw new ConfigError(ErrorCodes.INVALID_VALUE, 'Invalid value "" for property "password": expected a non-empty password.', { position });
    props['encrypted-password'] = hashPassword(plain);
  }
  const enc = props['encrypted-password'];
  if (enc !== undefined && (typeof enc !== 'string' || !FORMAT.test(enc))) {
    throw new ConfigError(ErrorCodes.INVALID_VALUE, 'Invalid value for property "encrypted-password": expected an scrypt hash ($scrypt$N=...,r=...,p=...$salt$hash) as save writes it.', { position });
  }
  if (enc === undefined) throw new ConfigError(ErrorCodes.CONFIG_ERROR, 'Configuration error: "password" is required to create a User.', { position });
}
