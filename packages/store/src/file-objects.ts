/**
 * `sys file ssl-cert` / `ssl-key`: importing the PEM a source-path names into the store, checked
 * on the spot, with the facts `list` shows (subject, expiry, fingerprint; key type and size).
 */
import { ConfigError, ErrorCodes } from '@openltm/model';
import { checkCertificate, checkCrl, keyInfo, loadKey, readSource } from './certificates';
import type { ObjectRecord, ObjectRepository } from './object-repository';
import type { OpContext } from './object-operations';
import { MISSING_FILE_KEY, PRESERVED_KEY, type PreservedLine } from './preserved';
import type { StoredProps } from './stored-value';

/**
 * Imports (or re-checks) the PEM of a sys file object. `fromSource`: read source-path again (on
 * create, or when it changed); otherwise the PEM already in the store is checked (a new passphrase).
 */
export function importFile(repo: ObjectRepository, rec: ObjectRecord, passphrase: string | undefined, ctx: OpContext, fromSource = true): void {
  const source = rec.props['source-path'];
  const existing = repo.getFile(rec.id);
  let pem: string;
  try {
    if (ctx.pemPath) pem = readSource(ctx.pemPath, ctx.position);
    else if (!fromSource && existing) pem = existing.pem;
    else if (typeof source === 'string') pem = readSource(source, ctx.position);
    else if (existing) pem = existing.pem;
    else if (ctx.mode === 'load') {
      // BIG-IP's own files (/defaults: `system-path` only) stay on the BIG-IP: kept and marked,
      // never read from this host's file system (a loaded file must not pull arbitrary paths into the store).
      const sys = systemPath(rec.props);
      const why = sys
        ? `content not on this host: ${rec.path} is BIG-IP's own file (system-path ${sys}), which openltm does not read`
        : `content not on this host: ${rec.path} has no source-path`;
      repo.update(rec, { ...rec.props, [MISSING_FILE_KEY]: why });
      return;
    } else throw new ConfigError(ErrorCodes.CONFIG_ERROR, `Configuration error: "source-path" is required for ${rec.path}.`, { position: ctx.position });
  } catch (err) {
    // A loaded estate names files on the BIG-IP it came from: the object is kept without its PEM
    // (marked; the load says so; a virtual whose TLS needs it is not served) until it is imported again.
    if (ctx.mode !== 'load' || !ConfigError.is(err) || err.code !== ErrorCodes.FILE) throw err;
    repo.update(rec, { ...rec.props, [MISSING_FILE_KEY]: err.message });
    return;
  }
  const props = { ...rec.props };
  delete props[MISSING_FILE_KEY];
  if (rec.type === 'sys file ssl-cert') {
    const info = checkCertificate(rec.path, pem, ctx.position);
    props.subject = info.subject;
    props['expiration-string'] = info.expiration;
    props.fingerprint = info.fingerprint;
    repo.putFile(rec.id, pem);
  } else if (rec.type === 'sys file ssl-crl') {
    checkCrl(rec.path, pem, ctx.position);
    repo.putFile(rec.id, pem);
  } else {
    const pass = passphrase ?? existing?.passphrase ?? undefined;
    const info = keyInfo(loadKey(rec.path, pem, pass, ctx.position));
    props['key-type'] = info.type;
    props['key-size'] = info.size;
    repo.putFile(rec.id, pem, pass);
  }
  repo.update(rec, props);
}

/** The `system-path` a BIG-IP /defaults file object names (kept verbatim as an unknown property). */
function systemPath(props: StoredProps): string | undefined {
  const lines = props[PRESERVED_KEY] as unknown as PreservedLine[] | undefined;
  const line = Array.isArray(lines) ? lines.find((l) => l[0] === 'system-path') : undefined;
  const v = line?.[1];
  if (typeof v === 'string') return v;
  return v && typeof v === 'object' && 'q' in v ? v.q : undefined;
}
