/**
 * openltm on an etcd store, end to end with real processes: `bin/tmsh` edits through etcd, an
 * `openltm daemon` follows etcd's watch and serves mail (swaks -> openltm -> smtp-sink), keeps
 * serving when etcd is gone (and logs it; tmsh show answers from the cached copy and says so),
 * catches up when it returns, starts from its cached
 * copy while etcd is down, and a daemon killed outright disappears from `show` when its lease
 * expires.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnDaemon, terminate, type DaemonProcess } from './support/daemon-process';
import { startEtcd, type EtcdCluster } from './support/etcd';
import { eventually } from './support/openltm';
import { accepts, freePort } from './support/ports';
import { runProcess } from './support/run-process';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { swaks } from './support/swaks';

const TMSH = join(__dirname, '..', 'bin', 'tmsh');

let etcd: EtcdCluster;
let sink: SmtpSink;
let dir: string;
let env: NodeJS.ProcessEnv;
const daemons: DaemonProcess[] = [];

function tmsh(line: string) {
  return runProcess(process.execPath, [TMSH, '-c', line], { env });
}
async function tmshOk(line: string): Promise<string> {
  const r = await tmsh(line);
  if (r.code !== 0) throw new Error(`tmsh -c "${line}" failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
function startDaemon(): DaemonProcess {
  const d = spawnDaemon(env.OPENLTM_STORE!, ['--workers', '0', '--drain-timeout', '1'], env);
  daemons.push(d);
  return d;
}

beforeAll(async () => {
  etcd = await startEtcd();
  sink = await startSmtpSink();
  dir = mkdtempSync(join(tmpdir(), 'openltm-etcd-e2e-'));
  env = { ...process.env, OPENLTM_STORE: etcd.url('/e2e'), HOME: dir, OPENLTM_HOST_NAME: 'host-a', OPENLTM_STATUS_TTL: '3', OPENLTM_ETCD_TIMEOUT_MS: '2000', OPENLTM_LOG_FILE: '' };
}, 60_000);

afterAll(async () => {
  for (const d of daemons) if (d.child.pid) await terminate(d.child.pid);
  await sink?.stop();
  await etcd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('an edit through tmsh is live on the daemon, mail flows, and show lists the host', async () => {
  const port = await freePort();
  await tmshOk(`create ltm pool p_sink members replace-all-with { 127.0.0.1:${sink.port} { address 127.0.0.1 } }`);
  await tmshOk(`create ltm virtual vs_e destination 127.0.0.1:${port} pool p_sink profiles replace-all-with { /Common/tcp { } /Common/smtps { } /Common/clientssl { context clientside } }`);
  const d = startDaemon();
  await d.waitForLine((l) => l.msg === 'openltm daemon running', 'daemon running');
  expect((await swaks({ port, mode: 'starttls' })).code).toBe(0);
  await sink.waitForMessages(1);

  // An edit on the cluster reaches the running daemon through the watch.
  const moved = await freePort();
  await tmshOk(`modify ltm virtual vs_e destination 127.0.0.1:${moved}`);
  await d.waitForLine((l) => typeof l.msg === 'string' && l.msg.includes(`destination changed to 127.0.0.1:${moved}`), 'the move applied');
  expect(await eventually(() => accepts(moved), (ok) => ok)).toBe(true);
  expect((await swaks({ port: moved, mode: 'starttls' })).code).toBe(0);
  await sink.waitForMessages(2);

  // The daemon's status, per host, summed by show.
  const out = await eventually(() => tmshOk('show ltm virtual vs_e'), (o) => /Total Requests +- +- +2\n/.test(o));
  // No monitor on the pool: availability unknown, as on one host.
  expect(out).toMatch(/Host host-a +: unknown, generation \d+, reported \d+ s ago/);
  const total = Number(/Total Connections +(\d+) /.exec(out)![1]);
  expect(total).toBeGreaterThanOrEqual(2);
  expect(out).toMatch(new RegExp(`\\n {2}host-a +0 +${total} +2\\n`));

  // An etcd store has no directory: save sys config writes ~/.openltm/bigip.conf.
  expect(await tmshOk('save sys config')).toContain(join(dir, '.openltm', 'bigip.conf'));
  expect(readFileSync(join(dir, '.openltm', 'bigip.conf'), 'utf8')).toContain('ltm virtual /Common/vs_e {');
}, 60_000);

test('with etcd gone the daemon keeps serving and says so; tmsh gets a clear error; the daemon catches up when etcd returns', async () => {
  const d = daemons[0];
  const port = Number(/destination 127\.0\.0\.1:(\d+)/.exec(await tmshOk('list ltm virtual vs_e destination'))![1]);
  const before = sink.counters().messages;
  await etcd.members[0].kill();
  await d.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('etcd unreachable; serving the last configuration'), 'etcd unreachable logged');
  expect((await swaks({ port, mode: 'starttls' })).code).toBe(0);
  await sink.waitForMessages(before + 1);
  const refused = await tmsh('create ltm pool p_while_down');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/^01070994:3: The configuration store etcd:\/\/.* cannot be reached/);
  // show still answers, from this host's cached copy, and says so.
  const shown = await tmsh('show ltm virtual vs_e');
  expect(shown.code).toBe(0);
  expect(shown.stdout).toMatch(new RegExp(`Destination +: 127\\.0\\.0\\.1:${port}`));
  expect(shown.stderr).toMatch(/^01070994:4: The configuration store etcd:\/\/\S+ cannot be reached: this is the cached configuration \(generation \d+\) from \S+etcd-cache-\w+\.json, as this host's daemon last saw it, without current status\. Nothing can be changed until etcd returns\.\n$/);

  await etcd.members[0].start();
  const next = await freePort();
  await tmshOk(`create ltm virtual vs_f destination 127.0.0.1:${next} pool p_sink profiles replace-all-with { /Common/tcp { } /Common/smtps { } /Common/clientssl { context clientside } }`);
  await d.waitForLine((l) => l.msg === 'virtual server listening' && l.port === next, 'the new virtual after etcd returned', 30_000);
  expect((await swaks({ port: next, mode: 'starttls' })).code).toBe(0);
  await d.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('etcd connected'), 'etcd connected logged');
}, 90_000);

test('a daemon started while etcd is down serves its cached copy, then follows etcd again', async () => {
  const first = daemons[0];
  await terminate(first.child.pid!);
  const port = Number(/destination 127\.0\.0\.1:(\d+)/.exec(await tmshOk('list ltm virtual vs_f destination'))![1]);
  await etcd.members[0].kill();
  const d = startDaemon();
  await d.waitForLine((l) => typeof l.msg === 'string' && l.msg.includes('serving the cached configuration'), 'cached start logged');
  await d.waitForLine((l) => l.msg === 'openltm daemon running', 'daemon running');
  const before = sink.counters().messages;
  expect((await swaks({ port, mode: 'starttls' })).code).toBe(0);
  await sink.waitForMessages(before + 1);
  await etcd.members[0].start();
  await d.waitForLine((l) => typeof l.msg === 'string' && l.msg.startsWith('etcd connected'), 'etcd connected logged', 30_000);
  const next = await freePort();
  await tmshOk(`create ltm virtual vs_g destination 127.0.0.1:${next} pool p_sink profiles replace-all-with { /Common/tcp { } /Common/smtps { } /Common/clientssl { context clientside } }`);
  await d.waitForLine((l) => l.msg === 'virtual server listening' && l.port === next, 'a virtual created after etcd returned', 30_000);
}, 90_000);

test('a daemon killed outright disappears from show when its lease expires', async () => {
  const d = daemons[daemons.length - 1];
  await eventually(() => tmshOk('show ltm virtual vs_f'), (o) => /Host host-a/.test(o), 10_000);
  process.kill(d.child.pid!, 'SIGKILL');
  const out = await eventually(() => tmshOk('show ltm virtual vs_f'), (o) => !/Host host-a/.test(o), 20_000, 250);
  expect(out).not.toMatch(/Host host-a/);
  expect(out).toMatch(/Availability +: unknown/);
}, 60_000);
