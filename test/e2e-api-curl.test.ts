/**
 * docs/api.md's curl sequence, run as written (bash, curl, jq) against the real `openltm api`
 * while the real daemon serves mail to two smtp-sink backends: the documentation is the test.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { startApiProcess, type ApiProcess } from './support/openltm-api';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { makeSelfSignedCert, type TestCertificate } from './support/certs';
import { accepts, freePort } from './support/ports';
import { swaks } from './support/swaks';
import { expectAccepted } from './support/client-mode';

jest.setTimeout(120_000);

const PASSWORD = 'curl pass';
const DOC = readFileSync(join(__dirname, '..', 'docs', 'api.md'), 'utf8');

/** The ```bash block after `<!-- curl:NAME -->`. */
function block(name: string): string {
  const m = new RegExp(`<!-- curl:${name} -->\\s*\`\`\`bash\\n([\\s\\S]*?)\`\`\``).exec(DOC);
  if (!m) throw new Error(`docs/api.md has no curl:${name} block`);
  return m[1];
}

let ltm: OpenltmInstance;
let api: ApiProcess;
let sinks: SmtpSink[] = [];
let cert: TestCertificate;
let vsPort: number;
let shell: ChildProcessWithoutNullStreams;
let shellOut = '';
let shellErr = '';

/** Runs a block in the one bash session (so variables carry over); throws with bash's output on failure. */
async function run(name: string): Promise<void> {
  const marker = `__done_${name}__`;
  shell.stdin.write(`${block(name)}\necho ${marker}\n`);
  await eventually(() => shellOut, (o) => o.includes(marker) || shell.exitCode !== null, 60_000, 50);
  if (!shellOut.includes(marker)) throw new Error(`curl:${name} failed (bash exit ${shell.exitCode}):\n${shellOut}\n${shellErr}\n${api.log()}`);
}

/** Sends one message over STARTTLS; returns the index of the sink that got it. */
async function deliver(subject: string): Promise<number> {
  const before = sinks.map((s) => s.counters().messages);
  expectAccepted(await eventually(() => swaks({ port: vsPort, mode: 'starttls', subject }), (r) => r.code === 0, 20_000, 250));
  const which = await eventually(() => sinks.findIndex((s, i) => s.counters().messages > before[i]), (i) => i >= 0, 10_000);
  if (which < 0) throw new Error(`${subject} reached no backend`);
  return which;
}

beforeAll(async () => {
  cert = await makeSelfSignedCert({ commonName: 'mail.example.test', keyType: 'ec' });
  sinks = [await startSmtpSink(), await startSmtpSink()];
  ltm = createOpenltm();
  vsPort = await freePort();
  await ltm.tmshOk(`create auth user admin password "${PASSWORD}"`);
  await ltm.startDaemon();
  api = await startApiProcess(ltm);
  shell = spawn('bash', ['--norc', '--noprofile'], {
    env: {
      ...process.env, API: `https://127.0.0.1:${api.port}`, API_PASSWORD: PASSWORD, CERT_FILE: cert.certFile, KEY_FILE: cert.keyFile,
      MEMBER1_PORT: String(sinks[0].port), MEMBER2_PORT: String(sinks[1].port), VS_PORT: String(vsPort),
    },
  });
  shell.stdout.on('data', (d: Buffer) => (shellOut += d.toString()));
  shell.stderr.on('data', (d: Buffer) => (shellErr += d.toString()));
  shell.stdin.write('set -euo pipefail\n');
});

afterAll(async () => {
  if (shell && shell.exitCode === null) {
    const exited = new Promise((r) => shell.once('exit', r));
    shell.stdin.end('exit 0\n');
    await exited;
  }
  await api?.stop();
  await ltm?.stop();
  await Promise.all(sinks.map((s) => s.stop()));
  cert?.remove();
});

test('create: mail flows over STARTTLS to both members; plaintext is refused (require)', async () => {
  await run('create');
  const got = new Set<number>();
  for (let i = 0; i < 4; i++) got.add(await deliver(`curl-create-${i}`));
  expect(got.size).toBe(2);
  const plain = await swaks({ port: vsPort, mode: 'plain', subject: 'plaintext' });
  expect(plain.transcript).toMatch(/530/);
  expect(await ltm.tmshOk('list ltm profile client-ssl mail_clientssl')).toMatch(/cert mail\.crt[\s\S]*key mail\.key/);
});

test('disable: new sessions only go to the second member', async () => {
  await run('disable');
  await eventually(() => deliver(`curl-probe-${Date.now()}`), (i) => i === 1, 10_000, 100);
  for (let i = 0; i < 4; i++) expect(await deliver(`curl-disabled-${i}`)).toBe(1);
});

test('delete: the listener closes and the objects are gone', async () => {
  await run('delete');
  expect(await eventually(() => accepts(vsPort), (ok) => !ok, 5000)).toBe(false);
  expect(await ltm.tmshOk('list ltm virtual')).toBe('');
  expect(await ltm.tmshOk('list ltm pool')).toBe('');
  expect(await ltm.tmshOk('list sys file ssl-cert')).not.toContain('mail.crt');
});
