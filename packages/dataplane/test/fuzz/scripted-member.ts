/**
 * The fuzzer's pool member: reads command lines the way Postfix's smtpd does (leading SP/HTAB
 * skipped, the verb ends at the first SP or HTAB, any case) and tags every reply with a global
 * sequence number and the verb it acted on (`250 2.0.0 #17 NOOP`), so the client side can tell
 * which line a reply answers and whether replies stayed in order. Every line is recorded.
 */
import * as net from 'node:net';

/** Postfix's reading of a command line's verb (smtpd_token.c: SP and HTAB separate words). */
export function memberVerb(line: string): string {
  const words = line.replace(/\r?\n$/, '').split(/[ \t]+/).filter((w) => w !== '');
  return words.length ? words[0].toUpperCase() : 'EMPTY';
}

const KNOWN = new Set(['HELO', 'MAIL', 'RCPT', 'RSET', 'NOOP', 'VRFY', 'HELP', 'ETRN', 'EXPN']);

export class ScriptedMember {
  /** Every command line (and AUTH continuation) received, across connections, in arrival order. */
  readonly lines: string[] = [];
  private seq = 0;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  get port(): number {
    return (this.server!.address() as net.AddressInfo).port;
  }

  async start(): Promise<this> {
    this.server = net.createServer((s) => this.serve(s));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private serve(sock: net.Socket): void {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => undefined);
    sock.write('220 member.test ESMTP fuzz\r\n');
    let pending = '';
    let mode: 'command' | 'data' | 'auth' = 'command';
    sock.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      let out = '';
      for (;;) {
        if (mode === 'data') {
          const end = pending.startsWith('.\r\n') ? 0 : pending.indexOf('\r\n.\r\n');
          if (end < 0) break;
          pending = pending.slice(end === 0 ? 3 : end + 5);
          mode = 'command';
          out += `250 2.0.0 #${++this.seq} . queued\r\n`;
          continue;
        }
        const lf = pending.indexOf('\n');
        if (lf < 0) break;
        const line = pending.slice(0, lf + 1);
        pending = pending.slice(lf + 1);
        this.lines.push(line);
        const n = ++this.seq;
        if (mode === 'auth') {
          mode = 'command';
          out += `235 2.7.0 #${n} AUTH-CONT\r\n`;
          continue;
        }
        const verb = memberVerb(line);
        if (verb === 'EHLO') out += `250-member.test #${n} EHLO\r\n250-PIPELINING\r\n250-AUTH PLAIN\r\n250-STARTTLS\r\n250-CHUNKING\r\n250 8BITMIME\r\n`;
        else if (verb === 'DATA') {
          out += `354 #${n} DATA go ahead\r\n`;
          mode = 'data';
        } else if (verb === 'AUTH') {
          out += `334 #${n} AUTH\r\n`;
          mode = 'auth';
        } else if (verb === 'QUIT') {
          sock.end(out + `221 2.0.0 #${n} QUIT\r\n`);
          return;
        } else out += KNOWN.has(verb) ? `250 2.0.0 #${n} ${verb}\r\n` : `502 5.5.2 #${n} ${verb}\r\n`;
      }
      if (out) sock.write(out);
    });
  }
}
