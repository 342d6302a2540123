import { join } from 'node:path';
import { ClientMode, ClientResult, DEFAULT_FROM, MessageOptions, recipients } from './client-mode';
import { runProcess } from './run-process';

export interface SmtplibOptions extends MessageOptions {
  port: number;
  host?: string;
  mode?: ClientMode;
  timeoutMs?: number;
}

const SCRIPT = join(__dirname, 'smtplib_client.py');

/**
 * Sends one message with Python's smtplib (python3 test/support/smtplib_client.py). smtplib
 * prints the conversation to stderr at debug level 1, so here `transcript` is that stderr; a
 * failure's last line is `smtplib error: <Exception>: <reply>`.
 */
export async function smtplibSend(options: SmtplibOptions): Promise<ClientResult> {
  const args = [
    SCRIPT,
    '--host', options.host ?? '127.0.0.1',
    '--port', String(options.port),
    '--mode', options.mode ?? 'plain',
    '--from', options.from ?? DEFAULT_FROM,
    '--to', recipients(options.to).join(','),
  ];
  if (options.body !== undefined) args.push('--body', options.body);
  if (options.subject !== undefined) args.push('--subject', options.subject);
  const r = await runProcess('python3', args, { timeoutMs: options.timeoutMs ?? 20_000 });
  return { code: r.code, transcript: r.stderr, stderr: r.stderr, timedOut: r.timedOut };
}
