/**
 * Optional encryption of key material on a shared store: `files/` values (PEMs and key
 * passphrases) are sealed with AES-256-GCM under a key every host holds in a file, so a reader
 * of etcd without that file sees ciphertext. The key file holds 32 random bytes, as 64 hex
 * digits or base64 (`openssl rand -hex 32 > /etc/openltm/secrets.key; chmod 600`).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, ErrorCodes } from '@openltm/model';

export interface SecretCipher {
  seal(plain: string): string;
  open(stored: string): string;
}

const TAG = 'openltm-aes-256-gcm:';

/** Reads a 32-byte key (hex or base64) from `file`; a bad file is a clear error. */
export function secretCipherFromFile(file: string): SecretCipher {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(ErrorCodes.FILE, `Cannot read the secrets key file ${file}: ${(err as Error).message}.`);
  }
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new ConfigError(ErrorCodes.INVALID_VALUE, `The secrets key file ${file} must hold 32 bytes (64 hex digits or base64), not ${key.length}.`);
  return secretCipher(key);
}

export function secretCipher(key: Buffer): SecretCipher {
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return `${TAG}${Buffer.concat([iv, c.getAuthTag(), data]).toString('base64')}`;
    },
    open(stored) {
      if (!stored.startsWith(TAG)) {
        throw new ConfigError(ErrorCodes.SSL_FILE, 'Key material in the store is not encrypted, but this host has a secrets key file: re-import it (or remove OPENLTM_SECRETS_KEY_FILE).');
      }
      const raw = Buffer.from(stored.slice(TAG.length), 'base64');
      try {
        const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        d.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
      } catch {
        throw new ConfigError(ErrorCodes.SSL_FILE, 'Key material in the store cannot be decrypted with this host\'s secrets key file: every host needs the same key.');
      }
    },
  };
}

/** True when a stored `files/` value is sealed. */
export function isSealed(stored: string): boolean {
  return stored.startsWith(TAG);
}
