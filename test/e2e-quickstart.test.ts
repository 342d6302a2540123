/**
 * The README's first command: `npm start` runs `openltm start`, which on an empty store applies
 * docs/examples/quickstart.tmsh, runs the demo sink on 127.0.0.1:2526 and the daemon, and a swaks
 * STARTTLS message goes through 127.0.0.1:2525. (Fixed ports: that is what the README promises.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, eventually } from './support/openltm';
import { swaks } from './support/swaks';
import { expectAccepted } from './support/client-mode';
import { runProcess } from './support/run-process';

jest.setTimeout(30_000);

const ROOT = join(__dirname, '..');
let dir: string;
let child: ChildProcess | undefined;
let stdout = '';

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'openltm-quickstart-'));
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

test('openltm start on an empty store: a STARTTLS virtual on 127.0.0.1:2525 that swaks can send through', async () => {
  const env = { ...process.env, HOME: dir, OPENLTM_STORE: join(dir, 'config.db'), OPENLTM_LOG_LEVEL: 'warn' };
  child = spawn(process.execPath, [join(ROOT, 'bin', 'openltm'), 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  await eventually(() => stdout, (out) => out.includes('openltm is running'), 15_000, 100);
  expect(stdout).toContain('quickstart configuration applied');
  expect(stdout).toContain('swaks --server 127.0.0.1:2525 --tls');

  const r = await swaks({ port: 2525, mode: 'starttls', from: 'a@example.test', to: 'b@example.test' });
  expectAccepted(r);
  await eventually(() => stdout, (out) => /demo sink: message from <a@example\.test> to <b@example\.test>/.test(out), 5000, 50);

  // The suggested show command works on the same store and counts the session.
  const show = await eventually(
    () => runProcess(process.execPath, [join(ROOT, 'bin', 'tmsh'), 'show ltm virtual vs_quickstart raw'], { env }),
    (res) => /STARTTLS Upgraded\s+1\b/.test(res.stdout),
    4000,
  );
  expect(show.stdout).toMatch(/Availability\s+: available/);
  expect(show.stdout).toMatch(/STARTTLS Upgraded\s+1\b/);
});
