/**
 * Certificates and keys: importing PEMs from `file:` paths, checking them when the configuration
 * is made (a certificate that does not parse, an encrypted key without its passphrase, a key that
 * does not match its certificate), and the self-signed default pair of a new store.
 * Key material never leaves this module except through `Store.pem()` for the data plane.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import forge from 'node-forge';
import { ConfigError, ErrorCodes, type SourcePosition } from '@openltm/model';

function sslError(message: string, position?: SourcePosition): ConfigError {
  return new ConfigError(ErrorCodes.SSL_FILE, message, { position });
}

/** Reads the PEM a `source-path file:/path` names. */
export function readSource(sourcePath: string, position?: SourcePosition): string {
  const file = sourcePath.replace(/^file:(\/\/)?/, '');
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(ErrorCodes.FILE, `Cannot read ${file}: ${reason}.`, { position });
  }
}

/** A CRL is checked by OpenSSL itself: the PEM must load as a CRL into a TLS context. */
export function checkCrl(path: string, pem: string, position?: SourcePosition): void {
  if (!/-----BEGIN X509 CRL-----/.test(pem)) throw sslError(`CRL ${path} is not a PEM CRL (no BEGIN X509 CRL block).`, position);
  try {
    tls.createSecureContext({ crl: pem });
  } catch (err) {
    throw sslError(`CRL ${path} cannot be loaded: ${(err as Error).message}.`, position);
  }
}

export interface CertInfo {
  subject: string;
  expiration: string;
  fingerprint: string;
}

/** Parses every certificate in a PEM (a certificate followed by its chain is fine). */
export function checkCertificate(path: string, pem: string, position?: SourcePosition): CertInfo {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw sslError(`Certificate ${path} is not a PEM certificate (no BEGIN CERTIFICATE block).`, position);
  let first: crypto.X509Certificate | undefined;
  for (const b of blocks) {
    try {
      const x = new crypto.X509Certificate(b);
      first ??= x;
    } catch (err) {
      throw sslError(`Certificate ${path} does not parse: ${(err as Error).message}.`, position);
    }
  }
  const x = first!;
  return {
    subject: x.subject.replace(/\n/g, ', '),
    expiration: new Date(x.validTo).toISOString().replace(/\.\d+Z$/, 'Z'),
    fingerprint: `SHA256/${x.fingerprint256}`,
  };
}

export interface KeyInfo {
  type: string;
  size: string;
}

/** Loads a private key; an encrypted key needs its passphrase. The error never quotes the key. */
export function loadKey(path: string, pem: string, passphrase: string | undefined, position?: SourcePosition): crypto.KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw sslError(`Key ${path} is not a PEM private key.`, position);
  const encrypted = /ENCRYPTED/.test(pem);
  if (encrypted && !passphrase) throw sslError(`Key ${path} is encrypted: give its passphrase.`, position);
  try {
    return crypto.createPrivateKey({ key: pem, format: 'pem', ...(passphrase ? { passphrase } : {}) });
  } catch {
    throw sslError(encrypted ? `Key ${path} cannot be decrypted: wrong passphrase.` : `Key ${path} does not parse.`, position);
  }
}

export function keyInfo(key: crypto.KeyObject): KeyInfo {
  const d = key.asymmetricKeyDetails;
  const type = key.asymmetricKeyType ?? 'unknown';
  const size = d?.modulusLength ?? (d?.namedCurve ? ({ prime256v1: 256, secp384r1: 384, secp521r1: 521 } as Record<string, number>)[d.namedCurve] : undefined);
  return { type: type === 'ec' ? 'ec-private' : `${type}-private`, size: size ? String(size) : 'unknown' };
}

/** The first certificate of `certPem` must belong to `key`. */
export function checkPair(certPath: string, certPem: string, keyPath: string, key: crypto.KeyObject, position?: SourcePosition): void {
  const block = certPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0] ?? certPem;
  const x = new crypto.X509Certificate(block);
  if (!x.checkPrivateKey(key)) throw sslError(`Key ${keyPath} does not match certificate ${certPath}.`, position);
}

/** A self-signed RSA 2048 pair for `/Common/default.crt` / `default.key`, like a fresh BIG-IP's. */
export function generateSelfSigned(commonName = 'localhost.localdomain'): { cert: string; key: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  const pubPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pubPem);
  cert.serialNumber = '01' + crypto.randomBytes(8).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const attrs = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'openltm' },
    { shortName: 'OU', value: 'default self-signed certificate' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([{ name: 'basicConstraints', cA: false }, { name: 'subjectAltName', altNames: [{ type: 2, value: commonName }] }]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keyPem };
}
