/** A test SMTP client over a real socket: raw writes, whole-reply reads, STARTTLS with a real handshake. */
import * as net from 'node:net';
import * as tls from 'node:tls';

export class TestClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;
  /** Every byte received, plaintext and TLS, in order. */
  all = Buffer.alloc(0);

  private constructor(public socket: net.Socket | tls.TLSSocket, readonly raw: net.Socket) {
    this.attach(socket);
    raw.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** `localAddress` picks the client's loopback address (127.0.0.2 is another source). */
  static connect(port: number, opts: { host?: string; localAddress?: string; allowHalfOpen?: boolean } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port, ...opts }, () => resolve(new TestClient(s, s)));
      s.once('error', reject);
    });
  }

  /** Implicit TLS from the first byte. */
  static connectTls(port: number, ca: string, opts: tls.ConnectionOptions = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const raw = net.connect({ host: '127.0.0.1', port }, () => {
        const s = tls.connect({ socket: raw, servername: 'proxy.test', ca, ...opts }, () => resolve(new TestClient(s, raw)));
        s.once('error', reject);
      });
      raw.once('error', reject);
    });
  }

  private attach(s: net.Socket | tls.TLSSocket): void {
    s.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.all = Buffer.concat([this.all, d]);
      this.wake();
    });
    s.on('error', () => undefined);
    s.on('end', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    this.waiters.splice(0).forEach((w) => w());
  }

  private wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** One complete reply (all lines of a multi-line reply). */
  async reply(timeoutMs = 3000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.buf.toString('latin1');
      let pos = 0;
      for (;;) {
        const lf = text.indexOf('\n', pos);
        if (lf < 0) break;
        const line = text.slice(pos, lf + 1);
        pos = lf + 1;
        if (line[3] !== '-') {
          this.buf = this.buf.subarray(Buffer.byteLength(text.slice(0, pos), 'latin1'));
          return text.slice(0, pos);
        }
      }
      if (this.closed) throw new Error(`connection closed; pending: ${JSON.stringify(text)}`);
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.wait(left))) throw new Error(`no reply within ${timeoutMs} ms; pending: ${JSON.stringify(text)}`);
    }
  }

  async cmd(line: string, timeoutMs?: number): Promise<string> {
    this.send(line + '\r\n');
    return this.reply(timeoutMs);
  }

  /** Bytes not yet consumed as replies. */
  pending(): string {
    return this.buf.toString('latin1');
  }

  /** Resolves true if nothing arrives (and the connection stays open) for `ms`. */
  async silentFor(ms: number): Promise<boolean> {
    const before = this.all.length;
    await new Promise((r) => setTimeout(r, ms));
    return this.all.length === before;
  }

  /** Client side of STARTTLS after the 220 has been read. */
  startTls(ca: string, opts: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
      const plain = this.socket;
      plain.removeAllListeners('data');
      const s = tls.connect({ socket: plain as net.Socket, servername: 'proxy.test', ca, ...opts }, () => resolve(s));
      s.once('error', reject);
      this.socket = s;
      this.buf = Buffer.alloc(0);
      this.attach(s);
    });
  }

  /** The usual way into a TLS session: EHLO, STARTTLS (must get 220), handshake, EHLO again. */
  async upgrade(ca: string): Promise<tls.TLSSocket> {
    await this.cmd('EHLO c');
    const reply = await this.cmd('STARTTLS');
    if (!reply.startsWith('220 ')) throw new Error(`STARTTLS refused: ${reply.trim()}`);
    const s = await this.startTls(ca);
    await this.cmd('EHLO c');
    return s;
  }

  /** The peer's FIN (or the close) has arrived. */
  ended = false;

  async waitEnded(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.wait(left))) break;
    }
    return this.ended || this.closed;
  }

  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.wait(left))) return this.closed;
    }
    return true;
  }

  destroy(): void {
    this.socket.destroy();
    this.raw.destroy();
  }
}

/** Parse an EHLO reply: first line, upper-case keywords, and whether the framing is valid. */
export function parseEhlo(reply: string): { domainLine: string; keywords: string[]; lines: string[]; valid: boolean } {
  const lines = reply.split('\r\n').filter((l) => l !== '');
  const valid = lines.every((l, i) => l.slice(0, 3) === lines[0].slice(0, 3) && l[3] === (i === lines.length - 1 ? ' ' : '-'));
  return {
    domainLine: lines[0].slice(4),
    keywords: lines.slice(1).map((l) => l.slice(4).split(' ')[0].toUpperCase()),
    lines: lines.map((l) => l.slice(4)),
    valid,
  };
}
