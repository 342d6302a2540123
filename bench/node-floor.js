#!/usr/bin/env node
/**
 * The floor: the smallest Node 20 STARTTLS relay that passes the nginx yardstick, to tell how
 * much CPU per session Node's own net and tls need for what nginx's mail proxy does, and so how
 * far openltm is above it (issue 12). No configuration, no rules, no limits, no logs:
 *
 *   greeting -> EHLO (one reply: SIZE, 8BITMIME, STARTTLS) -> STARTTLS -> TLS handshake (the
 *   yardstick's certificate, no session cache, no tickets: as nginx's `ssl_session_cache off;
 *   ssl_session_tickets off`) -> connect the member, swallow its greeting -> relay bytes both ways
 *   (the client's second EHLO and everything after go to the member unchanged).
 *
 * nginx answers the second EHLO and MAIL FROM itself and connects the member at RCPT TO; this
 * relay connects it right after the handshake: one member round trip more, the same sessions.
 * Workers accept on the shared listening socket (cluster SCHED_NONE), as nginx's workers do.
 *
 *   node bench/node-floor.js --listen 127.0.0.1:12627 --backend 127.0.0.1:10025 [--workers N]
 *        [--cert /tmp/smtpbench/cert.pem --key /tmp/smtpbench/key.pem]
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
const workers = Number(arg('--workers', String(os.availableParallelism())));

const GREETING = Buffer.from('220 floor ESMTP\r\n');
const EHLO = Buffer.from('250-floor\r\n250-SIZE 10485760\r\n250-8BITMIME\r\n250 STARTTLS\r\n');
const READY = Buffer.from('220 2.0.0 Ready to start TLS\r\n');
const NEED_TLS = Buffer.from('530 5.7.0 Must issue a STARTTLS command first\r\n');
const BYE = Buffer.from('221 2.0.0 Bye\r\n');
const TOO_LONG = Buffer.from('500 5.5.0 Line too long\r\n');

function serve() {
  const context = tls.createSecureContext({
    cert: fs.readFileSync(arg('--cert', '/tmp/smtpbench/cert.pem')),
    key: fs.readFileSync(arg('--key', '/tmp/smtpbench/key.pem')),
    minVersion: 'TLSv1.2',
    secureOptions: crypto.constants.SSL_OP_NO_TICKET | crypto.constants.SSL_OP_NO_RENEGOTIATION,
  });
  const server = net.createServer({ noDelay: true }, (sock) => plain(sock, context));
  server.listen({ host, port: Number(port), backlog: 4096 });
}

/** The plaintext dialogue up to STARTTLS: one command at a time, as the load generator sends them. */
function plain(sock, context) {
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

/** TLS, then the member: its greeting is swallowed (the client has had ours), then bytes flow both ways. */
function secure(sock, context) {
  const client = new tls.TLSSocket(sock, { isServer: true, secureContext: context });
  client.on('error', () => client.destroy());
  client.once('secure', () => {
    client.pause();
    const member = net.connect({ host: memberHost, port: Number(memberPort), noDelay: true });
    member.on('error', () => (client.destroy(), member.destroy()));
    let greeting = '';
    const onGreeting = (chunk) => {
      greeting += chunk.toString('latin1');
      const eol = greeting.indexOf('\r\n');
      if (eol < 0) return;
      member.removeListener('data', onGreeting);
      if (!greeting.startsWith('220 ') || eol + 2 !== greeting.length) {
        client.end('421 4.3.0 Member not ready\r\n');
        return member.destroy();
      }
      member.pipe(client);
      client.pipe(member);
      client.resume();
    };
    member.on('data', onGreeting);
    client.on('close', () => member.destroy());
    member.on('close', () => client.destroy());
  });
}

if (workers > 0 && cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => {
    for (const w of Object.values(cluster.workers)) w.kill();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else serve();
