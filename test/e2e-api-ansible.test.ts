/**
 * The seed scenario driven by a real iControl REST client: Debian's ansible with the
 * f5networks.f5_modules collection (test/ansible/seed.yml), against `openltm api`, while the real
 * `openltm daemon` serves mail to two private Postfix backends. After each stage swaks shows the
 * data plane doing what the playbook configured.
 */
import { join } from 'node:path';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { startPostfix, type PrivatePostfix } from './support/postfix';
import { makeSelfSignedCert, type TestCertificate } from './support/certs';
import { accepts, freePort } from './support/ports';
import { swaks } from './support/swaks';
import { expectAccepted } from './support/client-mode';
import { runProcess } from './support/run-process';
import { opensslClient } from './support/openssl-client';
import { startApiProcess, type ApiProcess } from './support/openltm-api';

jest.setTimeout(480_000);

const ROOT = join(__dirname, '..');
const PASSWORD = 'ansible "pass" 1';

let ltm: OpenltmInstance;
let backends: PrivatePostfix[] = [];
let cert: TestCertificate;
let api: ApiProcess;
let vsPort: number;

/** Runs one stage of the playbook; throws with ansible's output (the failing request) when it fails. */
async function playbook(step: string): Promise<string> {
  const vars = {
    step, api_port: api.port, api_password: PASSWORD, cert_file: cert.certFile, key_file: cert.keyFile,
    vs_port: vsPort, m1_port: backends[0].port, m2_port: backends[1].port,
  };
  const r = await runProcess('ansible-playbook', [join(ROOT, 'test', 'ansible', 'seed.yml'), '-e', JSON.stringify(vars)], {
    timeoutMs: 240_000,
    env: { ...process.env, HOME: ltm.dir, ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false', ANSIBLE_NOCOLOR: '1', F5_TELEMETRY_OFF: 'true' },
  });
  if (r.code !== 0) throw new Error(`ansible-playbook step=${step} failed (${r.code}):\n${r.stdout}\n${r.stderr}\napi log:\n${api.log()}`);
  return r.stdout;
}

/** Sends one message over STARTTLS once the virtual serves; returns the backend that got it. */
async function deliver(token: string): Promise<PrivatePostfix> {
  const r = await eventually(() => swaks({ port: vsPort, mode: 'starttls', subject: token }), (x) => x.code === 0, 20_000, 250);
  expectAccepted(r);
  const found = await eventually(
    async () => (await Promise.all(backends.map(async (b) => ((await b.messages()).some((m) => m.content.includes(token)) ? b : undefined)))).find(Boolean),
    (b) => b !== undefined,
    10_000,
  );
  if (!found) throw new Error(`message ${token} reached no backend`);
  return found;
}

beforeAll(async () => {
  cert = await makeSelfSignedCert({ commonName: 'mail.example.test' });
  backends = [await startPostfix(), await startPostfix()];
  ltm = createOpenltm();
  vsPort = await freePort();
  await ltm.tmshOk(`create auth user admin password "${PASSWORD.replace(/"/g, '\\"')}"`);
  await ltm.startDaemon();
  api = await startApiProcess(ltm);
});

afterAll(async () => {
  await api?.stop();
  await ltm?.stop();
  await Promise.all(backends.map((b) => b.stop()));
  cert?.remove();
});

test('ansible is Debian\'s 7.x with the f5networks.f5_modules collection', async () => {
  const v = await runProcess('ansible-galaxy', ['collection', 'list', 'f5networks.f5_modules'], { env: { ...process.env, HOME: ltm.dir } });
  expect(v.stdout).toMatch(/f5networks\.f5_modules\s+\d+\.\d+\.\d+/);
});

test('create: certificate, key, client-ssl, monitor, pool, members, smtps by plain REST, virtual; mail flows over STARTTLS', async () => {
  expect(await accepts(vsPort)).toBe(false);
  const out = await playbook('create');
  expect(out).toMatch(/ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
  const vs = await ltm.tmshOk('list ltm virtual mail_vs');
  expect(vs).toMatch(/mail_clientssl \{\s+context clientside/);
  expect(vs).toContain('mail_smtps');
  expect(await ltm.tmshOk('list ltm profile smtps mail_smtps')).toContain('activation-mode require');
  const got = new Set<number>();
  for (let i = 0; i < 4; i++) got.add((await deliver(`ansible-create-${i}`)).port);
  expect(got.size).toBe(2);
  // The certificate the clients get is the one ansible uploaded.
  const peer = await opensslClient({ port: vsPort, mode: 'starttls' });
  expect(peer.peerSubject).toMatch(/CN ?= ?mail\.example\.test/);
  // require mode (set by the plain REST POST) refuses mail before TLS.
  const plain = await swaks({ port: vsPort, mode: 'plain', subject: 'plaintext' });
  expect(plain.code).not.toBe(0);
  expect(plain.transcript).toMatch(/530/);
  // A second run changes nothing: every module reads its object back and finds it as wanted
  // (certificate and key by checksum and sourcePath).
  expect(await playbook('create')).toMatch(/ok=\d+\s+changed=0\s+unreachable=0\s+failed=0/);
});

test('a member forced offline by bigip_pool_member gets no new sessions', async () => {
  await playbook('disable');
  const members = await ltm.tmshOk('list ltm pool mail_pool members');
  const start = members.indexOf(`127.0.0.1:${backends[0].port} {`);
  const next = members.indexOf('127.0.0.1:', start + 1);
  const first = members.slice(start, next > start ? next : undefined);
  expect(first).toMatch(/session user-disabled\s+state user-down/);
  // The daemon follows within its poll interval; after that every message goes to the other member.
  await eventually(async () => (await deliver(`probe-${Date.now()}`)).port, (p) => p === backends[1].port, 10_000, 100);
  for (let i = 0; i < 4; i++) expect((await deliver(`ansible-disabled-${i}`)).port).toBe(backends[1].port);
});

test('delete: everything the playbook made is gone and the listener closes', async () => {
  await playbook('delete');
  expect(await eventually(() => accepts(vsPort), (ok) => !ok, 5000)).toBe(false);
  expect(await ltm.tmshOk('list ltm virtual')).toBe('');
  expect(await ltm.tmshOk('list ltm pool')).toBe('');
  expect(await ltm.tmshOk('list ltm monitor smtp')).not.toContain('mail_smtp');
  expect(await ltm.tmshOk('list sys file ssl-key')).not.toContain('mail.key');
  expect(await ltm.tmshOk('list sys file ssl-cert')).not.toContain('mail.crt');
});
