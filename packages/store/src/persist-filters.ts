/**
 * BIG-IP's persistence record filters as typed (`client-addr 10.0.0.5 pool p1`), checked and
 * resolved once for `show` and `delete ltm persistence persist-records`: names to full paths
 * from the session's folder, addresses to the text the data plane reports.
 */
import * as net from 'node:net';
import { errors, type PersistRecordFilters, type SourcePosition } from '@openltm/model';
import { fullPath } from './names';

/** The record modes tmsh names; openltm makes only source-address records. */
const MODES = ['cookie', 'destination-address', 'hash', 'host', 'msrdp', 'sip', 'source-address', 'ssl-session-id', 'universal'];

function address(option: string, value: string, pos?: SourcePosition): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(value)?.[1];
  const text = v4 ?? value;
  const family = net.isIP(text);
  if (family === 0) throw errors.syntax(`"${value}" is not a valid IP address for ${option}`, pos);
  return family === 6 ? new net.SocketAddress({ address: text, family: 'ipv6' }).address : text;
}

/** The filters among a command's options (others, such as `all-properties`, are left to the caller). */
export function resolvePersistFilters(options: Readonly<Record<string, unknown>>, folder: string, pos?: SourcePosition): PersistRecordFilters {
  const f: PersistRecordFilters = {};
  const value = (k: string) => (typeof options[k] === 'string' ? (options[k] as string) : undefined);
  const client = value('client-addr');
  if (client !== undefined) f['client-addr'] = address('client-addr', client, pos);
  const node = value('node-addr');
  if (node !== undefined) f['node-addr'] = address('node-addr', node, pos);
  const port = value('node-port');
  if (port !== undefined) {
    if (!/^\d+$/.test(port) || Number(port) > 65535) throw errors.syntax(`"${port}" is not a valid port for node-port (0..65535)`, pos);
    f['node-port'] = String(Number(port));
  }
  const pool = value('pool');
  if (pool !== undefined) f.pool = fullPath(pool, folder);
  const virtual = value('virtual');
  if (virtual !== undefined) f.virtual = fullPath(virtual, folder);
  const mode = value('mode');
  if (mode !== undefined) {
    if (!MODES.includes(mode)) throw errors.syntax(`"${mode}" is not a persistence mode (expected ${MODES.join(', ')})`, pos);
    f.mode = mode;
  }
  return f;
}
