/**
 * The etcd driver's figures (issue 16), against a real 3-member etcd cluster on 127.0.0.1:
 *  1. change propagation to 3 hosts: 3 follower processes open the store as a daemon does (watch,
 *     mirror); a writer commits `modify ltm pool` N times; each follower notes when it saw each
 *     generation. Prints p50/p99 of commit-start -> seen, per host and over all.
 *  2. `load sys config` of 10,000 virtuals, 10,000 pools and 50,000 members into SQLite and into
 *     etcd (one etcd transaction), then a fresh open + `list ltm virtual` on each.
 * Run after `npm run build`: node bench/etcd.js [edits=200] [virtuals=10000] [membersPerPool=5]
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Store, Session, parseEtcdUrl } = require('../packages/store/dist');

const EDITS = Number(process.argv[2] ?? 200);
const VIRTUALS = Number(process.argv[3] ?? 10000);
const PER_POOL = Number(process.argv[4] ?? 5);
const now = () => performance.timeOrigin + performance.now();

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startCluster(dir) {
  const specs = [];
  for (let i = 0; i < 3; i++) specs.push({ name: `m${i}`, client: await freePort(), peer: await freePort() });
  const initial = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',');
  const procs = specs.map((s) =>
    spawn('etcd', [
      '--name', s.name, '--data-dir', path.join(dir, s.name),
      '--listen-client-urls', `http://127.0.0.1:${s.client}`, '--advertise-client-urls', `http://127.0.0.1:${s.client}`,
      '--listen-peer-urls', `http://127.0.0.1:${s.peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${s.peer}`,
      '--initial-cluster', initial, '--initial-cluster-state', 'new', '--log-level', 'error',
      '--max-txn-ops', '500000', '--max-request-bytes', String(256 * 1024 * 1024), '--quota-backend-bytes', String(8 * 1024 ** 3),
    ], { stdio: 'ignore' }),
  );
  const endpoints = specs.map((s) => `http://127.0.0.1:${s.client}`).join(',');
  for (let i = 0; ; i++) {
    try {
      execFileSync('etcdctl', ['--endpoints', endpoints, 'endpoint', 'health'], { stdio: 'ignore', env: { ...process.env, ETCDCTL_API: '3' } });
      break;
    } catch {
      if (i > 100) throw new Error('etcd did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const stop = () => procs.forEach((p) => p.exitCode === null && p.kill('SIGKILL'));
  // Never leave the cluster behind, however this process ends.
  process.on('exit', stop);
  return { url: `etcd://${specs.map((s) => `127.0.0.1:${s.client}`).join(',')}`, stop };
}

function openEtcd(url, extra = {}) {
  const u = parseEtcdUrl(url);
  return Store.openEtcd({ connection: { hosts: u.hosts, prefix: u.prefix, timeoutMs: 60_000, statusTtlSeconds: 10 }, location: url, host: 'bench', ...extra });
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** A follower process: opens the store as a daemon does and prints "<generation> <time seen>" per change. */
const FOLLOWER = `
const { Store, parseEtcdUrl } = require(${JSON.stringify(path.join(__dirname, '..', 'packages', 'store', 'dist'))});
const url = process.argv[1];
const u = parseEtcdUrl(url);
const store = Store.openEtcd({ connection: { hosts: u.hosts, prefix: u.prefix, timeoutMs: 10000, statusTtlSeconds: 10 }, location: url, host: 'f', follow: true });
// Two commits can arrive in one watch response: each generation up to the current one is seen now.
let last = store.generation();
store.watch(() => {
  const t = performance.timeOrigin + performance.now();
  for (const g = store.generation(); last < g; ) process.stdout.write(++last + ' ' + t + '\\n');
});
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);
`;

async function propagation(url) {
  const writer = openEtcd(url);
  writer.execute('create ltm pool p_prop');
  const followers = [];
  for (let i = 0; i < 3; i++) {
    const p = spawn(process.execPath, ['-e', FOLLOWER, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    const seen = new Map();
    let buf = '';
    const ready = new Promise((resolve) => {
      p.stdout.on('data', (d) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop();
        for (const l of lines) {
          if (l === 'ready') resolve();
          else {
            const [g, t] = l.split(' ').map(Number);
            if (!seen.has(g)) seen.set(g, t);
          }
        }
      });
    });
    followers.push({ p, seen, ready });
  }
  await Promise.all(followers.map((f) => f.ready));
  const started = new Map();
  for (let i = 0; i < EDITS; i++) {
    const t = now();
    writer.execute(`modify ltm pool p_prop description edit-${i}`);
    started.set(writer.generation(), t);
    await new Promise((r) => setTimeout(r, 20));
  }
  const last = writer.generation();
  while (followers.some((f) => !f.seen.has(last))) await new Promise((r) => setTimeout(r, 50));
  const all = [];
  followers.forEach((f, i) => {
    const d = [...started].map(([g, t]) => f.seen.get(g) - t).filter((x) => Number.isFinite(x));
    all.push(...d);
    console.log(`  host ${i + 1}: p50 ${pct(d, 50).toFixed(1)} ms, p99 ${pct(d, 99).toFixed(1)} ms (${d.length} changes)`);
  });
  const lastHost = [...started].map(([g, t]) => Math.max(...followers.map((f) => f.seen.get(g))) - t);
  console.log(`  all hosts: p50 ${pct(all, 50).toFixed(1)} ms, p99 ${pct(all, 99).toFixed(1)} ms; live on the last of 3 hosts: p50 ${pct(lastHost, 50).toFixed(1)} ms, p99 ${pct(lastHost, 99).toFixed(1)} ms`);
  followers.forEach((f) => f.p.kill());
  writer.close();
}

function ip(n, base) {
  return `${base}.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

function generate(file) {
  const out = ['#TMSH-VERSION: 14.1.0', ''];
  out.push('ltm profile smtps /Common/plain_smtps {\n    activation-mode none\n    defaults-from /Common/smtps\n}');
  let m = 0;
  for (let i = 0; i < VIRTUALS; i++) {
    const members = [];
    for (let j = 0; j < PER_POOL; j++, m++) {
      const a = ip(m + 1, '10');
      members.push(`        /Common/${a}:25 {\n            address ${a}\n        }`);
    }
    out.push(`ltm pool /Common/pool_${i} {\n    members {\n${members.join('\n')}\n    }\n}`);
  }
  for (let i = 0; i < VIRTUALS; i++) {
    out.push(`ltm virtual /Common/vs_${i} {\n    destination /Common/${ip(i + 1, '172')}:25\n    ip-protocol tcp\n    pool /Common/pool_${i}\n    profiles {\n        /Common/plain_smtps { }\n        /Common/tcp { }\n    }\n}`);
  }
  fs.writeFileSync(file, out.join('\n') + '\n');
  return m;
}

function timeLoad(label, open, conf) {
  const store = open();
  let t = now();
  store.execute(`load sys config file ${conf}`, new Session());
  const loadMs = now() - t;
  store.close();
  t = now();
  const again = open();
  const openMs = now() - t;
  t = now();
  const n = again.execute('list ltm virtual one-line').output.split('\n').filter(Boolean).length;
  const listMs = now() - t;
  again.close();
  console.log(`  ${label}: load ${(loadMs / 1000).toFixed(2)} s; a fresh open ${(openMs / 1000).toFixed(2)} s; list ltm virtual (${n}) ${(listMs / 1000).toFixed(2)} s`);
}

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-bench-etcd-'));
  const cluster = await startCluster(dir);
  try {
    console.log(`change propagation to 3 hosts (3-member etcd on 127.0.0.1, ${EDITS} edits, ${os.availableParallelism()} CPUs):`);
    await propagation(`${cluster.url}/prop`);
    const conf = path.join(dir, 'big.conf');
    const members = generate(conf);
    console.log(`load of ${VIRTUALS} virtuals, ${VIRTUALS} pools, ${members} members (${(fs.statSync(conf).size / 1e6).toFixed(1)} MB):`);
    timeLoad('SQLite', () => Store.open(path.join(dir, 'bench.db')), conf);
    timeLoad('etcd  ', () => openEtcd(`${cluster.url}/load`), conf);
  } finally {
    cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
