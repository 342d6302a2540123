#!/usr/bin/env node
/**
 * openltm against nginx's mail proxy on nginx's own yardstick (issue 12): configures a fresh store
 * (the yardstick's ECDSA P-256 certificate, a client-ssl profile, an smtps profile with
 * activation-mode require, a pool with the single member 127.0.0.1:10025, a virtual on a free
 * port), starts the real daemon (`bin/openltm daemon`), runs bench/nginx/run-anchor.sh against it
 * (smtp-sink backend, nginx `starttls only`, one load generator, alternating runs, medians), and
 * prints the issue's table: msg/s openltm / nginx, proxy CPU per session openltm / nginx, p99.
 * Stops everything it started. Run after `npm run build`, as root (smtp-sink -u nobody):
 *
 *   node bench/nginx-compare.js [--proxy openltm|floor|floor-min] [--workers N] [--session-cache] [--cpu-prof DIR]
 *        [--node-args "--max-semi-space-size=16 ..."] [--floor-args "--no-tls-onread ..."]
 *   DURATION=8 REPS=3 CONCS="50 200" MSGS="1 20" WARMUP=3 node bench/nginx-compare.js   (run-anchor.sh's knobs)
 *
 * --source-connection-limit N: the daemon's per-source limit (default here 0: every session comes
 * from 127.0.0.1; with it on, workers ask the primary to admit each connection).
 * --proxy floor: instead of openltm, bench/node-floor.js (the smallest Node STARTTLS relay: what
 * Node's net and tls cost on their own); --proxy floor-min: bench/node-floor-min.js (the same on
 * node's cheapest I/O paths), --floor-args passes it options. --node-args: flags for the proxy's
 * node (cluster workers inherit them). --workers: the proxy's worker processes (default: one per
 * CPU; 0 = one process). The client-ssl profile has nginx's TLS settings (`ssl_session_cache off;
 * ssl_session_tickets off`): `cache-size 0 session-ticket disabled`; --session-cache keeps BIG-IP's
 * defaults instead (a 262,144-entry session-ID cache). --cpu-prof DIR: every proxy process writes
 * a V8 CPU profile into DIR when it exits (node --cpu-prof), for `node bench/cpu-profile-top.js DIR/*.cpuprofile`.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { spawn, spawnSync } = require('node:child_process');
const { Store, Session } = require('../packages/store/dist');

const ROOT = path.join(__dirname, '..');
const ANCHOR = path.join(__dirname, 'nginx', 'run-anchor.sh');
const RUN = '/tmp/smtpbench';
const SINK_PORT = 10025;

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const WORKERS = arg('--workers');
const CPU_PROF = arg('--cpu-prof');
const PROXY = arg('--proxy') ?? 'openltm';
const SESSION_CACHE = process.argv.includes('--session-cache');
// Every load-generator session comes from 127.0.0.1: the daemon's per-source limit (default 50) is off unless asked for.
const SOURCE_LIMIT = arg('--source-connection-limit') ?? '0';
const NODE_ARGS = (arg('--node-args') ?? '').split(' ').filter(Boolean);
const FLOOR_ARGS = (arg('--floor-args') ?? '').split(' ').filter(Boolean);
const FLOOR = { floor: 'node-floor.js', 'floor-min': 'node-floor-min.js' }[PROXY];
if (PROXY !== 'openltm' && !FLOOR) throw new Error(`--proxy ${PROXY}: openltm, floor or floor-min`);

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

async function waitListening(port, ms = 20_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return true;
    await sleep(50);
  }
  return false;
}

/** The yardstick's certificate, made as run-anchor.sh makes it, so the daemon can load it first. */
function ensureCertificate() {
  fs.mkdirSync(RUN, { recursive: true });
  if (fs.existsSync(path.join(RUN, 'cert.pem')) && fs.statSync(path.join(RUN, 'cert.pem')).size > 0) return;
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(RUN, 'key.pem'), '-out', path.join(RUN, 'cert.pem'), '-days', '365', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error('openssl could not create the benchmark certificate');
}

function configure(storePath, port) {
  const store = Store.open(storePath);
  store.executeScript([
    `create sys file ssl-cert bench.crt source-path file:${RUN}/cert.pem`,
    `create sys file ssl-key bench.key source-path file:${RUN}/key.pem`,
    // nginx's yardstick runs with `ssl_session_cache off; ssl_session_tickets off`.
    `create ltm profile client-ssl bench_cssl cert-key-chain replace-all-with { default { cert bench.crt key bench.key } }${SESSION_CACHE ? '' : ' cache-size 0 session-ticket disabled'}`,
    'create ltm profile smtps bench_smtps activation-mode require',
    `create ltm pool bench_pool members replace-all-with { 127.0.0.1:${SINK_PORT} { address 127.0.0.1 } }`,
    `create ltm virtual bench_vs destination 127.0.0.1:${port} pool bench_pool profiles replace-all-with { /Common/tcp { } bench_smtps { } bench_cssl { context clientside } }`,
  ].join('\n'), new Session());
  store.close();
}

/** The issue's table from run-anchor.sh's results file: medians of the repetitions. */
function table(file) {
  const rows = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const cell = (label, c, m, f) => median(rows.filter((r) => r.label === label && r.concurrency === c && r.messagesPerSession === m && r[f] != null).map((r) => r[f]));
  const keys = [...new Set(rows.map((r) => `${r.concurrency} ${r.messagesPerSession}`))].map((k) => k.split(' ').map(Number));
  keys.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = [
    `| concurrency | msgs/session | msg/s ${PROXY} / nginx | proxy CPU per session, ${PROXY} / nginx | p99 ms ${PROXY} / nginx | failures ${PROXY}, nginx | backend count |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const [c, m] of keys) {
    const t = cell('target', c, m, 'messages_per_s');
    const n = cell('nginx', c, m, 'messages_per_s');
    const tc = cell('target', c, m, 'proxy_cpu_ms_per_session');
    const nc = cell('nginx', c, m, 'proxy_cpu_ms_per_session');
    const tp = cell('target', c, m, 'p99_ms');
    const np = cell('nginx', c, m, 'p99_ms');
    const fail = (l) => rows.filter((r) => r.label === l && r.concurrency === c && r.messagesPerSession === m).reduce((a, r) => a + (r.sessions_failed ?? 0), 0);
    const sinkOk = rows.filter((r) => r.concurrency === c && r.messagesPerSession === m).every((r) => r.sink_match !== false);
    out.push(`| ${c} | ${m} | ${(t / n).toFixed(2)} (${t.toFixed(0)} vs ${n.toFixed(0)}) | ${(tc / nc).toFixed(2)} (${tc.toFixed(2)} ms vs ${nc.toFixed(2)} ms) | ${tp.toFixed(0)} vs ${np.toFixed(0)} | ${fail('target')}, ${fail('nginx')} | ${sinkOk ? 'ok' : 'MISMATCH'} |`);
  }
  return out.join('\n');
}

async function main() {
  ensureCertificate();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-nginx-compare-'));
  const storePath = path.join(dir, 'config.db');
  const port = await freePort();
  configure(storePath, port);
  const logFile = path.join(dir, 'daemon.log');
  const log = fs.openSync(logFile, 'a');
  const nodeArgs = [...NODE_ARGS, ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROF)}`] : [])];
  const workerArgs = WORKERS !== undefined ? ['--workers', WORKERS] : [];
  const proxyArgs = FLOOR
    ? [path.join(__dirname, FLOOR), '--listen', `127.0.0.1:${port}`, '--backend', `127.0.0.1:${SINK_PORT}`, '--cert', `${RUN}/cert.pem`, '--key', `${RUN}/key.pem`, ...workerArgs, ...FLOOR_ARGS]
    : [path.join(ROOT, 'bin', 'openltm'), 'daemon', '--store', storePath, '--source-connection-limit', SOURCE_LIMIT, ...workerArgs];
  const daemon = spawn(process.execPath, [...nodeArgs, ...proxyArgs], {
    env: { ...process.env, OPENLTM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', log],
  });
  let exited = false;
  daemon.on('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    daemon.kill('SIGTERM');
    for (let i = 0; i < 200 && !exited; i++) await sleep(50);
    if (!exited) daemon.kill('SIGKILL');
  };
  process.on('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    if (!(await waitListening(port))) throw new Error(`the daemon is not listening on 127.0.0.1:${port}:\n${fs.readFileSync(logFile, 'utf8')}`);
    const out = path.join(dir, 'results.jsonl');
    const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const what = FLOOR ? `${FLOOR} ${[...NODE_ARGS, ...FLOOR_ARGS].join(' ')}` : `openltm daemon (${SESSION_CACHE ? 'session cache on' : 'cache-size 0, no tickets'})`;
    console.log(`${what} (workers: ${WORKERS ?? 'default'}) on 127.0.0.1:${port}; load average before: ${load}`);
    const r = spawnSync('bash', [ANCHOR, String(port)], { stdio: 'inherit', env: { WARMUP: '3', ...process.env, OUT: out } });
    if (r.status !== 0) throw new Error(`run-anchor.sh exited with ${r.status}`);
    const after = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`\nload average after: ${after}; ${os.cpus().length} CPUs (${os.cpus()[0].model})\n`);
    console.log(table(out));
  } finally {
    await stop();
    fs.closeSync(log);
    if (!CPU_PROF) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`store and daemon log kept in ${dir}`);
  }
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exitCode = 1;
});
