/**
 * Store benchmark: load a generated bigip.conf of 10,000 virtuals, 10,000 pools and 50,000
 * members (50,000 nodes created on the way) into a new store, then time `list ltm virtual`.
 * Aims (issue 3): load under 5 s; list under 1 s.
 * Run after `npx tsc -b`: node bench/store.js [virtuals=10000] [membersPerPool=5]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Store, Session } = require('../packages/store/dist');

const VIRTUALS = Number(process.argv[2] ?? 10000);
const PER_POOL = Number(process.argv[3] ?? 5);

function ip(n, base) {
  return `${base}.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

function generate(file) {
  const out = ['#TMSH-VERSION: 14.1.0', ''];
  out.push('ltm monitor smtp /Common/smtp_mon {\n    defaults-from /Common/smtp\n    domain example.com\n}');
  out.push('ltm profile smtps /Common/plain_smtps {\n    activation-mode none\n    defaults-from /Common/smtps\n}');
  let m = 0;
  for (let i = 0; i < VIRTUALS; i++) {
    const members = [];
    for (let j = 0; j < PER_POOL; j++, m++) {
      const a = ip(m + 1, '10');
      members.push(`        /Common/${a}:25 {\n            address ${a}\n        }`);
    }
    out.push(`ltm pool /Common/pool_${i} {\n    members {\n${members.join('\n')}\n    }\n    monitor /Common/smtp_mon\n}`);
  }
  for (let i = 0; i < VIRTUALS; i++) {
    out.push(
      `ltm virtual /Common/vs_${i} {\n    destination /Common/${ip(i + 1, '172')}:25\n    ip-protocol tcp\n    mask 255.255.255.255\n` +
        `    pool /Common/pool_${i}\n    profiles {\n        /Common/plain_smtps { }\n        /Common/tcp { }\n    }\n` +
        `    source 0.0.0.0/0\n    translate-address enabled\n    translate-port enabled\n}`,
    );
  }
  fs.writeFileSync(file, out.join('\n') + '\n');
  return { objects: 2 + VIRTUALS * 2, members: m };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-bench-'));
try {
  const conf = path.join(dir, 'big.conf');
  let t = process.hrtime.bigint();
  const g = generate(conf);
  const ms = (from) => Number(process.hrtime.bigint() - from) / 1e6;
  console.log(`generated ${conf}: ${(fs.statSync(conf).size / 1e6).toFixed(1)} MB, ${g.objects} objects, ${g.members} members (${ms(t).toFixed(0)} ms)`);

  const store = Store.open(path.join(dir, 'bench.db'));
  const session = new Session();
  t = process.hrtime.bigint();
  const r = store.execute(`load sys config file ${conf}`, session);
  const loadMs = ms(t);
  const loaded = Object.values(r.data.loaded).reduce((a, b) => a + b, 0);
  const total = loaded + 2 * g.members; // members, and the nodes made for them, are objects too
  console.log(`load sys config: ${(loadMs / 1000).toFixed(2)} s, ${Math.round(loaded / (loadMs / 1000))} objects/s (${loaded} top-level objects + ${g.members} members + ${store.names('ltm node').length} nodes created; ${Math.round(total / (loadMs / 1000))} items/s)  aim < 5 s: ${loadMs < 5000 ? 'met' : 'MISSED'}`);

  // A fresh store handle: the list reads from SQLite, as a new `tmsh list` process would.
  store.close();
  const cold = Store.open(path.join(dir, 'bench.db'));
  t = process.hrtime.bigint();
  const out = cold.execute('list ltm virtual', new Session()).output;
  const listMs = ms(t);
  console.log(`list ltm virtual (${VIRTUALS} virtuals, cold handle): ${listMs.toFixed(0)} ms, ${(out.length / 1e6).toFixed(1)} MB of output  aim < 1 s: ${listMs < 1000 ? 'met' : 'MISSED'}`);
  t = process.hrtime.bigint();
  cold.execute('list ltm virtual', new Session());
  console.log(`list ltm virtual again (warm cache): ${ms(t).toFixed(0)} ms`);
  const creates = [];
  for (let i = 0; i < 20; i++) {
    t = process.hrtime.bigint();
    cold.execute(`create ltm pool one_more_${i} members add { 192.168.0.${i + 1}:25 }`);
    creates.push(ms(t));
  }
  const sorted = [...creates].sort((a, b) => a - b);
  console.log(`create ltm pool (one transaction each) in a store of ${total} objects: first ${creates[0].toFixed(1)} ms, median ${sorted[10].toFixed(1)} ms`);
  t = process.hrtime.bigint();
  for (let i = 0; i < 1000; i++) cold.generation();
  console.log(`generation(): ${(ms(t) * 1000 / 1000).toFixed(1)} us per call`);
  cold.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
