import { parseAddress, parsePort } from '@openltm/model';

/**
 * Where a monitor probes a member: the monitor's `destination` with `*` parts taken from the
 * member (`*:*` = the member itself, `*:2525` = the member's address on port 2525). IPv6
 * destinations separate the port with a dot, as BIG-IP writes them.
 */
export function probeDestination(destination: string, address: string, port: number): { address: string; port: number } {
  if (!destination || destination === '*:*' || destination === '*.*') return { address, port };
  const m = /^(.*)[:.]([^:.]+)$/.exec(destination);
  if (!m) return { address, port };
  const addrPart = m[1];
  const portPart = m[2];
  const addr = addrPart === '*' ? address : (parseAddress(addrPart)?.address ?? address);
  const p = portPart === '*' ? port : (parsePort(portPart) ?? port);
  return { address: addr, port: p };
}
