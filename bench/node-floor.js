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
 * The flags, the plaintext dialogue and the workers are floor-front.js's.
 */
'use strict';
const net = require('node:net');
const tls = require('node:tls');
const { member: memberAt, NOT_READY, run } = require('./floor-front');

/** TLS, then the member: its greeting is swallowed (the client has had ours), then bytes flow both ways. */
function secure(sock, context) {
  const client = new tls.TLSSocket(sock, { isServer: true, secureContext: context });
  client.on('error', () => client.destroy());
  client.once('secure', () => {
    client.pause();
    const member = net.connect({ ...memberAt, noDelay: true });
    member.on('error', () => (client.destroy(), member.destroy()));
    let greeting = '';
    const onGreeting = (chunk) => {
      greeting += chunk.toString('latin1');
      const eol = greeting.indexOf('\r\n');
      if (eol < 0) return;
      member.removeListener('data', onGreeting);
      if (!greeting.startsWith('220 ') || eol + 2 !== greeting.length) {
        client.end(NOT_READY);
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

run(secure);
