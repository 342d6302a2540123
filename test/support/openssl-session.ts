/**
 * `openssl s_client -starttls smtp` driven turn by turn: each command is written only after the
 * reply to the previous one arrived (the message content goes after the 354). The one-shot
 * opensslClient() writes all input at once, which pipelines past EHLO and DATA (RFC 2920 forbids
 * that); this one behaves like a well-mannered client. Certificates are not verified.
 */
import { spawn } from 'node:child_process';

export interface OpensslSessionResult {
  code: number | null;
  /** Server replies, as s_client printed them. */
  transcript: string;
  stderr: string;
  /** `TLSv1.3`, from `-brief`, when the handshake succeeded. */
  protocol?: string;
  /** The last complete reply's code for each turn, in order. */
  replyCodes: number[];
}

/** Each turn is one command line, or several lines (message content) sent together. */
export async function opensslSession(port: number, turns: readonly string[], timeoutMs = 15_000): Promise<OpensslSessionResult> {
  const child = spawn('openssl', ['s_client', '-brief', '-ign_eof', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-starttls', 'smtp'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let consumed = 0;
  let wake: (() => void) | undefined;
  child.stdout.on('data', (d: Buffer) => { out += d.toString('latin1'); wake?.(); });
  child.stderr.on('data', (d: Buffer) => (err += d.toString('latin1')));
  const exited = new Promise<number | null>((r) => child.once('close', (code) => { wake?.(); r(code); }));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const replyCodes: number[] = [];
  // A complete reply ends with a line "NNN text" (space, not dash) after `consumed`.
  const nextReply = async (): Promise<number | undefined> => {
    for (;;) {
      const m = /^(\d{3}) .*\r?\n/m.exec(out.slice(consumed));
      if (m) {
        consumed += m.index + m[0].length;
        return Number(m[1]);
      }
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      await new Promise<void>((r) => (wake = r));
    }
  };
  try {
    // s_client prints the post-STARTTLS state only on stderr; wait for the handshake line.
    while (!/CONNECTION ESTABLISHED/.test(err) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    for (const turn of turns) {
      if (child.exitCode !== null) break;
      child.stdin.write(`${turn}\r\n`);
      const code = await nextReply();
      if (code === undefined) break;
      replyCodes.push(code);
    }
    child.stdin.end();
    const code = await exited;
    const protocol = /^Protocol version: (.+)$/m.exec(err)?.[1]?.trim();
    return { code, transcript: out, stderr: err, protocol, replyCodes };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
