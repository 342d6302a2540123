import { ClientResult } from './client-mode';
import { runProcess } from './run-process';

export interface OpensslClientOptions {
  port: number;
  host?: string;
  /** `starttls`: `-starttls smtp` (openssl sends EHLO, STARTTLS itself); `tls`: implicit TLS. */
  mode: 'starttls' | 'tls';
  /** SMTP lines sent once TLS is up, each ending in CRLF; QUIT is appended if missing. */
  commands?: readonly string[];
  /** SNI name sent (default `localhost`); null sends none (`-noservername`). */
  servername?: string | null;
  /** Extra s_client arguments (`-tls1_2`, `-cipher ...`, `-cert ...`). */
  args?: readonly string[];
  timeoutMs?: number;
}

export interface OpensslClientResult extends ClientResult {
  /** `TLSv1.3`, from `-brief`, when the handshake succeeded. */
  protocol?: string;
  /** The cipher suite name, when the handshake succeeded. */
  cipher?: string;
  /** The peer certificate's subject line, when the handshake succeeded. */
  peerSubject?: string;
}

/**
 * Runs `openssl s_client -brief` against a server and sends `commands` inside TLS.
 * `-ign_eof` keeps the session open after stdin ends, so the server's replies are read until it
 * closes (our QUIT makes it close). The input already has CRLF, so no `-crlf` (it would double CR).
 */
export async function opensslClient(options: OpensslClientOptions): Promise<OpensslClientResult> {
  const commands = [...(options.commands ?? [])];
  if (!commands.some((c) => /^QUIT\b/i.test(c))) commands.push('QUIT');
  const sni = options.servername === null ? ['-noservername'] : ['-servername', options.servername ?? 'localhost'];
  const args = ['s_client', '-brief', '-ign_eof', '-connect', `${options.host ?? '127.0.0.1'}:${options.port}`, ...sni];
  if (options.mode === 'starttls') args.push('-starttls', 'smtp');
  args.push(...(options.args ?? []));
  const r = await runProcess('openssl', args, {
    input: commands.map((c) => `${c}\r\n`).join(''),
    timeoutMs: options.timeoutMs ?? 15_000,
  });
  const field = (name: string): string | undefined => new RegExp(`^${name}: (.+)$`, 'm').exec(r.stderr)?.[1]?.trim();
  return {
    code: r.code,
    transcript: r.stdout,
    stderr: r.stderr,
    timedOut: r.timedOut,
    protocol: field('Protocol version'),
    cipher: field('Ciphersuite'),
    peerSubject: field('Peer certificate'),
  };
}
