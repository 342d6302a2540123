/**
 * What both floors (node-floor.js, node-floor-min.js) share: their flags, the plaintext SMTP
 * dialogue up to STARTTLS, the TLS context with nginx's settings, and the workers accepting on one
 * shared listening socket (cluster SCHED_NONE), as nginx's workers do. Each floor gives only its
 * `secure(sock, context)`: the handshake, the member, and how bytes are relayed.
 *
 *   --listen 127.0.0.1:12627 --backend 127.0.0.1:10025 [--workers N] [--cert F --key F]
 *
 * --workers 0 serves in one process; the default is one worker per CPU.
 */
'use strict';
const cluster = require('node:cluster');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const tls = require('node:tls');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const [host, port] = arg('--listen', '127.0.0.1:12627').split(':');
const [memberHost, memberPort] = arg('--backend', '127.0.0.1:10025').split(':');
const member = { host: memberHost, port: Number(memberPort) };
const workers = Number(arg('--workers', String(os.availableParallelism())));

const GREETING = Buffer.from('220 floor ESMTP\r\n');
const EHLO = Buffer.from('250-floor\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n250 STARTTLS\r\n');
const READY = Buffer.from('220 2.0.0 Ready to start TLS\r\n');
const NEED_TLS = Buffer.from('530 5.7.0 Must issue a STARTTLS command first\r\n');
const BYE = Buffer.from('221 2.0.0 Bye\r\n');
const TOO_LONG = Buffer.from('500 5.5.0 Line too long\r\n');
const NOT_READY = Buffer.from('421 4.3.0 Member not ready\r\n');

/** The plaintext dialogue up to STARTTLS: one command at a time, as the load generator sends them. */
function plain(sock, context, secure) {
  sock.on('error', () => sock.destroy());
  sock.write(GREETING);
  let held = '';
  const onData = (chunk) => {
    held += chunk.toString('latin1');
    let eol;
    while ((eol = held.indexOf('\r\n')) >= 0) {
      const verb = held.slice(0, Math.min(eol, 8)).toUpperCase();
      held = held.slice(eol + 2);
      if (verb.startsWith('EHLO') || verb.startsWith('HELO')) sock.write(EHLO);
      else if (verb.startsWith('STARTTLS')) {
        // Bytes sent after STARTTLS before the handshake are an injection attempt: refuse.
        if (held.length > 0) return sock.destroy();
        sock.removeListener('data', onData);
        sock.write(READY);
        return secure(sock, context);
      } else if (verb.startsWith('QUIT')) return sock.end(BYE);
      else sock.write(NEED_TLS);
    }
    if (held.length > 512) sock.end(TOO_LONG);
  };
  sock.on('data', onData);
}

function serve(secure) {
  // nginx's `ssl_session_cache off; ssl_session_tickets off`.
  const context = tls.createSecureContext({
    cert: fs.readFileSync(arg('--cert', '/tmp/smtpbench/cert.pem')),
    key: fs.readFileSync(arg('--key', '/tmp/smtpbench/key.pem')),
    minVersion: 'TLSv1.2',
    secureOptions: crypto.constants.SSL_OP_NO_TICKET | crypto.constants.SSL_OP_NO_RENEGOTIATION,
  });
  const server = net.createServer({ noDelay: true }, (sock) => plain(sock, context, secure));
  server.listen({ host, port: Number(port), backlog: 4096 });
}

/** Starts the floor: workers on the shared socket, or one process with --workers 0. */
function run(secure) {
  if (workers > 0 && cluster.isPrimary) {
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    for (let i = 0; i < workers; i++) cluster.fork();
    // Workers exit on their own SIGTERM (so that node --cpu-prof writes their profiles), then the primary.
    const stop = () => {
      const left = Object.values(cluster.workers);
      if (left.length === 0) process.exit(0);
      cluster.on('exit', () => Object.keys(cluster.workers).length === 0 && process.exit(0));
      for (const w of left) w.process.kill('SIGTERM');
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  } else {
    process.on('SIGTERM', () => process.exit(0));
    serve(secure);
  }
}

module.exports = { arg, member, NOT_READY, run };
