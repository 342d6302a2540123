import { mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChecked } from './run-process';

/** A self-signed certificate and its key, as files and as PEM text. */
export interface TestCertificate {
  dir: string;
  certFile: string;
  keyFile: string;
  certPem: string;
  /** Test-only key material: never print it. */
  keyPem: string;
  /** Removes the directory. */
  remove(): void;
}

export interface CertOptions {
  /** Subject CN; default `localhost`. */
  commonName?: string;
  /** subjectAltName entries; default `DNS:localhost, IP:127.0.0.1`. */
  altNames?: readonly string[];
  /** `rsa` (2048 bits, what every client accepts) or `ec` (P-256, faster); default rsa. */
  keyType?: 'rsa' | 'ec';
  days?: number;
}

/**
 * Makes a self-signed certificate with the openssl CLI in a new temp directory. Real files
 * because the real mail software (Postfix, openssl s_server) and `sys file ssl-cert` imports read
 * paths. The directory is world-readable so Postfix processes can read the cert.
 */
export async function makeSelfSignedCert(options: CertOptions = {}): Promise<TestCertificate> {
  const dir = mkdtempSync(join(tmpdir(), 'openltm-cert-'));
  chmodSync(dir, 0o755);
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const cn = options.commonName ?? 'localhost';
  const san = (options.altNames ?? ['DNS:localhost', 'IP:127.0.0.1']).join(',');
  const newkey = options.keyType === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', 'rsa:2048'];
  try {
    await runChecked('openssl', [
      'req', '-x509', ...newkey, '-nodes', '-sha256',
      '-days', String(options.days ?? 30),
      '-subj', `/CN=${cn}`,
      '-addext', `subjectAltName=${san}`,
      '-addext', 'extendedKeyUsage=serverAuth',
      '-keyout', keyFile, '-out', certFile,
    ]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    certFile,
    keyFile,
    certPem: readFileSync(certFile, 'utf8'),
    keyPem: readFileSync(keyFile, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
