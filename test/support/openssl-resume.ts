/**
 * One implicit-TLS connection with `openssl s_client`: waits for the greeting, then QUIT;
 * `save` writes the session (ID and ticket), `offer` offers one. s_client prints whether the
 * session was `New` or `Reused`.
 */
import { spawn } from 'node:child_process';

export interface Handshake {
  session?: 'New' | 'Reused';
  greeted: boolean;
  out: string;
}

export async function tlsConnect(port: number, opts: { save?: string; offer?: string; tls12?: boolean } = {}): Promise<Handshake> {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-ign_eof'];
  if (opts.tls12) args.push('-tls1_2');
  if (opts.save) args.push('-sess_out', opts.save);
  if (opts.offer) args.push('-sess_in', opts.offer);
  const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('latin1');
    if (/^220 /m.test(stdout) && child.stdin.writable) child.stdin.end('QUIT\r\n');
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
  await new Promise((r) => child.once('close', r));
  clearTimeout(timer);
  return { session: /^(New|Reused), /m.exec(stdout)?.[1] as Handshake['session'], greeted: /^220 /m.test(stdout), out: `${stdout}\n${stderr}` };
}
