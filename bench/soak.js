#!/usr/bin/env node
/**
 * Soak and fault benchmark (issue 11; not a test). Runs the real daemon (`bin/openltm daemon
 * --workers 2`) in front of two Postfix smtp-sink members (tcp monitor, interval 1, timeout 3)
 * and drives SESSIONS STARTTLS sessions (3 messages of 4 KB each, CONCURRENCY at a time)
 * through a require virtual while, in turn: a member is killed with SIGKILL and restarted, a
 * member is added, one is set user-down and back, the smtps profile is edited, a worker is
 * killed, the daemon is restarted with SIGUSR2 (socket handover), and the whole daemon is
 * killed with SIGKILL and started again. Prints:
 *   messages acknowledged to clients vs recorded by the members (members must have >=),
 *   sessions refused while a healthy member existed (daemon up, >= 1 member running): a 421
 *     "Service not available" / "no answer from backend" / "too many connections" at any step,
 *     while a 421 "backend connection lost" (the session's member died under it) is a cut,
 *     whatever step it answers (each 421 is listed by step and text),
 *   connections refused across the SIGUSR2 restart and across the SIGKILL restart (and its window),
 *   sessions cut by the worker kill, and the daemon's RSS before and after.
 * Run after `npm run build`:  node bench/soak.js [sessions=10000] [concurrency=40]
 * (SOAK_SOURCE_LIMIT=N sets the daemon's --source-connection-limit: all soak clients share 127.0.0.1).
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const tls = require('node:tls');
const { spawn, execFileSync } = require('node:child_process');
const { Store, Session } = require('../packages/store/dist');

const SESSIONS = Number(process.argv[2] ?? 10000);
const CONCURRENCY = Number(process.argv[3] ?? 40);
const ROOT = path.join(__dirname, '..');
// SOAK_SOURCE_LIMIT=N passes --source-connection-limit N (every soak client shares 127.0.0.1).
const SOURCE_LIMIT = process.env.SOAK_SOURCE_LIMIT ? ['--source-connection-limit', process.env.SOAK_SOURCE_LIMIT] : [];
const BODY = `Subject: soak\r\n\r\n${'x'.repeat(76)}\r\n`.repeat(52); // ~4 KB

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Postfix smtp-sink on a fixed port; keeps its last `mesg=` count across its lifetime. */
function startSink(port, tally) {
  const child = spawn('/usr/sbin/smtp-sink', ['-u', 'nobody', '-c', `127.0.0.1:${port}`, '256'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const entry = { child, messages: 0 };
  tally.push(entry);
  let pending = '';
  child.stdout.on('data', (b) => {
    pending += b.toString();
    const recs = pending.split('\r');
    pending = recs.pop();
    for (const r of recs) {
      const m = /mesg=(\d+)/.exec(r);
      if (m) entry.messages = Number(m[1]);
    }
  });
  return entry;
}

async function waitListening(port) {
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(20);
  }
}

function rssOf(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return 0;
  }
}

function childrenOf(pid) {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Alive and not a zombie. */
function running(pid) {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const daemonRss = (pid) => Math.round(rssOf(pid) + childrenOf(pid).reduce((a, c) => a + rssOf(c), 0));

/** Reads SMTP replies from a stream. */
function replies(stream) {
  let buf = '';
  const waiters = [];
  let ended = null;
  let lastText = '';
  const pump = () => {
    while (waiters.length) {
      const m = /^(\d{3}) .*\r?\n/m.exec(buf);
      if (!m) break;
      const end = m.index + m[0].length;
      buf = buf.slice(end);
      lastText = m[0].trim();
      waiters.shift().resolve(Number(m[1]));
    }
    if (ended) while (waiters.length) waiters.shift().reject(ended);
  };
  const onData = (d) => ((buf += d.toString('latin1')), pump());
  const onEnd = () => ((ended = ended ?? new Error('closed')), pump());
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('close', onEnd);
  stream.on('error', (e) => ((ended = e), pump()));
  return {
    next: () => new Promise((resolve, reject) => (waiters.push({ resolve, reject }), pump())),
    /** The text of the last reply read (to tell the proxy's 421s apart). */
    text: () => lastText,
    detach: () => (stream.off('data', onData), stream.off('end', onEnd), stream.off('close', onEnd)),
  };
}

const rejections = new Map();
const reject = (step, code) => {
  const key = `${step} ${code}`;
  rejections.set(key, (rejections.get(key) ?? 0) + 1);
  return 'rejected';
};

/**
 * What a 421 from the proxy means, by its text (replies.ts), wherever in the session it came:
 * a refusal (no member could take the session, or admission), or a cut (the member the session
 * was bound to died under it, or the daemon drained it). Any other 421 is the member's own.
 */
const by421 = new Map();
function on421(step, text, acked) {
  let outcome;
  if (/ 4\.3\.2 .*Service not available| 4\.4\.1 .*no answer from backend| 4\.7\.0 .*too many connections/.test(text)) outcome = 'refused-421';
  else if (/ 4\.4\.2 .*backend connection lost| 4\.3\.2 .*shutting down/.test(text)) outcome = 'cut';
  else return reject(step, 421);
  const key = `${outcome === 'cut' ? 'cut' : 'refused'} at ${step}${acked > 0 ? ' (after a message)' : ''}: ${text.replace(/^421 [0-9.]+ \S+ /, '')}`;
  by421.set(key, (by421.get(key) ?? 0) + 1);
  return outcome;
}

/** One session; returns { outcome, acked }. outcome: ok | refused-connect | refused-421 | cut | rejected */
async function session(port) {
  let acked = 0;
  const raw = net.connect(port, '127.0.0.1');
  raw.setTimeout(30_000, () => raw.destroy(new Error('timeout')));
  const connected = await new Promise((resolve) => {
    raw.once('connect', () => resolve(null));
    raw.once('error', (e) => resolve(e));
  });
  if (connected) return { outcome: connected.code === 'ECONNREFUSED' ? 'refused-connect' : 'cut', acked };
  raw.on('error', () => undefined);
  let r = replies(raw);
  let sock = raw;
  try {
    const greeting = await r.next();
    if (greeting === 421) return { outcome: on421('greeting', r.text(), acked), acked };
    sock.write('EHLO soak.example\r\n');
    let code = await r.next();
    if (code !== 250) return { outcome: code === 421 ? on421('EHLO', r.text(), acked) : reject('EHLO', code), acked };
    sock.write('STARTTLS\r\n');
    code = await r.next();
    if (code !== 220) return { outcome: code === 421 ? on421('STARTTLS', r.text(), acked) : reject('STARTTLS', code), acked };
    r.detach();
    sock = await new Promise((resolve, reject) => {
      const t = tls.connect({ socket: raw, rejectUnauthorized: false }, () => resolve(t));
      t.once('error', reject);
    });
    sock.on('error', () => undefined);
    r = replies(sock);
    sock.write('EHLO soak.example\r\n');
    code = await r.next();
    if (code !== 250) return { outcome: code === 421 ? on421('EHLO after TLS', r.text(), acked) : reject('EHLO after TLS', code), acked };
    for (let i = 0; i < 3; i++) {
      sock.write('MAIL FROM:<soak@example.test>\r\n');
      const mail = await r.next();
      if (mail !== 250) return { outcome: mail === 421 ? on421('MAIL', r.text(), acked) : reject('MAIL', mail), acked };
      sock.write('RCPT TO:<sink@example.test>\r\n');
      code = await r.next();
      if (code !== 250) return { outcome: code === 421 ? on421('RCPT', r.text(), acked) : reject('RCPT', code), acked };
      sock.write('DATA\r\n');
      code = await r.next();
      if (code !== 354) return { outcome: code === 421 ? on421('DATA', r.text(), acked) : reject('DATA', code), acked };
      sock.write(`${BODY}.\r\n`);
      code = await r.next();
      if (code === 250) acked++;
      else return { outcome: code === 421 ? on421('end of DATA', r.text(), acked) : reject('end of DATA', code), acked };
    }
    sock.write('QUIT\r\n');
    await r.next().catch(() => undefined);
    return { outcome: 'ok', acked };
  } catch {
    return { outcome: 'cut', acked };
  } finally {
    sock.destroy();
    raw.destroy();
  }
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-soak-'));
  const storePath = path.join(dir, 'config.db');
  const pidFile = path.join(dir, 'daemon.pid');
  const sinks = [];
  const ports = [await freePort(), await freePort(), await freePort()];
  const member = [startSink(ports[0], sinks), startSink(ports[1], sinks)];
  const alive = new Set([0, 1]);
  await Promise.all([waitListening(ports[0]), waitListening(ports[1])]);
  const vport = await freePort();

  const store = Store.open(storePath);
  const s = new Session();
  store.executeScript([
    'create ltm monitor tcp mon_soak defaults-from /Common/tcp interval 1 timeout 3',
    'create ltm profile smtps smtps_soak activation-mode require',
    `create ltm pool p_soak monitor mon_soak members replace-all-with { 127.0.0.1:${ports[0]} { address 127.0.0.1 } 127.0.0.1:${ports[1]} { address 127.0.0.1 } }`,
    `create ltm virtual vs_soak destination 127.0.0.1:${vport} pool p_soak profiles replace-all-with { /Common/tcp { } smtps_soak { } /Common/clientssl { context clientside } }`,
  ].join('\n'), s);

  const logFile = path.join(dir, 'daemon.log');
  const startDaemon = () => {
    const log = fs.openSync(logFile, 'a');
    const d = spawn(process.execPath, [path.join(ROOT, 'bin', 'openltm'), 'daemon', '--store', storePath, '--workers', '2', '--pid-file', pidFile, '--drain-timeout', '10', ...SOURCE_LIMIT], {
      env: { ...process.env, OPENLTM_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', log],
      detached: true,
    });
    d.unref();
    // A daemon that exits on its own (refused lock, bad flag) would leave the clients retrying for
    // ever: stop the benchmark with its log instead.
    d.on('exit', (code, signal) => {
      if (signal === null && code !== 0) {
        console.error(`daemon ${d.pid} exited with ${code}:\n${fs.readFileSync(logFile, 'utf8').split('\n').slice(-5).join('\n')}`);
        process.exit(1);
      }
    });
    return d;
  };
  const daemonPid = () => Number(fs.readFileSync(pidFile, 'utf8'));
  startDaemon();
  await waitListening(vport);
  while (!fs.existsSync(pidFile)) await sleep(20);

  const count = { ok: 0, 'refused-connect': 0, 'refused-421': 0, cut: 0, rejected: 0 };
  let acked = 0;
  let done = 0;
  let started = 0;
  let daemonDown = false; // between the SIGKILL of the daemon and its restart listening
  let handover = false; // between SIGUSR2 and the old daemon's exit
  const byPhase = { downWindowRefusals: 0, handoverRefusals: 0, healthyRefusals: 0, cutByWorkerKill: 0 };
  let phase = '';
  const rss = {};

  const healthyByPhase = {};
  const loop = async () => {
    while (started < SESSIONS) {
      started++;
      const wasDown = daemonDown;
      const r = await session(vport);
      count[r.outcome]++;
      acked += r.acked;
      if (r.outcome === 'refused-connect' || r.outcome === 'refused-421') {
        if (wasDown || daemonDown) byPhase.downWindowRefusals++;
        else if (handover) byPhase.handoverRefusals++;
        else if (alive.size > 0) {
          byPhase.healthyRefusals++;
          healthyByPhase[phase || 'steady'] = (healthyByPhase[phase || 'steady'] ?? 0) + 1;
        }
      }
      if (r.outcome === 'cut' && phase === 'worker-kill') byPhase.cutByWorkerKill++;
      if (r.outcome === 'refused-connect') {
        // A refused connection is not a session: retry shortly, as a mail client would (sooner).
        started--;
        await sleep(5);
        continue;
      }
      done++;
    }
  };
  const at = async (fraction) => {
    while (done < SESSIONS * fraction) await sleep(10);
  };
  const log = (msg) => console.log(`[${String(done).padStart(6)} sessions] ${msg}`);

  const t0 = Date.now();
  const loops = Array.from({ length: CONCURRENCY }, loop);
  const faults = (async () => {
    await at(0.05);
    rss.before = daemonRss(daemonPid());
    log(`daemon RSS (primary + workers): ${rss.before} MB`);
    await at(0.1);
    log('member 0: SIGKILL');
    phase = 'member 0 dead';
    alive.delete(0);
    member[0].child.kill('SIGKILL');
    await at(0.18);
    member[0] = startSink(ports[0], sinks);
    await waitListening(ports[0]);
    alive.add(0);
    phase = '';
    log('member 0: restarted');
    await at(0.25);
    store.execute(`modify ltm pool p_soak members add { 127.0.0.1:${ports[2]} { address 127.0.0.1 } }`, s);
    member[2] = startSink(ports[2], sinks);
    alive.add(2);
    log('member 2: added');
    await at(0.3);
    store.execute(`modify ltm pool p_soak members modify { 127.0.0.1:${ports[1]} { state user-down } }`, s);
    phase = 'member 1 user-down';
    log('member 1: user-down');
    await at(0.35);
    store.execute(`modify ltm pool p_soak members modify { 127.0.0.1:${ports[1]} { state user-up } }`, s);
    phase = '';
    log('member 1: user-up');
    await at(0.4);
    store.execute('modify ltm profile smtps smtps_soak activation-mode require', s);
    store.execute('modify ltm virtual vs_soak connection-limit 0', s);
    log('smtps profile and virtual edited');
    await at(0.45);
    const workers = childrenOf(daemonPid());
    phase = 'worker-kill';
    log(`worker ${workers[0]}: SIGKILL`);
    process.kill(workers[0], 'SIGKILL');
    await at(0.5);
    phase = '';
    const old = daemonPid();
    handover = true;
    log(`daemon ${old}: SIGUSR2 (restart with socket handover)`);
    process.kill(old, 'SIGUSR2');
    while (daemonPid() === old) await sleep(10);
    while (childrenOf(old).some(running) || running(old)) await sleep(20);
    handover = false;
    log(`daemon ${daemonPid()}: took over; old daemon drained and exited`);
    await at(0.7);
    const victim = daemonPid();
    const workersOfVictim = childrenOf(victim);
    log(`daemon ${victim}: SIGKILL (primary), then started again`);
    daemonDown = true;
    const killedAt = Date.now();
    process.kill(victim, 'SIGKILL');
    while (running(victim)) await sleep(1);
    fs.rmSync(pidFile, { force: true });
    startDaemon();
    // The new daemon writes its pid file once it listens; then a connection must get through.
    while (!fs.existsSync(pidFile)) await sleep(5);
    await waitListening(vport);
    const window = Date.now() - killedAt;
    daemonDown = false;
    log(`listening again ${window} ms after the SIGKILL (orphaned workers ${workersOfVictim.join(', ')} drain their sessions and exit)`);
    rss.window = window;
    await at(0.98);
    while (!fs.existsSync(pidFile)) await sleep(20);
    rss.after = daemonRss(daemonPid());
  })();
  await Promise.all(loops);
  await faults;
  const elapsed = (Date.now() - t0) / 1000;
  await sleep(1500); // smtp-sink prints its counters after each session ends
  const recorded = sinks.reduce((a, e) => a + e.messages, 0);

  console.log('');
  console.log(`sessions: ${done} (plus ${count['refused-connect']} refused connection attempts) in ${elapsed.toFixed(1)} s (${Math.round(done / elapsed)}/s), concurrency ${CONCURRENCY}, 3 x 4 KB messages each`);
  console.log(`outcomes: ${JSON.stringify(count)}${rejections.size ? `; rejected at: ${JSON.stringify(Object.fromEntries(rejections))}` : ''}`);
  for (const [what, n] of [...by421].sort()) console.log(`  421 ${what}: ${n}`);
  console.log(`messages acknowledged to clients: ${acked}; recorded by the members: ${recorded} (${recorded >= acked ? 'OK: none lost' : 'LOST MESSAGES'})`);
  console.log(`sessions refused while the daemon was up and a member was healthy: ${byPhase.healthyRefusals} ${JSON.stringify(healthyByPhase)}`);
  console.log(`connections refused across the SIGUSR2 restart: ${byPhase.handoverRefusals}`);
  console.log(`across the SIGKILL of the daemon: refusal window ${rss.window} ms, ${byPhase.downWindowRefusals} connection attempts refused (clients retry every 5 ms)`);
  console.log(`sessions cut while a worker was killed: ${byPhase.cutByWorkerKill} (all cut sessions: ${count.cut})`);
  console.log(`daemon RSS (primary + workers): ${rss.before} MB at 5% -> ${rss.after} MB at 98%`);

  try {
    process.kill(daemonPid(), 'SIGTERM');
  } catch {}
  for (const e of sinks) e.child.kill('SIGKILL');
  store.close();
  await sleep(3000);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
