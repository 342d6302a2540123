import { enforced, metadata, storedOnly, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';
import type { PropertyTable } from '../value-types';

/** Entries of `cert-key-chain { NAME { cert .. key .. chain .. passphrase .. } }`. */
export const certKeyChainEntry: PropertyTable = {
  cert: { type: t.ref('sys file ssl-cert', false), help: 'Certificate file object', required: true, effect: enforced('test/e2e-settings.test.ts') },
  key: { type: t.ref('sys file ssl-key', false), help: 'Key file object matching the certificate', required: true, effect: enforced('test/e2e-settings.test.ts') },
  chain: { type: t.ref('sys file ssl-cert'), default: 'none', help: 'Intermediate CA bundle sent after the certificate', effect: enforced('test/e2e-settings.test.ts') },
  passphrase: { type: t.string(), default: 'none', help: 'Passphrase of an encrypted key', secret: true, effect: enforced('test/e2e-settings.test.ts') },
};

const SNI_TEST = 'test/e2e-sni.test.ts';
const CLIENT_CERT_TEST = 'test/e2e-client-cert.test.ts';
const TLS_SESSION_TEST = 'test/e2e-tls-session.test.ts';
const SERVER_SSL_TEST = 'test/e2e-server-ssl.test.ts';

/**
 * Settings OpenSSL fixes before it reads the client's SNI name: every client-ssl profile on one
 * virtual must agree with the SNI default profile on them (the data plane applies the default's).
 * The client-certificate trust settings are among them because a resumed session skips the name
 * choice: a certificate verified under one profile must not be resumed under another's trust.
 */
export const SNI_SHARED_SETTINGS = [
  'ciphers', 'options', 'peer-cert-mode', 'ca-file', 'crl-file', 'authenticate-depth', 'handshake-timeout',
  'cache-size', 'cache-timeout', 'session-ticket',
] as const;

/** Secure defaults: our choice, stricter than BIG-IP 14's (no TLS 1.0/1.1, no weak ciphers). */
const SECURE_CIPHERS = 'ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:!aNULL:!eNULL:!MD5:!RC4:!3DES:!DES:!EXPORT:!SHA1';

const sslOptions = t.list(
  t.enumOf(
    'dont-insert-empty-fragments', 'no-ssl', 'no-sslv3', 'no-tlsv1', 'no-tlsv1.1', 'no-tlsv1.2', 'no-tlsv1.3',
    'no-dtls', 'single-dh-use', 'cipher-server-preference', 'no-session-resumption-on-renegotiation', 'none',
  ),
);

/** Settings OpenSSL (and openltm's refusal of renegotiation) decides; kept for BIG-IP import fidelity. */
const SSL_STORED_ONLY: PropertyTable = {
  'strict-resume': { type: t.onOff(), default: 'disabled', help: 'Refuse to resume a session that ended without close_notify (stored only)', effect: storedOnly },
  'renegotiate-period': { type: t.int(0, 4294967295, ['indefinite']), default: 'indefinite', help: 'Seconds between renegotiations (stored only: openltm never renegotiates)', effect: storedOnly },
  'renegotiate-size': { type: t.int(0, 4294967295, ['indefinite']), default: 'indefinite', help: 'Megabytes between renegotiations (stored only: openltm never renegotiates)', effect: storedOnly },
  'renegotiate-max-record-delay': { type: t.int(0, 4294967295, ['indefinite']), default: 'indefinite', help: 'Records to wait for a renegotiation (stored only)', effect: storedOnly },
  'maximum-record-size': { type: t.int(256, 16384), default: '16384', help: 'Largest TLS record sent (stored only: OpenSSL sizes records)', effect: storedOnly },
  'mod-ssl-methods': { type: t.onOff(), default: 'disabled', help: 'mod_ssl method names in cipher strings (stored only)', effect: storedOnly },
  'generic-alert': { type: t.onOff(), default: 'enabled', help: 'Send a generic alert instead of the specific one (stored only)', effect: storedOnly },
  'ssl-sign-hash': { type: t.enumOf('any', 'sha1', 'sha256', 'sha384'), default: 'any', help: 'Hash for the handshake signature (stored only: OpenSSL negotiates it)', effect: storedOnly },
};

export const ltmProfileClientSsl: ObjectTypeDef = {
  key: 'ltm profile client-ssl',
  kindName: 'ClientSSL Profile',
  help: 'TLS termination towards clients: certificate chain, key, ciphers and protocol options.',
  inheritable: true,
  sensitive: true,
  profile: { context: 'clientside' },
  builtins: [
    {
      name: '/Common/clientssl',
      properties: {
        'cert-key-chain': '{ default { cert /Common/default.crt key /Common/default.key chain none passphrase none } }',
        ciphers: SECURE_CIPHERS,
        options: '{ dont-insert-empty-fragments no-ssl no-sslv3 no-tlsv1 no-tlsv1.1 cipher-server-preference }',
      },
    },
  ],
  properties: {
    'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', alwaysList: true, notInherited: true, effect: metadata },
    description: { type: t.string(), help: 'User-defined description', notInherited: true, effect: metadata },
    'cert-key-chain': {
      type: { kind: 'collection', key: { kind: 'name' }, entry: certKeyChainEntry },
      help: 'Certificate, key, chain and passphrase sets offered to clients',
      effect: enforced(SNI_TEST),
    },
    ciphers: { type: t.string(), default: SECURE_CIPHERS, help: 'OpenSSL cipher string', effect: enforced('test/e2e-settings.test.ts') },
    options: { type: sslOptions, default: '{ dont-insert-empty-fragments no-ssl no-sslv3 no-tlsv1 no-tlsv1.1 cipher-server-preference }', help: 'Protocol options (no-tlsv1, no-tlsv1.1, ...)', effect: enforced('test/e2e-settings.test.ts') },
    'handshake-timeout': { type: t.int(0, 4294967295, ['indefinite']), default: '10', help: 'Seconds allowed for the TLS handshake', effect: enforced('test/e2e-settings.test.ts') },
    // node's TLS socket has no hook between "alert sent" and "reset": closes use the session's own timers.
    'alert-timeout': { type: t.int(0, 4294967295, ['indefinite']), default: 'indefinite', help: 'Seconds to wait for close_notify after an alert (stored only: not applied)', effect: storedOnly },
    'ca-file': { type: t.ref('sys file ssl-cert'), default: 'none', help: 'CA bundle used to verify client certificates', effect: enforced(CLIENT_CERT_TEST) },
    'crl-file': { type: t.ref('sys file ssl-crl'), default: 'none', help: 'Revocation list checked against client certificates', effect: enforced(CLIENT_CERT_TEST) },
    'peer-cert-mode': { type: t.enumOf('ignore', 'request', 'require', 'auto'), default: 'ignore', help: 'Whether to ask clients for a certificate (auto = ignore)', effect: enforced(CLIENT_CERT_TEST) },
    'authenticate-depth': { type: t.int(0, 255), default: '9', help: 'Most intermediate CAs allowed in a client certificate chain', effect: enforced(CLIENT_CERT_TEST) },
    renegotiation: { type: t.onOff(), default: 'disabled', help: 'Allow TLS renegotiation (only disabled is accepted)', effect: enforced(TLS_SESSION_TEST) },
    'secure-renegotiation': { type: t.enumOf('require', 'require-strict', 'request'), default: 'require', help: 'Secure renegotiation (RFC 5746) mode', effect: storedOnly },
    'server-name': { type: t.string(), default: 'none', help: 'SNI host name this profile serves (*.domain matches one label)', effect: enforced(SNI_TEST) },
    'sni-default': { type: t.enumOf('true', 'false'), default: 'false', help: 'The profile used when no SNI name matches', effect: enforced(SNI_TEST) },
    'sni-require': { type: t.enumOf('true', 'false'), default: 'false', help: 'On the SNI default profile: refuse clients that send no matching name', effect: enforced(SNI_TEST) },
    'cache-size': { type: t.int(0, 4194304), default: '262144', help: 'TLS 1.2 session-ID cache entries, per worker (0 = no cache; TLS 1.3 resumes only with session-ticket)', effect: enforced(TLS_SESSION_TEST) },
    'cache-timeout': { type: t.int(0, 86400), default: '3600', help: 'Seconds a TLS session or ticket stays resumable', effect: enforced(TLS_SESSION_TEST) },
    'session-ticket': { type: t.onOff(), default: 'disabled', help: 'Resume with session tickets (keys shared by all workers, rotated by the daemon)', effect: enforced(TLS_SESSION_TEST) },
    // Orderly closes always send close_notify; a peer's missing close_notify is always tolerated (SMTP ends with QUIT).
    'unclean-shutdown': { type: t.onOff(), default: 'enabled', help: 'Allow close without close_notify (stored only: not applied)', effect: storedOnly },
    'inherit-certkeychain': { type: t.enumOf('true', 'false'), default: 'true', help: 'The cert-key-chain follows the parent profile', effect: storedOnly },
    'inherit-ca-certkeychain': { type: t.enumOf('true', 'false'), default: 'true', help: 'The CA certificate chain follows the parent profile', effect: storedOnly },
    ...SSL_STORED_ONLY,
    'allow-dynamic-record-sizing': { type: t.onOff(), default: 'disabled', help: 'Grow TLS records with the connection (stored only: OpenSSL sizes records)', effect: storedOnly },
    'cert-extension-includes': {
      type: t.list(t.enumOf('authority-key-identifier', 'basic-constraints', 'certificate-policies', 'extended-key-usage', 'key-usage', 'subject-alternative-name', 'subject-key-identifier')),
      default: '{ basic-constraints subject-alternative-name }',
      help: 'Extensions copied into forged certificates (stored only: openltm forges none)',
      effect: storedOnly,
    },
    'peer-no-renegotiate-timeout': { type: t.int(0, 4294967295), default: '10', help: 'Seconds to wait for a renegotiation the peer refuses (stored only: renegotiation is refused)', effect: storedOnly },
    'max-renegotiations-per-minute': { type: t.int(0, 4294967295), default: '5', help: 'Renegotiations allowed per minute (stored only: renegotiation is refused)', effect: storedOnly },
    'session-mirroring': { type: t.onOff(), default: 'disabled', help: 'Mirror TLS sessions to the peer (stored only)', effect: storedOnly },
  },
};



export const ltmProfileServerSsl: ObjectTypeDef = {
  key: 'ltm profile server-ssl',
  kindName: 'ServerSSL Profile',
  help: 'TLS towards pool members: STARTTLS to members that offer it (never plaintext), TLS from the first byte to members on port 465.',
  inheritable: true,
  sensitive: true,
  profile: { context: 'serverside' },
  builtins: [{ name: '/Common/serverssl', properties: {} }],
  properties: {
    'app-service': { type: t.string(), default: 'none', help: 'Application service this object belongs to', alwaysList: true, notInherited: true, effect: metadata },
    description: { type: t.string(), help: 'User-defined description', notInherited: true, effect: metadata },
    cert: { type: t.ref('sys file ssl-cert'), default: 'none', help: 'Client certificate presented to members', effect: enforced(SERVER_SSL_TEST) },
    key: { type: t.ref('sys file ssl-key'), default: 'none', help: 'Key of the client certificate', effect: enforced(SERVER_SSL_TEST) },
    chain: { type: t.ref('sys file ssl-cert'), default: 'none', help: 'Chain sent with the certificate', effect: enforced(SERVER_SSL_TEST) },
    ciphers: { type: t.string(), default: 'DEFAULT', help: 'OpenSSL cipher string offered to members', effect: enforced(SERVER_SSL_TEST) },
    options: { type: sslOptions, default: '{ dont-insert-empty-fragments no-tlsv1.3 }', help: 'Protocol options (the default keeps members on TLS 1.2, as BIG-IP)', effect: enforced(SERVER_SSL_TEST) },
    'server-name': { type: t.string(), default: 'none', help: 'SNI name sent to the member; verified against its certificate under peer-cert-mode require', effect: enforced(SERVER_SSL_TEST, 'packages/dataplane/test/session/member-tls.test.ts') },
    'peer-cert-mode': { type: t.enumOf('ignore', 'require'), default: 'ignore', help: 'Verify the member certificate against ca-file', effect: enforced(SERVER_SSL_TEST) },
    'ca-file': { type: t.ref('sys file ssl-cert'), default: 'none', help: 'CA bundle member certificates must chain to', effect: enforced(SERVER_SSL_TEST) },
    'secure-renegotiation': { type: t.enumOf('require', 'require-strict', 'request'), default: 'require-strict', help: 'Secure renegotiation mode', effect: storedOnly },
    'handshake-timeout': { type: t.int(0, 4294967295, ['indefinite']), default: '10', help: 'Seconds allowed for the STARTTLS bridge and TLS handshake with a member', effect: enforced('packages/dataplane/test/session/member-tls.test.ts') },
    ...SSL_STORED_ONLY,
  },
};
