/**
 * A client-ssl profile as an OpenSSL context. BIG-IP option words become Node's protocol range;
 * anything OpenSSL refuses (a key that does not load, a wrong passphrase, a cipher string that
 * matches nothing) becomes one ConfigError naming the profile, never the key material.
 */
import * as crypto from 'node:crypto';
import * as tls from 'node:tls';
import { ConfigError, ErrorCodes } from '@openltm/model';
import type { ClientSslSpec, ServerSslSpec } from '../desired-state';

const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
type Version = (typeof VERSIONS)[number];
const OPTION_VERSION: Record<string, Version> = {
  'no-tlsv1': 'TLSv1',
  'no-tlsv1.1': 'TLSv1.1',
  'no-tlsv1.2': 'TLSv1.2',
  'no-tlsv1.3': 'TLSv1.3',
};
const NO_VERSION_FLAG: Record<Version, number> = {
  TLSv1: crypto.constants.SSL_OP_NO_TLSv1,
  'TLSv1.1': crypto.constants.SSL_OP_NO_TLSv1_1,
  'TLSv1.2': crypto.constants.SSL_OP_NO_TLSv1_2,
  'TLSv1.3': crypto.constants.SSL_OP_NO_TLSv1_3,
};

export interface TlsProtocolRange {
  minVersion: Version;
  maxVersion: Version;
  /** SSL_OP_NO_* flags for versions disabled inside the range (a hole such as no-tlsv1.2 alone). */
  secureOptions: number;
}

/** The enabled protocol range from BIG-IP option words (no-ssl/no-sslv3: Node never speaks SSL). */
export function protocolRange(profile: string, options: string[]): TlsProtocolRange {
  const disabled = new Set(options.map((o) => OPTION_VERSION[o]).filter((v): v is Version => v !== undefined));
  const enabled = VERSIONS.filter((v) => !disabled.has(v));
  if (enabled.length === 0) {
    throw new ConfigError(ErrorCodes.CONFIG_ERROR, `Client SSL profile (${profile}) disables every TLS version in its options.`);
  }
  const minVersion = enabled[0];
  const maxVersion = enabled[enabled.length - 1];
  let secureOptions = 0;
  for (const v of VERSIONS.slice(VERSIONS.indexOf(minVersion), VERSIONS.indexOf(maxVersion) + 1)) {
    if (disabled.has(v)) secureOptions |= NO_VERSION_FLAG[v];
  }
  return { minVersion, maxVersion, secureOptions };
}

export interface ContextExtras {
  /** 48 bytes of session ticket keys shared by every worker (tickets are refused without them). */
  ticketKeys?: Buffer;
  /** Build the context without the certificate (sni-require: no matching name, no handshake). */
  withoutCertificate?: boolean;
}

/**
 * The profile as an OpenSSL context. `sessionIdContext` is derived from the profile name and its
 * client-certificate trust, so a session made on one worker is acceptable to another worker with
 * the same configuration, and a new CA, CRL, depth or mode ends resumption of sessions verified
 * under the old ones (a newly revoked certificate cannot ride an old session or ticket).
 */
export function buildSecureContext(spec: ClientSslSpec, extras: ContextExtras = {}): tls.SecureContext {
  if (spec.certKeyChain.length === 0) {
    throw new ConfigError(ErrorCodes.SSL_FILE, `Client SSL profile (${spec.name}) has no certificate and key.`);
  }
  const range = protocolRange(spec.name, spec.options);
  const tickets = spec.sessionTicket === true && extras.ticketKeys !== undefined && (spec.cacheTimeout ?? 3600) > 0;
  const withCert = !extras.withoutCertificate;
  try {
    return tls.createSecureContext({
      ...(withCert ? {
        cert: spec.certKeyChain.map((c) => c.cert),
        key: spec.certKeyChain.map((c) => ({ pem: c.key, passphrase: c.passphrase })),
      } : {}),
      ...(spec.caFile ? { ca: spec.caFile } : {}),
      ...(spec.crlFile ? { crl: spec.crlFile } : {}),
      ciphers: spec.ciphers || undefined,
      honorCipherOrder: spec.options.includes('cipher-server-preference'),
      minVersion: range.minVersion,
      maxVersion: range.maxVersion,
      sessionIdContext: sessionIdContext(spec),
      // 0 means "no resumption"; OpenSSL would read 0 as its own default.
      sessionTimeout: Math.max(1, spec.cacheTimeout ?? 3600),
      ...(tickets ? { ticketKeys: extras.ticketKeys } : {}),
      // Renegotiation is a resource-exhaustion lever and nothing here needs it (smtp-starttls.md §4.4).
      secureOptions: range.secureOptions | crypto.constants.SSL_OP_NO_RENEGOTIATION | (tickets ? 0 : crypto.constants.SSL_OP_NO_TICKET),
    });
  } catch (err) {
    throw new ConfigError(ErrorCodes.SSL_FILE, `Client SSL profile (${spec.name}) cannot be loaded: ${explain(err)}.`);
  }
}

function sessionIdContext(spec: ClientSslSpec): string {
  const trust = [spec.name, spec.peerCertMode ?? 'ignore', spec.caFile ?? '', spec.crlFile ?? '', String(spec.authenticateDepth ?? 9)];
  return crypto.createHash('sha256').update(trust.join('\0')).digest('hex').slice(0, 32);
}

/** The server-ssl profile as the client-side context of member connections. */
export function buildMemberContext(spec: ServerSslSpec): tls.SecureContext {
  const range = protocolRange(spec.name, spec.options);
  if (spec.peerCertMode === 'require' && !spec.caFile) {
    throw new ConfigError(ErrorCodes.CONFIG_ERROR, `Server SSL profile (${spec.name}) has peer-cert-mode require without a ca-file: there is no CA to verify members against.`);
  }
  try {
    return tls.createSecureContext({
      ...(spec.certKey ? { cert: spec.certKey.cert, key: [{ pem: spec.certKey.key, passphrase: spec.certKey.passphrase }] } : {}),
      ...(spec.caFile ? { ca: spec.caFile } : {}),
      ciphers: spec.ciphers || undefined,
      minVersion: range.minVersion,
      maxVersion: range.maxVersion,
      secureOptions: range.secureOptions | crypto.constants.SSL_OP_NO_RENEGOTIATION,
    });
  } catch (err) {
    throw new ConfigError(ErrorCodes.SSL_FILE, `Server SSL profile (${spec.name}) cannot be loaded: ${explain(err)}.`);
  }
}

/** OpenSSL's reason, in words an administrator can act on. */
function explain(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/no cipher match/i.test(msg)) return 'the cipher string matches no cipher OpenSSL supports';
  if (/bad decrypt|bad password|passphrase|interrupted or cancelled/i.test(msg)) return 'the key passphrase is wrong or missing';
  if (/crl/i.test(msg)) return `the CRL file is not valid PEM (${msg})`;
  if (/key values mismatch/i.test(msg)) return 'the key does not match the certificate';
  if (/no start line|PEM|DECODER|unsupported/i.test(msg)) return `a certificate or key is not valid PEM (${msg})`;
  return msg;
}
