/**
 * `etcd://host1:2379,host2:2379[/prefix]` (plain) or `etcds://...` (TLS) names an etcd cluster as
 * the configuration store; anything else is a SQLite file path.
 */
import { ConfigError, ErrorCodes } from '@openltm/model';

export interface EtcdUrl {
  hosts: string[];
  /** Key prefix, with a trailing slash (`/openltm/` unless the URL gives a path). */
  prefix: string;
  tls: boolean;
}

export function isEtcdUrl(text: string): boolean {
  return /^etcds?:\/\//i.test(text);
}

export function parseEtcdUrl(text: string): EtcdUrl {
  const m = /^(etcds?):\/\/([^/]*)(\/.*)?$/i.exec(text.trim());
  const hosts = (m?.[2] ?? '').split(',').filter(Boolean);
  if (!m || hosts.length === 0 || !hosts.every((h) => /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(h))) {
    throw new ConfigError(ErrorCodes.INVALID_VALUE, `"${text}" is not an etcd store address: expected etcd://host:port[,host:port...][/prefix] (etcds:// for TLS).`);
  }
  const tls = m[1].toLowerCase() === 'etcds';
  const prefixPath = (m[3] ?? '/openltm').replace(/\/+$/, '');
  return { hosts: hosts.map((h) => `${tls ? 'https' : 'http'}://${h}`), prefix: `${prefixPath || ''}/`, tls };
}
