#!/usr/bin/env node
/**
 * How long a `create ltm virtual` takes to accept connections with many virtuals configured
 * (issue 11 target: < 100 ms p99 with 10,000). A store gets N virtuals (STARTTLS allow, one
 * shared pool whose member is a tiny SMTP greeter in this process), the real daemon runs on it
 * (`bin/openltm daemon`, primary + workers), then each sample commits one `create ltm virtual`
 * through the store API and times, from the commit, until a client connecting to the new
 * destination reads the 220 greeting through the proxy. Prints p50, p99 and max.
 * Run after `npm run build`:  node bench/create-virtual.js [virtuals=10000] [samples=50] [workers=2]
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { spawn } = require('node:child_process');
const { Store, Session } = require('../packages/store/dist');

const N = Number(process.argv[2] ?? 10000);
const SAMPLES = Number(process.argv[3] ?? 50);
const WORKERS = process.argv[4] ?? '2';
const PORT = 2600;
// 127.0.0.0/8 is all loopback on Linux: one port, many addresses, no clash with ephemeral ports.
const addr = (i, net8 = 1) => `127.${net8}.${(i / 250) | 0}.${(i % 250) + 1}`;

function greeter() {
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.write('220 greeter ESMTP\r\n');
    s.on('data', (d) => {
      if (/^QUIT/im.test(d.toString())) s.end('221 bye\r\n');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Resolves true when a 220 comes through, false on refusal/close. */
function greeted(host) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port: PORT });
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      if (/^220 .*\r\n/m.test(buf)) {
        s.destroy();
        resolve(true);
      }
    });
    s.on('error', () => resolve(false));
    s.on('close', () => resolve(false));
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-bench-create-'));
  const file = path.join(dir, 'config.db');
  const sink = await greeter();
  const store = Store.open(file);
  const session = new Session();
  const lines = [
    'create ltm profile smtps s_allow activation-mode allow',
    `create ltm pool p members replace-all-with { 127.0.0.1:${sink.address().port} { address 127.0.0.1 } }`,
  ];
  for (let i = 0; i < N; i++) lines.push(`create ltm virtual vs_${i} destination ${addr(i)}:${PORT} pool p profiles replace-all-with { /Common/tcp { } s_allow { } /Common/clientssl { context clientside } }`);
  let t = Date.now();
  store.executeScript(lines.join('\n'), session);
  console.log(`store: ${N} virtuals created in ${Date.now() - t} ms`);

  t = Date.now();
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const daemon = spawn(process.execPath, [...profile, path.join(__dirname, '..', 'bin', 'openltm'), 'daemon', '--store', file, '--workers', WORKERS, '--drain-timeout', '1'], {
    env: { ...process.env, OPENLTM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  while (!(await greeted(addr(N - 1)))) await new Promise((r) => setTimeout(r, 50));
  console.log(`daemon (--workers ${WORKERS}): all ${N} virtuals accepting ${Date.now() - t} ms after start`);
  const rss = () => {
    try {
      return Math.round(Number(fs.readFileSync(`/proc/${daemon.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024);
    } catch {
      return NaN;
    }
  };

  const times = [];
  for (let k = 0; k < SAMPLES; k++) {
    const host = addr(k, 2);
    store.execute(`create ltm virtual vs_new_${k} destination ${host}:${PORT} pool p profiles replace-all-with { /Common/tcp { } s_allow { } /Common/clientssl { context clientside } }`, session);
    const t0 = process.hrtime.bigint();
    while (!(await greeted(host))) await new Promise((r) => setImmediate(r));
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 50));
  }
  console.log(`create ltm virtual -> 220 through the new virtual, ${N} virtuals configured, ${SAMPLES} samples: ` +
    `p50 ${pct(times, 50).toFixed(1)} ms, p90 ${pct(times, 90).toFixed(1)} ms, p99 ${pct(times, 99).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms; primary RSS ${rss()} MB; load average ${os.loadavg()[0].toFixed(1)}`);
  console.log(`slowest samples (ms, #sample): ${times.map((t, i) => [t, i]).sort((a, b) => b[0] - a[0]).slice(0, 5).map(([t, i]) => `${t.toFixed(0)} #${i}`).join(', ')}`);

  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
  store.close();
  sink.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
