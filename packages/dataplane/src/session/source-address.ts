/**
 * Source address translation (a virtual's `source-address-translation`): the local address a
 * member connection is bound to before it connects, so the member sees that address.
 * - automap: the address the client reached (the proxy's own address on that path, like a BIG-IP
 *   self IP); towards a member of the other IP family the host picks, as there is no such address.
 * - snat: the SNAT pool's addresses in turn (round-robin per virtual), of the member's family; a
 *   pool with none of that family cannot reach the member, which is then not used.
 */
import * as net from 'node:net';
import type { VirtualSpec } from '../desired-state';

/** `undefined`: let the host choose; `null`: no usable source address for this member. */
export type SourceChooser = (memberAddress: string, clientReached: string | undefined) => string | undefined | null;

const unmapped = (a: string) => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a)?.[1] ?? a;

export function sourceChooser(snat: VirtualSpec['snat']): SourceChooser | undefined {
  if (!snat) return undefined;
  if (snat.type === 'automap') {
    return (member, reached) => {
      const local = reached ? unmapped(reached) : undefined;
      return local && net.isIP(local) === net.isIP(member) ? local : undefined;
    };
  }
  let next = 0;
  const addresses = snat.addresses;
  return (member) => {
    const family = net.isIP(member);
    for (let i = 0; i < addresses.length; i++) {
      const a = addresses[(next + i) % addresses.length]!;
      if (net.isIP(a) === family) {
        next = (next + i + 1) % addresses.length;
        return a;
      }
    }
    return null;
  };
}
