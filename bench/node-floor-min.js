#!/usr/bin/env node
/**
 * The lowest floor (issue 12): bench/node-floor.js's protocol work (greeting, one EHLO reply,
 * STARTTLS, the handshake with nginx's TLS settings, connect the member, swallow its greeting,
 * relay bytes both ways) on the cheapest I/O paths Node 20's net and tls offer, to tell whether
 * any Node relay can reach nginx's CPU per session, not only one that uses stream.pipe:
 *
 *   - the member socket reads into one buffer per session (net's `onread`): no Buffer per read,
 *     no stream push, no 'data' event;
 *   - the client's decrypted reads (--tls-onread, the default) go the same way: node's TLSSocket
 *     takes `onread` only from tls.connect, so it is given here through the same internal slots
 *     net.Socket uses (`useUserBuffer` on the TLSWrap handle, kBuffer/kBufferCb); --no-tls-onread
 *     uses a 'data' listener instead;
 *   - every write is a direct `write(chunk)` without a callback, and backpressure is done by hand
 *     (stop reading the source when its write() said so, read again on 'drain');
 *   - a read buffer is reused only when the destination no longer holds it: a TLS write is
 *     encrypted (copied) at once when nothing is queued before it; a TCP write that the kernel did
 *     not take at once keeps a reference, and the reader then gets a new buffer.
 *
 *   node bench/node-floor-min.js --listen 127.0.0.1:12627 --backend 127.0.0.1:10025 [--workers N]
 *        [--no-tls-onread] [--buffer BYTES] [--cert F --key F]
 *
 * The other flags, the plaintext dialogue and the workers are floor-front.js's.
 */
'use strict';
const net = require('node:net');
const tls = require('node:tls');
const { arg, member: memberAt, NOT_READY, run } = require('./floor-front');

const TLS_ONREAD = !process.argv.includes('--no-tls-onread');
// A 2 KiB message plus SMTP framing fits; TLS records carry at most 16 KiB of plaintext.
const BUFFER = Number(arg('--buffer', '16384'));

// net.Socket's own slots for `onread` (node 20): the same ones tls.connect({ onread }) fills.
const probe = new net.Socket({ onread: { buffer: Buffer.alloc(1), callback() {} } });
const slot = (name) => Object.getOwnPropertySymbols(probe).find((s) => s.description === name);
const kBuffer = slot('kBuffer');
const kBufferCb = slot('kBufferCb');
const kBufferGen = slot('kBufferGen');
probe.destroy();
if (TLS_ONREAD && (!kBuffer || !kBufferCb || !kBufferGen)) throw new Error('this node has no kBuffer/kBufferCb slots: use --no-tls-onread');

/**
 * Relays `n` bytes of `buf` (the source's reusable read buffer) to `dst`. Returns the buffer the
 * source reads into next: the same one unless `dst` kept a reference to it.
 */
function relay(dst, buf, n) {
  if (dst.writableLength > 0) {
    // A write is already queued: this one waits in the stream's buffer, so it must own its bytes.
    dst.write(Buffer.from(buf.subarray(0, n)));
    return buf;
  }
  dst.write(buf.subarray(0, n));
  // Nothing was queued, so the bytes went straight to the handle. TLS encrypted them already;
  // a TCP write the kernel did not finish holds the buffer: read into a new one.
  return dst.writableLength > 0 && !(dst instanceof tls.TLSSocket) ? Buffer.allocUnsafe(BUFFER) : buf;
}

/** TLS, then the member: its greeting is swallowed (the client has had ours), then bytes flow both ways. */
function secure(sock, context) {
  const client = new tls.TLSSocket(sock, { isServer: true, secureContext: context });
  client.on('error', () => client.destroy());
  client.once('secure', () => {
    client.pause();
    let member = null;
    let greeted = false;
    let greeting = '';
    // Backpressure by hand: a source stops reading when its destination's write() said so
    // (writableNeedDrain), and reads again on the destination's 'drain'.
    const fromClient = (n, buf) => {
      const next = relay(member, buf, n);
      if (next !== buf) useBuffer(client, next);
      if (member.writableNeedDrain) client.pause();
    };
    let memberBuf = Buffer.allocUnsafe(BUFFER);
    member = net.connect({
      ...memberAt,
      noDelay: true,
      onread: {
        buffer: memberBuf,
        callback(n, buf) {
          if (!greeted) {
            greeting += buf.latin1Slice(0, n);
            const eol = greeting.indexOf('\r\n');
            if (eol < 0) return;
            greeted = true;
            if (!greeting.startsWith('220 ') || eol + 2 !== greeting.length) {
              client.end(NOT_READY);
              member.destroy();
              return false;
            }
            // What the client sent while the member greeted waits in the stream's buffer: first.
            for (let chunk; (chunk = client.read()) !== null; ) member.write(chunk);
            if (TLS_ONREAD) useBuffer(client, Buffer.allocUnsafe(BUFFER), fromClient);
            else client.on('data', (chunk) => {
              member.write(chunk);
              if (member.writableNeedDrain) client.pause();
            });
            client.resume();
            return;
          }
          const next = relay(client, buf, n);
          if (next !== buf) useBuffer(member, next);
          if (client.writableNeedDrain) return false;
        },
      },
    });
    member.on('error', () => (client.destroy(), member.destroy()));
    member.on('drain', () => client.resume());
    client.on('drain', () => member.resume());
    // Half-close passes through (the member's 221 then its FIN), then both go.
    member.on('end', () => client.end());
    client.on('end', () => member.end());
    client.on('close', () => member.destroy());
    member.on('close', () => client.destroy());
  });
}

/** Points a socket's reads at `buf` (and, first time, at `cb`): what net does for `onread`. */
function useBuffer(socket, buf, cb) {
  socket[kBuffer] = buf;
  if (cb) (socket[kBufferCb] = cb), (socket[kBufferGen] = null);
  socket._handle.useUserBuffer(buf);
}

run(secure);
