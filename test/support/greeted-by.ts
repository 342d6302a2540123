/**
 * Which member served a session, for pools of smtp-sinks that each greet with their own host name
 * (`startSmtpSink({ args: ['-h', 'm1.member.test'] })`): one session from `localAddress`, the
 * greeting's host name, then QUIT.
 */
import { connect } from 'node:net';
import { SmtpReplyReader } from './smtp-reply-reader';

export async function greetedBy(port: number, localAddress: string): Promise<string> {
  const s = connect({ host: '127.0.0.1', port, localAddress });
  s.on('error', () => undefined);
  try {
    const reader = new SmtpReplyReader(s);
    const greeting = await reader.next(15_000);
    if (greeting.code !== 220) throw new Error(`greeting from 127.0.0.1:${port}: expected 220, got ${greeting.lines.join(' / ')}`);
    s.write('QUIT\r\n');
    await reader.next(15_000);
    return /^220 (\S+)/.exec(greeting.lines[0]!)![1]!;
  } finally {
    s.destroy();
  }
}

/** `n` sessions in a row from `localAddress`: the host name that greeted each. */
export async function greetingsFrom(port: number, localAddress: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await greetedBy(port, localAddress));
  return out;
}
