/**
 * End to end: real mail clients (swaks, openssl s_client, Python smtplib, nodemailer) talk to the
 * real `openltm daemon`, configured with the real tmsh, in front of a real Postfix. One virtual per
 * STARTTLS activation mode, all with the default client-ssl profile (self-signed; not verified).
 * The Postfix backend itself offers STARTTLS, so `none` proves that the proxy hides it.
 * TLS is checked on the client side: the proxy talks plain SMTP to the pool member.
 */
import { expectAccepted, ClientResult } from './support/client-mode';
import { ActivationMode, E2eProxy, startE2eProxy, uniqueToken } from './support/e2e-proxy';
import { nodemailerSend } from './support/nodemailer-client';
import { opensslSession } from './support/openssl-session';
import { opensslClient } from './support/openssl-client';
import { QueuedMessage } from './support/postfix';
import { smtplibSend } from './support/smtplib';
import { swaks } from './support/swaks';
import { SmtpReplyReader } from './support/smtp-reply-reader';
import { connect, Socket } from 'node:net';

type Client = 'swaks' | 'openssl' | 'smtplib' | 'nodemailer';

interface Outcome {
  /** The server accepted the message (250 after DATA). */
  accepted: boolean;
  /** The message went inside TLS (client-side evidence). */
  tls: boolean;
  /** Everything the client printed, for assertions and failure messages. */
  transcript: string;
}

let proxy: E2eProxy;

beforeAll(async () => {
  proxy = await startE2eProxy();
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
});

const FROM = 'alice@client.test';
const TO = 'bob@server.test';

function fromClientResult(r: ClientResult, tls: boolean): Outcome {
  return { accepted: r.code === 0, tls, transcript: `${r.transcript}\n${r.stderr === r.transcript ? '' : r.stderr}` };
}

/** Sends one message carrying `token` in its Subject and body. */
async function send(client: Client, port: number, mode: 'plain' | 'starttls', token: string): Promise<Outcome> {
  const body = `body ${token}`;
  switch (client) {
    case 'swaks': {
      const r = await swaks({ port, mode, from: FROM, to: TO, subject: token, body });
      // Inside TLS swaks marks lines with ~> and <~.
      return fromClientResult(r, /^ ~> MAIL FROM/m.test(r.transcript) && /^<~ {2}250 /m.test(r.transcript));
    }
    case 'smtplib': {
      const r = await smtplibSend({ port, mode, from: FROM, to: TO, subject: token, body });
      // smtplib's debug log: "reply: retcode (220); Msg: b'2.0.0 Ready to start TLS'", then it
      // only continues when the handshake succeeded.
      return fromClientResult(r, /send: 'STARTTLS\\r\\n'/.test(r.transcript) && /retcode \(220\)/.test(r.transcript));
    }
    case 'nodemailer': {
      const r = await nodemailerSend({ port, mode, from: FROM, to: TO, subject: token, body });
      const tls = /Connection upgraded with STARTTLS/i.test(r.transcript);
      return { accepted: r.ok, tls, transcript: `${r.response}\n${r.transcript}` };
    }
    case 'openssl': {
      if (mode !== 'starttls') throw new Error('openssl s_client is only used with -starttls smtp');
      // Turn by turn here; the pipelined one-shot form is its own test below.
      const r = await opensslSession(port, ['EHLO client.test', `MAIL FROM:<${FROM}>`, `RCPT TO:<${TO}>`, 'DATA',
        [`Subject: ${token}`, `From: <${FROM}>`, `To: <${TO}>`, '', body, '.'].join('\r\n'), 'QUIT']);
      return {
        accepted: r.code === 0 && /^250 2\.0\.0 Ok: queued as/m.test(r.transcript),
        tls: /^TLSv1\.[23]$/.test(r.protocol ?? ''),
        transcript: `${r.transcript}\n${r.stderr}`,
      };
    }
  }
}

async function queuedWith(token: string): Promise<QueuedMessage[]> {
  return (await proxy.postfix.messages()).filter((m) => m.content.includes(token));
}

async function expectQueuedOnce(token: string): Promise<QueuedMessage> {
  const deadline = Date.now() + 5000;
  let found: QueuedMessage[] = [];
  while (Date.now() < deadline) {
    found = await queuedWith(token);
    if (found.length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(found).toHaveLength(1);
  const [m] = found;
  expect(m).toMatchObject({ queue: 'hold', sender: FROM, recipients: [TO] });
  expect(m.content).toContain(`Subject: ${token}`);
  expect(m.content).toContain(`body ${token}`);
  return m;
}

function expectOk(o: Outcome): void {
  if (!o.accepted) throw new Error(`message not accepted; client said:\n${o.transcript}`);
}

const starttlsClients: Client[] = ['swaks', 'openssl', 'smtplib', 'nodemailer'];
const plainClients: Client[] = ['swaks', 'smtplib', 'nodemailer'];

describe.each<ActivationMode>(['require', 'allow'])('activation-mode %s', (mode) => {
  it.each(starttlsClients)('%s with STARTTLS: delivered, inside TLS', async (client) => {
    const token = uniqueToken(`${mode}-starttls-${client}`);
    const o = await send(client, proxy.ports[mode], 'starttls', token);
    expectOk(o);
    expect(o.tls).toBe(true);
    await expectQueuedOnce(token);
  });
});

describe.each<ActivationMode>(['require', 'allow'])('activation-mode %s, openssl s_client pipelining', (mode) => {
  it('MAIL and RCPT sent in one write with the post-TLS EHLO are relayed (no 503)', async () => {
    const r = await opensslClient({ port: proxy.ports[mode], mode: 'starttls', commands: ['EHLO client.test', `MAIL FROM:<${FROM}>`, `RCPT TO:<${TO}>`, 'QUIT'] });
    expect(r.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(r.transcript).toMatch(/^250 2\.1\.0 /m);
    expect(r.transcript).toMatch(/^250 2\.1\.5 /m);
    expect(r.transcript).not.toMatch(/^503 /m);
  });
});

describe('activation-mode require', () => {
  it.each(plainClients)('%s in plain text: refused with 530, nothing queued', async (client) => {
    const token = uniqueToken(`require-plain-${client}`);
    const o = await send(client, proxy.ports.require, 'plain', token);
    expect(o.accepted).toBe(false);
    expect(o.tls).toBe(false);
    expect(o.transcript).toMatch(/530[ -]5\.7\.0/);
    // Postfix would have queued it within milliseconds; give it a moment anyway.
    await new Promise((r) => setTimeout(r, 200));
    expect(await queuedWith(token)).toEqual([]);
  });

  it('EHLO in clear offers STARTTLS (swaks transcript)', async () => {
    const r = await swaks({ port: proxy.ports.require, mode: 'plain', args: ['--quit-after', 'EHLO'] });
    expect(r.transcript).toMatch(/^<- {2}250[ -]STARTTLS\r?$/m);
  });
});

describe('activation-mode allow', () => {
  it.each(plainClients)('%s in plain text: delivered in clear', async (client) => {
    const token = uniqueToken(`allow-plain-${client}`);
    const o = await send(client, proxy.ports.allow, 'plain', token);
    expectOk(o);
    expect(o.tls).toBe(false);
    await expectQueuedOnce(token);
  });
});

describe('activation-mode none', () => {
  it('EHLO reply has no STARTTLS, although the Postfix behind offers it', async () => {
    const direct = await swaks({ port: proxy.postfix.port, mode: 'plain', args: ['--quit-after', 'EHLO'] });
    expect(direct.transcript).toMatch(/^<- {2}250[ -]STARTTLS\r?$/m);
    const r = await swaks({ port: proxy.ports.none, mode: 'plain', args: ['--quit-after', 'EHLO'] });
    expectAccepted(r);
    expect(r.transcript).toMatch(/^<- {2}250 /m);
    expect(r.transcript).not.toMatch(/STARTTLS/i);
  });

  it.each(starttlsClients)('%s insisting on STARTTLS fails, nothing queued', async (client) => {
    const token = uniqueToken(`none-starttls-${client}`);
    const o = await send(client, proxy.ports.none, 'starttls', token);
    expect(o.accepted).toBe(false);
    expect(o.tls).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(await queuedWith(token)).toEqual([]);
  });

  it('STARTTLS typed anyway is refused with a 5xx and the session goes on in clear', async () => {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: proxy.ports.none }, () => resolve(s));
      s.once('error', reject);
    });
    try {
      const reader = new SmtpReplyReader(socket);
      expect((await reader.next(5000)).code).toBe(220);
      socket.write('EHLO client.test\r\n');
      expect((await reader.next(5000)).code).toBe(250);
      socket.write('STARTTLS\r\n');
      const refused = await reader.next(5000);
      expect(refused.code).toBeGreaterThanOrEqual(500);
      socket.write(`MAIL FROM:<${FROM}>\r\n`);
      expect((await reader.next(5000)).code).toBe(250);
      socket.write('QUIT\r\n');
      expect((await reader.next(5000)).code).toBe(221);
    } finally {
      socket.destroy();
    }
  });

  it.each(plainClients)('%s in plain text: delivered', async (client) => {
    const token = uniqueToken(`none-plain-${client}`);
    const o = await send(client, proxy.ports.none, 'plain', token);
    expectOk(o);
    expect(o.tls).toBe(false);
    await expectQueuedOnce(token);
  });
});
