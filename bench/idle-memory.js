#!/usr/bin/env node
/**
 * Memory per idle post-handshake TLS session, with its member connection (issue 12: at most
 * 48 KiB). Starts Postfix's smtp-sink as the member, the real daemon (`bin/openltm daemon`) on a
 * fresh store (STARTTLS require, ECDSA P-256 certificate), opens N sessions that each do EHLO,
 * STARTTLS, the handshake and EHLO again and then sit idle, and reads the daemon's RSS (every
 * process of it) before and while they idle. Closes everything it started.
 * Run after `npm run build`, as root (smtp-sink -u nobody):
 *
 *   node bench/idle-memory.js [sessions=2000] [--workers N]   (default --workers 0: one process)
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const tls = require('node:tls');
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const { Store, Session } = require('../packages/store/dist');

const ROOT = path.join(__dirname, '..');
const N = Number(process.argv.find((a, i) => i > 1 && /^\d+$/.test(a) && process.argv[i - 1] !== '--workers') ?? 2000);
const wi = process.argv.indexOf('--workers');
const WORKERS = wi > 0 ? process.argv[wi + 1] : '0';
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

async function waitListening(port) {
  for (let i = 0; i < 400; i++) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

function rssKiB(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  } catch {
    return 0;
  }
}
function children(pid) {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
const daemonRss = (pid) => rssKiB(pid) + children(pid).reduce((a, c) => a + rssKiB(c), 0);

/** Reads one SMTP reply (multi-line aware) from the socket's 'data' stream. */
function reply(sock) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d) => {
      buf += d.toString('latin1');
      if (/(^|\n)\d{3} [^\n]*\n$/.test(buf)) done(null, buf);
    };
    const onEnd = () => done(new Error(`closed after ${JSON.stringify(buf)}`));
    function done(err, r) {
      sock.off('data', onData);
      sock.off('close', onEnd);
      sock.off('error', onEnd);
      err ? reject(err) : resolve(r);
    }
    sock.on('data', onData);
    sock.on('close', onEnd);
    sock.on('error', onEnd);
  });
}

const clientCtx = tls.createSecureContext({});
async function idleSession(port) {
  const raw = net.connect(port, '127.0.0.1');
  raw.on('error', () => undefined);
  await reply(raw);
  raw.write('EHLO idle.test\r\n');
  await reply(raw);
  raw.write('STARTTLS\r\n');
  await reply(raw);
  const t = tls.connect({ socket: raw, rejectUnauthorized: false, secureContext: clientCtx });
  t.on('error', () => undefined);
  await new Promise((resolve, reject) => (t.once('secureConnect', resolve), t.once('error', reject)));
  t.write('EHLO idle.test\r\n');
  const r = await reply(t);
  if (!r.startsWith('250')) throw new Error(`EHLO after TLS: ${r}`);
  return t;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-idle-memory-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const sinkPort = await freePort();
  const sink = spawn('/usr/sbin/smtp-sink', ['-u', 'nobody', '-m', String(N + 100), '127.0.0.1:' + sinkPort, '4096'], { stdio: 'ignore' });
  const port = await freePort();
  const store = Store.open(path.join(dir, 'config.db'));
  store.executeScript([
    `create sys file ssl-cert idle.crt source-path file:${cert}`,
    `create sys file ssl-key idle.key source-path file:${key}`,
    'create ltm profile client-ssl idle_cssl cert-key-chain replace-all-with { default { cert idle.crt key idle.key } }',
    'create ltm profile smtps idle_smtps activation-mode require',
    `create ltm pool idle_pool members replace-all-with { 127.0.0.1:${sinkPort} { address 127.0.0.1 } }`,
    `create ltm virtual idle_vs destination 127.0.0.1:${port} pool idle_pool profiles replace-all-with { /Common/tcp { } idle_smtps { } idle_cssl { context clientside } }`,
  ].join('\n'), new Session());
  store.close();
  const daemon = spawn(process.execPath, [path.join(ROOT, 'bin', 'openltm'), 'daemon', '--store', path.join(dir, 'config.db'), '--workers', WORKERS,
    '--source-connection-limit', '0'], { env: { ...process.env, OPENLTM_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const sockets = [];
  try {
    await waitListening(sinkPort);
    await waitListening(port);
    // Warm up (code compiled, pools allocated), then let the daemon settle.
    for (let i = 0; i < 50; i++) (await idleSession(port)).destroy();
    await sleep(3000);
    const before = daemonRss(daemon.pid);
    for (let i = 0; i < N; i += 50) {
      const batch = [];
      for (let k = i; k < Math.min(N, i + 50); k++) batch.push(idleSession(port));
      sockets.push(...(await Promise.all(batch)));
    }
    await sleep(3000);
    const during = daemonRss(daemon.pid);
    const per = (during - before) / N;
    console.log(`workers ${WORKERS}: ${N} idle TLS sessions, each with its member connection: daemon RSS ${(before / 1024).toFixed(1)} MiB -> ${(during / 1024).toFixed(1)} MiB, ` +
      `${per.toFixed(1)} KiB per session (target <= 48 KiB)`);
  } finally {
    for (const s of sockets) s.destroy();
    daemon.kill('SIGTERM');
    await new Promise((r) => (daemon.exitCode !== null ? r() : daemon.once('exit', r)));
    sink.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
