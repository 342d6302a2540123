/**
 * The objects a fresh BIG-IP has (tmsh.md section 3): the built-in profiles and monitors from the
 * schema, and `/Common/default.crt` + `/Common/default.key`, a self-signed pair made per store.
 * Built-ins can be modified but not deleted.
 */
import { OBJECT_TYPES, typeOf } from '@openltm/model';
import { checkCertificate, generateSelfSigned, keyInfo, loadKey } from './certificates';
import { fromTmsh } from './default-values';
import type { ObjectRepository } from './object-repository';
import type { StoredProps } from './stored-value';

export const DEFAULT_CERT = '/Common/default.crt';
export const DEFAULT_KEY = '/Common/default.key';

/** The own properties a built-in has in a new store. */
export function builtinProps(typeKey: string, name: string): StoredProps | undefined {
  const def = typeOf(typeKey);
  const b = def.builtins?.find((x) => x.name === name);
  if (!b) return undefined;
  const props: StoredProps = {};
  for (const [prop, text] of Object.entries(b.properties)) {
    const pdef = def.properties[prop];
    if (pdef) props[prop] = fromTmsh(pdef.type, text);
  }
  if (b.defaultsFrom) props['defaults-from'] = b.defaultsFrom;
  return props;
}

/** Every built-in of the schema, as [type, path]. */
export function schemaBuiltins(): [string, string][] {
  return OBJECT_TYPES.flatMap((d) => (d.builtins ?? []).map((b): [string, string] => [d.key, b.name]));
}

/** The default certificate and key objects' own properties (read-only facts about the PEMs). */
function fileProps(pair: { cert: string; key: string }): { cert: StoredProps; key: StoredProps } {
  const info = checkCertificate(DEFAULT_CERT, pair.cert);
  const k = keyInfo(loadKey(DEFAULT_KEY, pair.key, undefined));
  return {
    cert: { subject: info.subject, 'expiration-string': info.expiration, fingerprint: info.fingerprint },
    key: { 'key-type': k.type, 'key-size': k.size },
  };
}

/** Inserts the built-ins into an empty store (inside the caller's transaction). */
export function seedBuiltins(repo: ObjectRepository, pair = generateSelfSigned()): void {
  const files = fileProps(pair);
  const cert = repo.insert('sys file ssl-cert', DEFAULT_CERT, files.cert, true);
  repo.putFile(cert.id, pair.cert);
  const key = repo.insert('sys file ssl-key', DEFAULT_KEY, files.key, true);
  repo.putFile(key.id, pair.key);
  for (const [type, path] of schemaBuiltins()) repo.insert(type, path, builtinProps(type, path)!, true);
}

/** Puts the built-ins back to how a new store has them (a full `load sys config` does this). */
export function resetBuiltins(repo: ObjectRepository): void {
  for (const [type, path] of schemaBuiltins()) {
    const rec = repo.get(type, path);
    if (rec) repo.update(rec, builtinProps(type, path)!);
    else repo.insert(type, path, builtinProps(type, path)!, true);
  }
}
