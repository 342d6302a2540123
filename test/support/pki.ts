/**
 * A small test PKI made with the openssl CLI: a root CA, an intermediate CA under it, and
 * certificates issued by either, revocable, with a CRL. Real files, because tmsh imports
 * `sys file` objects from paths and swaks/openssl read their client certificate from paths.
 * CA names carry the directory name, so two PKIs never look like one to a verifier.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runChecked } from './run-process';

export interface IssuedCert {
  certFile: string;
  keyFile: string;
  /** Subject CN. */
  name: string;
}

export interface TestPki {
  dir: string;
  /** The root CA certificate (what a ca-file trusts). */
  caFile: string;
  /** The intermediate CA certificate. */
  intermediateFile: string;
  /** Issues a certificate for `name` (CN), signed by the root or the intermediate; `chain` appends the intermediate. */
  issue(name: string, opts?: { by?: 'root' | 'intermediate'; usage?: 'client' | 'server'; altNames?: string[] }): Promise<IssuedCert>;
  /** Revokes a certificate issued by the root and writes a fresh root CRL; returns the CRL path. */
  revoke(cert: IssuedCert): Promise<string>;
  /** A CRL of the root with nothing revoked. */
  emptyCrl(): Promise<string>;
  remove(): void;
}

const CA_CONF = (dir: string) => `
[ ca ]
default_ca = root
[ root ]
dir = ${dir}
database = ${dir}/index.txt
new_certs_dir = ${dir}
certificate = ${dir}/ca.pem
private_key = ${dir}/ca.key
serial = ${dir}/serial
crlnumber = ${dir}/crlnumber
default_md = sha256
default_crl_days = 30
default_days = 30
policy = any
[ any ]
commonName = supplied
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
`;

export async function makeTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'openltm-pki-'));
  chmodSync(dir, 0o755);
  const conf = join(dir, 'ca.cnf');
  writeFileSync(conf, CA_CONF(dir));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'crlnumber'), '1000\n');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await runChecked('openssl', ['req', '-x509', ...ec, '-sha256', '-days', '30', '-subj', `/CN=openltm test root CA ${basename(dir)}`, '-config', conf, '-extensions', 'v3_ca', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.pem')]);
  // The intermediate is issued through `openssl ca` so the root's database knows it.
  await runChecked('openssl', ['req', '-new', ...ec, '-subj', `/CN=openltm test intermediate CA ${basename(dir)}`, '-keyout', join(dir, 'int.key'), '-out', join(dir, 'int.csr')]);
  await runChecked('openssl', ['ca', '-batch', '-config', conf, '-extensions', 'v3_ca', '-in', join(dir, 'int.csr'), '-out', join(dir, 'int.pem'), '-notext']);
  let n = 0;
  const pki: TestPki = {
    dir,
    caFile: join(dir, 'ca.pem'),
    intermediateFile: join(dir, 'int.pem'),
    async issue(name, opts = {}) {
      const base = join(dir, `leaf${++n}`);
      const by = opts.by ?? 'root';
      const usage = opts.usage ?? 'client';
      const ext = join(`${base}.ext`);
      const san = opts.altNames?.length ? `subjectAltName = ${opts.altNames.join(', ')}\n` : '';
      writeFileSync(ext, `basicConstraints = CA:false\nextendedKeyUsage = ${usage === 'client' ? 'clientAuth' : 'serverAuth'}\n${san}`);
      await runChecked('openssl', ['req', '-new', ...ec, '-subj', `/CN=${name}`, '-keyout', `${base}.key`, '-out', `${base}.csr`]);
      const [caCert, caKey] = by === 'root' ? [join(dir, 'ca.pem'), join(dir, 'ca.key')] : [join(dir, 'int.pem'), join(dir, 'int.key')];
      if (by === 'root') {
        await runChecked('openssl', ['ca', '-batch', '-config', conf, '-extfile', ext, '-in', `${base}.csr`, '-out', `${base}.pem`, '-notext']);
      } else {
        await runChecked('openssl', ['x509', '-req', '-sha256', '-days', '30', '-in', `${base}.csr`, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-extfile', ext, '-out', `${base}.leaf.pem`]);
        // The client sends its certificate followed by the intermediate.
        writeFileSync(`${base}.pem`, readFileSync(`${base}.leaf.pem`, 'utf8') + readFileSync(join(dir, 'int.pem'), 'utf8'));
      }
      return { certFile: `${base}.pem`, keyFile: `${base}.key`, name };
    },
    async revoke(cert) {
      await runChecked('openssl', ['ca', '-batch', '-config', conf, '-revoke', cert.certFile]);
      return pki.emptyCrl();
    },
    async emptyCrl() {
      const out = join(dir, `crl${++n}.pem`);
      await runChecked('openssl', ['ca', '-batch', '-config', conf, '-gencrl', '-out', out]);
      return out;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  return pki;
}
