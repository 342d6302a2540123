import { createServer, Server, Socket } from 'node:net';
import pino from 'pino';
import type { Logger } from 'pino';

/** A tiny SMTP server on 127.0.0.1 for monitor and pool tests: greets, answers HELO/EHLO/QUIT. */
export class TestBackend {
  server?: Server;
  port = 0;
  greeting = '220 backend.test ESMTP';
  /** When set, the backend accepts and stays silent. */
  silent = false;
  /** Milliseconds the backend waits before greeting (a slow application). */
  greetDelayMs = 0;
  readonly sockets = new Set<Socket>();
  connections = 0;

  async start(port = this.port): Promise<void> {
    this.connections = 0;
    const server = createServer((s) => this.handle(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(s: Socket): void {
    this.connections++;
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => undefined);
    if (this.silent) return;
    const greeting = `${this.greeting}\r\n`;
    if (this.greetDelayMs > 0) setTimeout(() => s.writable && s.write(greeting), this.greetDelayMs);
    else s.write(greeting);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'QUIT') {
          s.end('221 2.0.0 Bye\r\n');
          return;
        }
        s.write(verb === 'HELO' || verb === 'EHLO' ? '250 backend.test\r\n' : '250 2.0.0 OK\r\n');
      }
    });
  }
}

/** A pino logger whose lines land in `lines` (parsed). */
export function captureLogger(level = 'info'): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { logger, lines };
}

/** Polls `fn` until it returns true or `ms` pass; returns the elapsed time. */
export async function waitFor(fn: () => boolean, ms: number, what = 'condition'): Promise<number> {
  const start = Date.now();
  while (!fn()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}
