/**
 * Mock backend B0 from smtp-starttls.md §5.0: a scriptable SMTP server that records every byte
 * it receives. Variants are options: a different greeting or EHLO reply, no greeting at all,
 * per-verb reply overrides, delays and closes.
 */
import * as net from 'node:net';

export const B0_GREETING = '220 mx.backend.test ESMTP mock\r\n';
export const B0_EHLO =
  '250-mx.backend.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n' +
  '250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-CHUNKING\r\n250-XCLIENT NAME ADDR PORT PROTO HELO LOGIN\r\n250 SMTPUTF8\r\n';

export interface MockBackendOptions {
  /** null: never greet (B3). */
  greeting?: string | null;
  ehlo?: string;
  /** Reply override per upper-case verb (e.g. NOOP, RCPT, HELP, '.' for end of data). */
  replies?: Record<string, string>;
  /** Delay in ms before answering a verb. */
  delays?: Record<string, number>;
  /** Hold the replies to a verb until the promise resolves (commands keep arriving meanwhile). */
  gates?: Record<string, Promise<void>>;
  /** Close the connection right after answering this verb. */
  closeAfter?: string;
}

const DEFAULT_REPLIES: Record<string, string> = {
  HELO: '250 mx.backend.test\r\n',
  MAIL: '250 2.1.0 Ok\r\n',
  RCPT: '250 2.1.5 Ok\r\n',
  DATA: '354 End data with <CR><LF>.<CR><LF>\r\n',
  '.': '250 2.0.0 Ok: queued as MOCK1\r\n',
  RSET: '250 2.0.0 Ok\r\n',
  NOOP: '250 2.0.0 Ok\r\n',
  QUIT: '221 2.0.0 Bye\r\n',
  XCLIENT: B0_GREETING,
};

export class MockBackend {
  readonly connections: net.Socket[] = [];
  /** Bytes received, one Buffer per connection in order. */
  readonly received: Buffer[] = [];
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly opts: MockBackendOptions = {}) {}

  get port(): number {
    return (this.server!.address() as net.AddressInfo).port;
  }

  /** Everything every connection sent, as text. */
  log(): string {
    return this.received.map((b) => b.toString('latin1')).join('');
  }

  async start(): Promise<this> {
    this.server = net.createServer((s) => this.serve(s));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private serve(sock: net.Socket): void {
    const index = this.received.length;
    this.received.push(Buffer.alloc(0));
    this.connections.push(sock);
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => undefined);
    const o = this.opts;
    if (o.greeting !== null) sock.write(o.greeting ?? B0_GREETING);
    let pending = Buffer.alloc(0);
    let inData = false;
    let chain = Promise.resolve();
    const answer = (verb: string, reply: string) => {
      const delay = o.delays?.[verb] ?? 0;
      chain = chain.then(async () => {
        if (delay) await new Promise((r) => setTimeout(r, delay));
        if (o.gates?.[verb]) await o.gates[verb];
        if (sock.destroyed) return;
        sock.write(reply);
        if (verb === 'QUIT' || o.closeAfter === verb) sock.end();
      });
    };
    sock.on('data', (chunk: Buffer) => {
      this.received[index] = Buffer.concat([this.received[index], chunk]);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (inData) {
          // Strict end of data; the DATA line's CRLF counts for an empty message.
          const end = pending.subarray(0, 3).toString('latin1') === '.\r\n' ? 0 : pending.indexOf('\r\n.\r\n');
          if (end < 0) return;
          pending = pending.subarray(end === 0 ? 3 : end + 5);
          inData = false;
          answer('.', o.replies?.['.'] ?? DEFAULT_REPLIES['.']);
          continue;
        }
        const lf = pending.indexOf('\n');
        if (lf < 0) return;
        const line = pending.subarray(0, lf + 1).toString('latin1');
        pending = pending.subarray(lf + 1);
        const verb = line.trim().split(' ')[0].toUpperCase();
        const reply = o.replies?.[verb] ?? (verb === 'EHLO' ? o.ehlo ?? B0_EHLO : DEFAULT_REPLIES[verb]) ?? '502 5.5.2 Error: command not recognized\r\n';
        if (verb === 'DATA' && reply.startsWith('354')) inData = true;
        answer(verb, reply);
      }
    });
  }
}
