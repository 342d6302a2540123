import { format } from 'node:util';
import nodemailer from 'nodemailer';
import { ClientMode, DEFAULT_FROM, MessageOptions, recipients } from './client-mode';

export interface NodemailerOptions extends MessageOptions {
  port: number;
  host?: string;
  mode?: ClientMode;
  timeoutMs?: number;
}

export interface NodemailerResult {
  /** True when the server accepted the message. */
  ok: boolean;
  /** The server's final reply (`250 2.0.0 Ok: queued as ...`) or the error's message. */
  response: string;
  /** The SMTP reply code of the failure (nodemailer's `responseCode`), when there was one. */
  responseCode?: number;
  /** The conversation, from nodemailer's debug log (`C:` client, `S:` server lines). */
  transcript: string;
}

/**
 * Sends one message with nodemailer, in-process. `starttls` sets `requireTLS` (fail rather than
 * send in clear), `plain` sets `ignoreTLS` (never upgrade even when offered), `tls` sets `secure`.
 * Certificates are not verified. Never throws for an SMTP failure: the result says what happened.
 */
export async function nodemailerSend(options: NodemailerOptions): Promise<NodemailerResult> {
  const mode = options.mode ?? 'plain';
  const lines: string[] = [];
  const log = (...params: unknown[]): void => {
    // nodemailer calls logger(meta, format, ...args); meta.tnx says who spoke.
    const [meta, msg, ...rest] = params as [{ tnx?: string } | undefined, unknown, ...unknown[]];
    const who = meta?.tnx === 'server' ? 'S: ' : meta?.tnx === 'client' ? 'C: ' : '';
    for (const line of format(String(msg), ...rest).split('\n')) lines.push(who + line);
  };
  const logger = { level: () => undefined, trace: log, debug: log, info: log, warn: log, error: log, fatal: log };
  const timeout = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    host: options.host ?? '127.0.0.1',
    port: options.port,
    secure: mode === 'tls',
    requireTLS: mode === 'starttls',
    ignoreTLS: mode === 'plain',
    name: 'client.test',
    tls: { rejectUnauthorized: false },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    logger,
    debug: true,
  });
  try {
    const info = await transport.sendMail({
      from: options.from ?? DEFAULT_FROM,
      to: recipients(options.to),
      subject: options.subject ?? 'nodemailer test',
      text: options.body ?? 'Sent by nodemailer.',
    });
    return { ok: true, response: info.response, transcript: lines.join('\n') };
  } catch (e) {
    const err = e as Error & { responseCode?: number; response?: string };
    return { ok: false, response: err.response ?? err.message, responseCode: err.responseCode, transcript: lines.join('\n') };
  } finally {
    transport.close();
  }
}
