/**
 * A STARTTLS mail session driven step by step, so a test can hold many sessions open in the
 * middle of a transaction (envelope given, DATA not yet sent) while it kills a process, then
 * finish them and see which ones the server still answers.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { SmtpReplyReader, type SmtpReply } from './smtp-reply-reader';

export class StarttlsSession {
  /** The client's port of the connection (to ask the kernel who serves it: served-by.ts). */
  readonly localPort: number;

  private constructor(
    private socket: net.Socket | tls.TLSSocket,
    private reader: SmtpReplyReader,
  ) {
    this.localPort = socket.localPort ?? -1;
  }

  /** Connects, upgrades with STARTTLS, and gives the envelope; rejects if any step is refused. */
  static async open(port: number, rcpt = 'rcpt@example.test'): Promise<StarttlsSession> {
    const raw = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
    raw.on('error', () => undefined);
    let reader = new SmtpReplyReader(raw);
    const session = new StarttlsSession(raw, reader);
    try {
      await session.expect(await reader.next(10_000), 220, 'greeting');
      raw.write('EHLO client.example.test\r\n');
      await session.expect(await reader.next(10_000), 250, 'EHLO');
      raw.write('STARTTLS\r\n');
      await session.expect(await reader.next(10_000), 220, 'STARTTLS');
      reader.detach();
      const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
        const t = tls.connect({ socket: raw, rejectUnauthorized: false, servername: 'proxy.test' }, () => resolve(t));
        t.once('error', reject);
      });
      secure.on('error', () => undefined);
      reader = new SmtpReplyReader(secure);
      session.socket = secure;
      session.reader = reader;
      await session.command('EHLO client.example.test', 250);
      await session.command('MAIL FROM:<sender@example.test>', 250);
      await session.command(`RCPT TO:<${rcpt}>`, 250);
      return session;
    } catch (err) {
      raw.destroy();
      throw err;
    }
  }

  /** Sends the message and QUIT; resolves with the reply to the end of DATA. */
  async finish(body = 'Subject: test\r\n\r\nhello\r\n'): Promise<SmtpReply> {
    await this.command('DATA', 354);
    this.socket.write(`${body}.\r\n`);
    const reply = await this.reader.next(10_000);
    this.socket.write('QUIT\r\n');
    await this.reader.next(10_000).catch(() => undefined);
    this.socket.destroy();
    return reply;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private async command(line: string, code: number): Promise<SmtpReply> {
    this.socket.write(`${line}\r\n`);
    return this.expect(await this.reader.next(10_000), code, line.split(' ')[0]);
  }

  private async expect(reply: SmtpReply, code: number, what: string): Promise<SmtpReply> {
    if (reply.code !== code) throw new Error(`${what}: expected ${code}, got ${reply.lines.join(' | ')}`);
    return reply;
  }
}

/** One whole session; resolves with the end-of-DATA reply code. */
export async function sendOne(port: number): Promise<number> {
  const s = await StarttlsSession.open(port);
  return (await s.finish()).code;
}
