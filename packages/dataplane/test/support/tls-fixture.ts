/** A throw-away certificate for `proxy.test`, made with the openssl CLI (EC, so it is quick). */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestCert {
  cert: string;
  key: string;
}

export function makeCert(cn = 'proxy.test'): TestCert {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-tls-'));
  try {
    const k = path.join(dir, 'k.pem');
    const c = path.join(dir, 'c.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn}`, '-days', '2', '-keyout', k, '-out', c,
    ], { stdio: 'ignore' });
    return { cert: fs.readFileSync(c, 'utf8'), key: fs.readFileSync(k, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
