import { ClientMode, ClientResult, DEFAULT_FROM, MessageOptions, recipients } from './client-mode';
import { runProcess } from './run-process';

export interface SwaksOptions extends MessageOptions {
  port: number;
  host?: string;
  mode?: ClientMode;
  /** Extra swaks arguments (`--quit-after`, `--pipeline`, `--data`, ...). */
  args?: readonly string[];
  timeoutMs?: number;
}

/**
 * Sends one message with swaks. `--tls` makes swaks insist on STARTTLS (it fails if the server
 * does not offer it or the handshake fails); `--tls-on-connect` is implicit TLS. The certificate is
 * not verified (test certificates are self-signed). Exit 0 means the message was accepted.
 * The transcript is swaks' stdout: `->` lines are what it sent, `<-` what it got (`~>`/`<~` inside TLS).
 */
export async function swaks(options: SwaksOptions): Promise<ClientResult> {
  const mode = options.mode ?? 'plain';
  const args = [
    '--server', `${options.host ?? '127.0.0.1'}:${options.port}`,
    '--from', options.from ?? DEFAULT_FROM,
    '--to', recipients(options.to).join(','),
    '--helo', 'client.test',
    '--timeout', '10',
    '--hide-informational',
  ];
  if (mode === 'starttls') args.push('--tls');
  if (mode === 'tls') args.push('--tls-on-connect');
  if (options.body !== undefined) args.push('--body', options.body);
  if (options.subject !== undefined) args.push('--header', `Subject: ${options.subject}`);
  args.push(...(options.args ?? []));
  const r = await runProcess('swaks', args, { timeoutMs: options.timeoutMs ?? 20_000 });
  return { code: r.code, transcript: r.stdout, stderr: r.stderr, timedOut: r.timedOut };
}
