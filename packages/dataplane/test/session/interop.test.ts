/**
 * Interoperability with real SMTP software: nodemailer as the client (STARTTLS with certificate
 * verification, requireTLS) and smtp-server as the pool member.
 */
import * as net from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { Harness, virtualSpec } from '../support/harness';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
let member: SMTPServer | undefined;
beforeAll(() => (cert = makeCert()));
afterEach(async () => {
  await h.stop();
  await new Promise<void>((r) => (member ? member.close(() => r()) : r()));
  member = undefined;
});

interface Received {
  from: string;
  to: string[];
  body: Buffer;
  secure: boolean;
}

async function startMember(received: Received[]): Promise<number> {
  member = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, cb) {
      const parts: Buffer[] = [];
      stream.on('data', (d: Buffer) => parts.push(d));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          body: Buffer.concat(parts),
          secure: session.secure,
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => member!.listen(0, '127.0.0.1', r));
  return (member.server.address() as net.AddressInfo).port;
}

it.each(['require', 'allow'] as const)('nodemailer delivers over STARTTLS (%s) to smtp-server through the proxy', async (mode) => {
  const received: Received[] = [];
  const port = await startMember(received);
  const { port: proxyPort, listener } = await h.proxy(virtualSpec(mode, cert), [{ address: '127.0.0.1', port }]);
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: proxyPort,
    secure: false,
    requireTLS: true,
    tls: { ca: cert.cert, servername: 'proxy.test' },
  });
  const text = 'Grüße aus dem Proxy\r\n.leading dot line\r\n' + 'x'.repeat(5000);
  const info = await transport.sendMail({ from: 'a@a.test', to: ['b@b.test', 'c@c.test'], subject: 'interop', text });
  transport.close();
  expect(info.accepted).toEqual(['b@b.test', 'c@c.test']);
  expect(received).toHaveLength(1);
  expect(received[0].from).toBe('a@a.test');
  expect(received[0].to).toEqual(['b@b.test', 'c@c.test']);
  // The member sees plaintext from the proxy (TLS ends at the proxy) and the message intact.
  expect(received[0].secure).toBe(false);
  expect(received[0].body.toString('utf8')).toContain('Subject: interop');
  expect(listener.stats).toMatchObject({ starttlsUpgraded: 1, messages: 1, tlsHandshakeFailures: 0 });
});

it('nodemailer with implicit TLS (port 465 style) through the proxy', async () => {
  const received: Received[] = [];
  const port = await startMember(received);
  const { port: proxyPort } = await h.proxy(virtualSpec('implicit', cert), [{ address: '127.0.0.1', port }]);
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: proxyPort, secure: true, tls: { ca: cert.cert, servername: 'proxy.test' } });
  await transport.sendMail({ from: 'a@a.test', to: 'b@b.test', subject: 'implicit', text: 'hello' });
  transport.close();
  expect(received.map((r) => r.to)).toEqual([['b@b.test']]);
});

it('require mode refuses a client that will not upgrade', async () => {
  const received: Received[] = [];
  const port = await startMember(received);
  const { port: proxyPort } = await h.proxy(virtualSpec('require', cert), [{ address: '127.0.0.1', port }]);
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: proxyPort, secure: false, ignoreTLS: true });
  await expect(transport.sendMail({ from: 'a@a.test', to: 'b@b.test', subject: 'plain', text: 'hello' })).rejects.toThrow(/530/);
  transport.close();
  expect(received).toHaveLength(0);
});
