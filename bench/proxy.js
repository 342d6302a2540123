#!/usr/bin/env node
/**
 * Throughput of the SMTP proxy: sessions/s and messages/s at concurrency 50, straight to a
 * backend sink and through the data plane (plain relay, and STARTTLS on the client side),
 * with the ratios. Three processes so that the proxy does not share its event loop with the
 * load: this one drives the clients, a child runs the sink, another child runs the DataPlane
 * from the built dist (`npx tsc -b` first).
 *
 *   node bench/proxy.js            # 4 s per scenario
 *   BENCH_SECONDS=10 BENCH_CONCURRENCY=50 BENCH_MESSAGES=5 BENCH_BODY=2048 node bench/proxy.js
 */
'use strict';
const net = require('node:net');
const tls = require('node:tls');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { fork, execFileSync } = require('node:child_process');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5);
const BODY = Number(process.env.BENCH_BODY ?? 2048);

// ---------------------------------------------------------------- backend sink (child process)
/** A minimal fast SMTP sink: greets, answers every command, swallows DATA up to the dot. */
function runSink() {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.on('error', () => {});
    s.write('220 sink.bench ESMTP\r\n');
    let buf = '';
    let inData = false;
    s.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      let out = '';
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) {
            buf = buf.slice(-4); // keep a possible partial terminator
            break;
          }
          buf = buf.slice(end + 5);
          inData = false;
          out += '250 2.0.0 Ok: queued\r\n';
          continue;
        }
        const i = buf.indexOf('\r\n');
        if (i < 0) break;
        const verb = buf.slice(0, Math.min(i, 4)).toUpperCase();
        buf = buf.slice(i + 2);
        if (verb === 'EHLO') out += '250-sink.bench\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n';
        else if (verb === 'DATA') {
          out += '354 End data with <CR><LF>.<CR><LF>\r\n';
          inData = true;
        } else if (verb === 'QUIT') {
          s.end(out + '221 2.0.0 Bye\r\n');
          return;
        } else out += '250 2.0.0 Ok\r\n';
      }
      if (out) s.write(out);
    });
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', (msg) => msg.cpu && process.send({ cpu: process.cpuUsage() }));
}

// ---------------------------------------------------------------- proxy (child process)
function runProxy() {
  const { DataPlane } = require('../packages/dataplane/dist');
  const pino = require('pino');
  process.once('message', async ({ sinkPort, cert, key }) => {
    const free = async () => {
      const s = net.createServer();
      await new Promise((r) => s.listen(0, '127.0.0.1', r));
      const p = s.address().port;
      await new Promise((r) => s.close(r));
      return p;
    };
    const plainPort = await free();
    const tlsPort = await free();
    const base = { enabled: true, address: '127.0.0.1', idleTimeout: 300, pool: '/Common/sink_pool', connectionLimit: 0 };
    const state = {
      generation: 1,
      monitors: [],
      pools: [{
        name: '/Common/sink_pool', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: { monitors: [], minimum: 'all' },
        members: [{ name: `/Common/127.0.0.1:${sinkPort}`, address: '127.0.0.1', port: sinkPort, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled' }],
      }],
      virtuals: [
        { ...base, name: '/Common/vs_plain', port: plainPort },
        {
          ...base, name: '/Common/vs_starttls', port: tlsPort,
          smtps: { name: '/Common/smtps', activationMode: 'allow' },
          clientSsl: { name: '/Common/cssl', certKeyChain: [{ cert, key }], ciphers: 'DEFAULT', options: [], handshakeTimeout: 10 },
        },
      ],
    };
    const dp = new DataPlane({ source: { generation: () => 1, read: () => state }, sink: { write() {} }, logger: pino({ level: 'silent' }) });
    await dp.start();
    process.send({ plainPort, tlsPort });
    process.on('message', async (msg) => {
      if (msg.cpu) return process.send({ cpu: process.cpuUsage() });
      const st = dp.status();
      await dp.stop();
      // Leave on our own (not killed) so `--cpu-prof` can write its profile.
      process.send({ status: st }, () => process.disconnect());
    });
  });
}

// ---------------------------------------------------------------- load generator
/** Reads SMTP replies (multi-line aware) from whatever socket is current. */
class Replies {
  constructor() {
    this.buf = '';
    this.waiting = null;
  }
  attach(sock) {
    sock.on('data', (d) => {
      this.buf += d.toString('latin1');
      this.pump();
    });
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('closed')));
  }
  next() {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.pump();
    });
  }
  pump() {
    if (!this.waiting) return;
    let start = 0;
    for (;;) {
      const i = this.buf.indexOf('\r\n', start);
      if (i < 0) return;
      const line = this.buf.slice(start, i);
      start = i + 2;
      if (line[3] !== '-') {
        this.buf = this.buf.slice(start);
        const w = this.waiting;
        this.waiting = null;
        w.resolve(Number(line.slice(0, 3)));
        return;
      }
    }
  }
  fail(e) {
    const w = this.waiting;
    this.waiting = null;
    if (w) w.reject(e);
  }
}

const body = (() => {
  const line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n';
  let b = 'From: bench@client.test\r\nTo: sink@sink.test\r\nSubject: bench\r\n\r\n';
  while (b.length < BODY) b += line;
  return b + '.\r\n';
})();

async function expect(replies, code) {
  const got = await replies.next();
  if (got !== code) throw new Error(`expected ${code}, got ${got}`);
}

/** One SMTP session: greeting, EHLO, optional STARTTLS, MESSAGES messages, QUIT. */
async function session(port, starttls) {
  let sock = net.connect({ host: '127.0.0.1', port });
  sock.setNoDelay(true);
  let replies = new Replies();
  replies.attach(sock);
  try {
    await expect(replies, 220);
    sock.write('EHLO client.test\r\n');
    await expect(replies, 250);
    if (starttls) {
      sock.write('STARTTLS\r\n');
      await expect(replies, 220);
      sock.removeAllListeners('data');
      sock.removeAllListeners('close');
      sock.removeAllListeners('error');
      sock.on('error', () => {});
      const secure = tls.connect({ socket: sock, rejectUnauthorized: false, servername: 'proxy.test' });
      replies = new Replies();
      replies.attach(secure);
      await new Promise((resolve, reject) => {
        secure.once('secureConnect', resolve);
        secure.once('error', reject);
      });
      sock = secure;
      sock.write('EHLO client.test\r\n');
      await expect(replies, 250);
    }
    for (let m = 0; m < MESSAGES; m++) {
      sock.write('MAIL FROM:<bench@client.test>\r\n');
      await expect(replies, 250);
      sock.write('RCPT TO:<sink@sink.test>\r\n');
      await expect(replies, 250);
      sock.write('DATA\r\n');
      await expect(replies, 354);
      sock.write(body);
      await expect(replies, 250);
    }
    sock.write('QUIT\r\n');
    await expect(replies, 221);
  } finally {
    sock.destroy();
  }
}

/** CPU time (ms) a child process has used, asked over IPC. */
async function childCpu(child) {
  if (!child) return 0;
  child.send({ cpu: true });
  const { cpu } = await once(child);
  return (cpu.user + cpu.system) / 1000;
}

async function scenario(name, port, starttls, proxy, sink) {
  const cpu0 = await childCpu(proxy);
  const sink0 = await childCpu(sink);
  const own0 = process.cpuUsage();
  const deadline = Date.now() + SECONDS * 1000;
  let sessions = 0;
  let errors = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (Date.now() < deadline) {
      try {
        await session(port, starttls);
        sessions++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const own = process.cpuUsage(own0);
  const ownPct = ((own.user + own.system) / 1000 / (secs * 1000)) * 100;
  const proxyMs = proxy ? (await childCpu(proxy)) - cpu0 : 0;
  const sinkMs = (await childCpu(sink)) - sink0;
  const r = { name, sessionsPerSec: sessions / secs, messagesPerSec: (sessions * MESSAGES) / secs, errors };
  const proxyNote = proxy ? `  proxy cpu ${((proxyMs / (secs * 1000)) * 100).toFixed(0)}% (${((proxyMs / Math.max(1, sessions)) * 1000).toFixed(0)} us/session)` : '';
  const sinkNote = `  sink ${((sinkMs / Math.max(1, sessions)) * 1000).toFixed(0)} us/session`;
  console.log(`${name.padEnd(30)} ${r.sessionsPerSec.toFixed(0).padStart(6)} sessions/s ${r.messagesPerSec.toFixed(0).padStart(7)} messages/s  errors ${errors}  client cpu ${ownPct.toFixed(0)}%${sinkNote}${proxyNote}`);
  return r;
}

function makeCert() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-bench-'));
  try {
    const k = path.join(dir, 'k.pem');
    const c = path.join(dir, 'c.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', '/CN=proxy.test', '-days', '2', '-keyout', k, '-out', c], { stdio: 'ignore' });
    return { cert: fs.readFileSync(c, 'utf8'), key: fs.readFileSync(k, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const once = (child) => new Promise((resolve) => child.once('message', resolve));

async function main() {
  const sink = fork(__filename, ['sink']);
  // BENCH_PROF=dir writes a CPU profile of the proxy process there.
  const proxy = fork(__filename, ['proxy'], { execArgv: process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [] });
  try {
    const { port: sinkPort } = await once(sink);
    const { cert, key } = makeCert();
    proxy.send({ sinkPort, cert, key });
    const { plainPort, tlsPort } = await once(proxy);
    console.log(`node ${process.version}, ${os.cpus().length} cpus, concurrency ${CONCURRENCY}, ${MESSAGES} messages of ${body.length} bytes per session, ${SECONDS} s per scenario`);
    await scenario('warm-up', plainPort, false, proxy, sink).catch(() => undefined);
    const direct = await scenario('direct to backend (no TLS)', sinkPort, false, undefined, sink);
    const plain = await scenario('through proxy, plain relay', plainPort, false, proxy, sink);
    const starttls = await scenario('through proxy, STARTTLS', tlsPort, true, proxy, sink);
    const ratio = (a, b) => (a / b).toFixed(2);
    console.log(`ratio proxy plain / direct:   sessions ${ratio(plain.sessionsPerSec, direct.sessionsPerSec)}, messages ${ratio(plain.messagesPerSec, direct.messagesPerSec)}`);
    console.log(`ratio proxy STARTTLS / direct: sessions ${ratio(starttls.sessionsPerSec, direct.sessionsPerSec)}, messages ${ratio(starttls.messagesPerSec, direct.messagesPerSec)}`);
    proxy.send({ stop: true });
    const exited = new Promise((resolve) => proxy.once('exit', resolve));
    const { status } = await once(proxy);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    const v = Object.fromEntries(status.virtuals.map((x) => [x.name, x.stats]));
    console.log(`proxy counters: vs_plain ${v['/Common/vs_plain'].clientTotConns} conns / ${v['/Common/vs_plain'].messages} messages; ` +
      `vs_starttls ${v['/Common/vs_starttls'].clientTotConns} conns, ${v['/Common/vs_starttls'].starttlsUpgraded} upgraded / ${v['/Common/vs_starttls'].messages} messages`);
  } finally {
    sink.kill();
    proxy.kill();
  }
}

if (process.argv[2] === 'sink') runSink();
else if (process.argv[2] === 'proxy') runProxy();
else main().catch((e) => {
  console.error(e);
  process.exit(1);
});
