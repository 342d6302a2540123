/**
 * Replies the proxy writes itself. Postfix-compatible wording with enhanced status codes
 * (smtp-starttls.md §5.0), so clients and operators see familiar text.
 */
export const Replies = {
  readyTls: '220 2.0.0 Ready to start TLS\r\n',
  starttlsSyntax: '501 5.5.4 Syntax: STARTTLS\r\n',
  tlsActive: '554 5.5.1 Error: TLS already active\r\n',
  notImplemented: '502 5.5.1 Error: command not implemented\r\n',
  tlsUnavailable: '454 4.7.0 TLS not available due to local problem\r\n',
  mustStarttls: '530 5.7.0 Must issue a STARTTLS command first\r\n',
  sendHelo: '503 5.5.1 Error: send HELO/EHLO first\r\n',
  lineTooLong: '500 5.5.2 Error: line too long\r\n',
  notRecognized: '500 5.5.2 Error: command not recognized\r\n',
  insufficientAuthorization: '550 5.7.0 Error: insufficient authorization\r\n',
  bdatSyntax: '521 5.5.4 Syntax: BDAT count [LAST]\r\n',
  bdatTooBig: '552 5.3.4 Error: message size exceeds fixed limit\r\n',
  encryptionRequired: '538 5.7.11 Encryption required for requested authentication mechanism\r\n',
  /** Postfix's words for an over-long AUTH response; the exchange is cancelled with the member. */
  authLineTooLong: '500 5.5.6 Authentication exchange line is too long\r\n',
  authLineBad: '501 5.5.4 Error: control characters not allowed in authentication exchange\r\n',
  earlyTalker: '554 5.5.1 Error: SMTP protocol violation, client sent data before the greeting\r\n',
  tlsBeforeStarttls: '554 5.5.1 Error: TLS handshake before STARTTLS\r\n',
} as const;

const byHost = new Map<string, HostReplies>();

/** Replies that name the proxy host, as RFC 5321's 421 template does (built once per name). */
export function hostReplies(host: string): HostReplies {
  let r = byHost.get(host);
  if (!r) byHost.set(host, (r = buildHostReplies(host)));
  return r;
}

const buildHostReplies = (host: string) => ({
  noBackend: `421 4.3.2 ${host} Service not available, closing transmission channel\r\n`,
  backendNoAnswer: `421 4.4.1 ${host} Error: no answer from backend\r\n`,
  backendLost: `421 4.4.2 ${host} Error: backend connection lost\r\n`,
  idle: `421 4.4.2 ${host} Error: timeout exceeded\r\n`,
  tooManyErrors: `421 4.7.0 ${host} Error: too many errors\r\n`,
  tooManyConnections: `421 4.7.0 ${host} Error: too many connections, try again later\r\n`,
  clientCertRefused: `421 4.7.1 ${host} Error: client certificate not accepted\r\n`,
  shuttingDown: `421 4.3.2 ${host} Service shutting down, closing transmission channel\r\n`,
  smuggling: `554 5.7.0 ${host} Error: bare <LF> or <CR> in end-of-data sequence, message rejected\r\n`,
});

export type HostReplies = Readonly<ReturnType<typeof buildHostReplies>>;
