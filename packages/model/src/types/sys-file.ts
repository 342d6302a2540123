import { enforced, metadata, t } from '../value-types';
import type { ObjectTypeDef } from '../object-type';

export const sysFileSslCert: ObjectTypeDef = {
  key: 'sys file ssl-cert',
  kindName: 'Certificate',
  help: 'An X.509 certificate (PEM) imported into the store.',
  properties: {
    'source-path': { type: { kind: 'source-path' }, help: 'Where to import the PEM from: file:/path', required: true, effect: metadata },
    description: { type: t.string(), help: 'User-defined description', effect: metadata },
    'subject': { type: t.string(), help: 'Certificate subject', readOnly: true, effect: metadata },
    'expiration-string': { type: t.string(), help: 'Certificate expiry', readOnly: true, effect: metadata },
    fingerprint: { type: t.string(), help: 'SHA-256 fingerprint', readOnly: true, effect: metadata },
  },
};

export const sysFileSslCrl: ObjectTypeDef = {
  key: 'sys file ssl-crl',
  kindName: 'CRL',
  help: 'A certificate revocation list (PEM) imported into the store, for a client-ssl crl-file.',
  properties: {
    'source-path': { type: { kind: 'source-path' }, help: 'Where to import the PEM from: file:/path', required: true, effect: metadata },
    description: { type: t.string(), help: 'User-defined description', effect: metadata },
  },
};

export const sysFileSslKey: ObjectTypeDef = {
  key: 'sys file ssl-key',
  kindName: 'Key',
  help: 'A private key (PEM) imported into the store; its material is never listed.',
  sensitive: true,
  properties: {
    'source-path': { type: { kind: 'source-path' }, help: 'Where to import the PEM from: file:/path', required: true, effect: metadata },
    // Opens the key on import (a wrong one is refused) and serves it wherever a profile gives none.
    passphrase: { type: t.string(), help: 'Passphrase of an encrypted key', secret: true, effect: enforced('test/e2e-settings.test.ts') },
    description: { type: t.string(), help: 'User-defined description', effect: metadata },
    'key-type': { type: t.string(), help: 'Key algorithm', readOnly: true, effect: metadata },
    'key-size': { type: t.string(), help: 'Key size in bits', readOnly: true, effect: metadata },
  },
};
