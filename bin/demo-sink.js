#!/usr/bin/env node
'use strict';
/**
 * DEMO mail sink for `npm start`: a tiny SMTP server that accepts any mail and throws it away,
 * printing one line per message. It stands in for the pool member of the quickstart virtual
 * (127.0.0.1:2526). Not a mail server: nothing is stored or delivered.
 *
 *   node bin/demo-sink.js [--port 2526] [--host 127.0.0.1]
 *
 * Plain Node, no dependencies. `require('./bin/demo-sink.js')` gives createDemoSink (a net.Server
 * factory) and startDemoSink (listen and resolve), for tests and the daemon's `start` command.
 */
const net = require('node:net');
const os = require('node:os');

const DEFAULT_PORT = 2526;
/** RFC 5321 says 512 for a command line; extensions make them longer in practice. */
const MAX_COMMAND_LINE = 2048;
/** RFC 5321 text line limit is 1000 octets with CRLF; we allow some slack and refuse beyond. */
const MAX_DATA_LINE = 8192;
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const MAX_RECIPIENTS = 1000;
const IDLE_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * Creates the demo sink server (not yet listening).
 * options.log(line): where the per-message line goes (default: stdout).
 * options.onMessage({ from, to, data }): called with each accepted message (data unstuffed, CRLF).
 * options.hostname: the name in the greeting (default `demo-sink`).
 */
function createDemoSink(options = {}) {
  const log = options.log || ((line) => process.stdout.write(`${line}\n`));
  const hostname = options.hostname || 'demo-sink';
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    session(socket, { log, hostname, onMessage: options.onMessage });
  });
  // close() also ends idle sessions, so a test or the daemon can shut down promptly.
  const close = server.close.bind(server);
  server.close = (cb) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  };
  return server;
}

/** Starts a demo sink; resolves to { server, host, port, close() } once it listens. */
function startDemoSink(options = {}) {
  const host = options.host || '127.0.0.1';
  const port = options.port === undefined ? DEFAULT_PORT : options.port;
  const server = createDemoSink(options);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, host, port: server.address().port, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

function session(socket, { log, hostname, onMessage }) {
  let buffer = Buffer.alloc(0);
  let helo = false;
  let from;
  let to = [];
  let inData = false;
  let dataChunks = [];
  let dataBytes = 0;
  let dataTooBig = false;
  let dataLineTooLong = false;
  let discardingLongLine = false;

  const reply = (text) => {
    if (!socket.destroyed && !socket.writableEnded) socket.write(`${text}\r\n`);
  };
  const reset = () => {
    from = undefined;
    to = [];
  };

  socket.setTimeout(IDLE_TIMEOUT_MS, () => {
    reply('421 4.4.2 demo-sink Error: timeout exceeded');
    socket.end();
  });
  socket.on('error', () => socket.destroy());
  reply(`220 ${hostname} ESMTP demo sink (accepts and discards all mail)`);

  socket.on('data', (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    let nl;
    while (!socket.destroyed && !socket.writableEnded && (nl = buffer.indexOf(0x0a)) >= 0) {
      const raw = buffer.subarray(0, nl + 1);
      buffer = buffer.subarray(nl + 1);
      if (discardingLongLine) {
        discardingLongLine = false; // the tail of a line already refused
        continue;
      }
      line(raw);
    }
    // A line with no end in sight: refuse it without buffering it.
    const limit = inData ? MAX_DATA_LINE : MAX_COMMAND_LINE;
    if (buffer.length > limit) {
      buffer = Buffer.alloc(0);
      discardingLongLine = true;
      if (inData) dataLineTooLong = true;
      else reply('500 5.5.2 Error: line too long');
    }
  });

  function line(raw) {
    if (inData) return dataLine(raw);
    if (raw.length > MAX_COMMAND_LINE) return reply('500 5.5.2 Error: line too long');
    const text = raw.toString('latin1').replace(/\r?\n$/, '');
    const m = /^(\S+)(?: (.*))?$/.exec(text);
    const verb = m ? m[1].toUpperCase() : '';
    const arg = m && m[2] !== undefined ? m[2].trim() : '';
    switch (verb) {
      case 'EHLO':
      case 'HELO':
        if (!arg) return reply(`501 5.5.4 Syntax: ${verb} hostname`);
        helo = true;
        reset();
        if (verb === 'HELO') return reply(`250 ${hostname}`);
        return reply(`250-${hostname}\r\n250-PIPELINING\r\n250-SIZE ${MAX_MESSAGE_BYTES}\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES`);
      case 'MAIL': {
        if (!helo) return reply('503 5.5.1 Error: send HELO/EHLO first');
        if (from !== undefined) return reply('503 5.5.1 Error: nested MAIL command');
        const a = /^FROM:\s*<([^<>]*)>(?:\s+(.*))?$/i.exec(arg);
        if (!a) return reply('501 5.5.4 Syntax: MAIL FROM:<address>');
        const size = /(?:^|\s)SIZE=(\d+)/i.exec(a[2] || '');
        if (size && Number(size[1]) > MAX_MESSAGE_BYTES) return reply('552 5.3.4 Message size exceeds fixed limit');
        from = a[1];
        return reply('250 2.1.0 Ok');
      }
      case 'RCPT': {
        if (from === undefined) return reply('503 5.5.1 Error: need MAIL command');
        const a = /^TO:\s*<([^<>]+)>(?:\s+.*)?$/i.exec(arg);
        if (!a) return reply('501 5.5.4 Syntax: RCPT TO:<address>');
        if (to.length >= MAX_RECIPIENTS) return reply('452 4.5.3 Error: too many recipients');
        to.push(a[1]);
        return reply('250 2.1.5 Ok');
      }
      case 'DATA':
        if (arg) return reply('501 5.5.4 Syntax: DATA');
        if (from === undefined) return reply('503 5.5.1 Error: need MAIL command');
        if (to.length === 0) return reply('503 5.5.1 Error: need RCPT command');
        inData = true;
        dataChunks = [];
        dataBytes = 0;
        dataTooBig = false;
        dataLineTooLong = false;
        return reply('354 End data with <CR><LF>.<CR><LF>');
      case 'RSET':
        reset();
        return reply('250 2.0.0 Ok');
      case 'NOOP':
        return reply('250 2.0.0 Ok');
      case 'QUIT':
        reply('221 2.0.0 Bye');
        return socket.end();
      case 'STARTTLS':
        return reply('502 5.5.1 Error: command not implemented (the demo sink speaks plaintext; TLS ends at openltm)');
      case '':
        return reply('500 5.5.2 Error: bad syntax');
      default:
        return reply('502 5.5.2 Error: command not recognized');
    }
  }

  function dataLine(raw) {
    if (raw.length > MAX_DATA_LINE) dataLineTooLong = true;
    const body = raw.subarray(0, raw.length - (raw[raw.length - 2] === 0x0d ? 2 : 1));
    if (body.length === 1 && body[0] === 0x2e) return endOfData();
    // Dot-unstuffing (RFC 5321 4.5.2): a leading dot was doubled by the client.
    const content = body[0] === 0x2e ? body.subarray(1) : body;
    dataBytes += content.length + 2;
    if (dataBytes > MAX_MESSAGE_BYTES) {
      dataTooBig = true;
      dataChunks = [];
      return;
    }
    if (!dataTooBig) dataChunks.push(content, CRLF);
  }

  function endOfData() {
    inData = false;
    const sender = from;
    const recipients = to;
    reset();
    if (dataTooBig) return reply('552 5.3.4 Message size exceeds fixed limit');
    if (dataLineTooLong) return reply('500 5.5.2 Error: line too long in message');
    const data = Buffer.concat(dataChunks);
    dataChunks = [];
    log(`demo sink: message from <${sender}> to ${recipients.map((r) => `<${r}>`).join(' ')}, ${data.length} bytes`);
    if (onMessage) onMessage({ from: sender, to: recipients, data });
    return reply('250 2.0.0 Ok: accepted and discarded by the demo sink');
  }
}

const CRLF = Buffer.from('\r\n');

module.exports = { createDemoSink, startDemoSink, DEFAULT_PORT };

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const port = opt('--port') !== undefined ? Number(opt('--port')) : DEFAULT_PORT;
  const host = opt('--host') || '127.0.0.1';
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`demo sink: invalid --port ${opt('--port')}\n`);
    process.exit(2);
  }
  startDemoSink({ port, host, hostname: os.hostname() }).then(
    (s) => {
      process.stdout.write(`demo sink: DEMO ONLY, accepting and discarding mail on ${s.host}:${s.port}\n`);
      const stop = () => s.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (e) => {
      process.stderr.write(`demo sink: cannot listen on ${host}:${port}: ${e.message}\n`);
      process.exit(1);
    },
  );
}
