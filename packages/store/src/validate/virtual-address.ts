/**
 * Virtual servers and their virtual addresses, as BIG-IP ties them: the first virtual on an
 * address creates `ltm virtual-address /<Partition>/<address>` (with the virtual's mask), every
 * virtual on the address refers to it (so it cannot be deleted while in use), and the last
 * virtual to leave deletes it unless it has `auto-delete false`. An address is found by its
 * `address`, whatever its name, so a named virtual address serves the virtuals on its address.
 */
import { errors, formatAddress, parseDestination } from '@openltm/model';
import type { ObjectRecord, ObjectRepository } from '../object-repository';
import { checkNewName } from '../names';
import type { StoredProps } from '../stored-value';
import type { RuleContext } from './rules';

export const VIRTUAL_ADDRESS = 'ltm virtual-address';

/** The address a virtual address stands for: BIG-IP writes the wildcards 0.0.0.0 and :: as any and any6. */
export function addressKey(address: string): string {
  return address === 'any' ? '0.0.0.0' : address === 'any6' ? '::' : address;
}

/** The address part of a stored destination and the path BIG-IP gives its virtual address. */
export function destinationAddress(destination: unknown): { address: string; path: string } | undefined {
  if (typeof destination !== 'string') return undefined;
  const d = parseDestination(destination);
  if (!d) return undefined;
  const address = formatAddress(d);
  return { address, path: `/${d.partition ?? 'Common'}/${address}` };
}

/** The virtual address object of an address, by its uniqueness key (the address). */
export function findVirtualAddress(repo: ObjectRepository, address: string): ObjectRecord | undefined {
  const path = repo.sameKey(VIRTUAL_ADDRESS, address, -1)[0];
  return path === undefined ? undefined : repo.get(VIRTUAL_ADDRESS, path);
}

/** The virtual address a virtual refers to (created by virtualHasAddress before references link). */
export function virtualAddressOf(repo: ObjectRepository, virtual: StoredProps): ObjectRecord | undefined {
  const a = destinationAddress(virtual.destination);
  return a && findVirtualAddress(repo, a.address);
}

/** Before references link: a virtual whose address has no virtual address object creates it. */
export function virtualHasAddress(rec: ObjectRecord, ctx: RuleContext): void {
  const a = destinationAddress(rec.props.destination);
  if (!a || findVirtualAddress(ctx.repo, a.address)) return;
  if (ctx.repo.get(VIRTUAL_ADDRESS, a.path)) {
    throw errors.configError(`Virtual Address (${a.path}) has another address; the virtual address of Virtual Server (${rec.path}) cannot be created.`, ctx.position);
  }
  checkNewName('Virtual Address', a.path, ctx.repo, ctx.position);
  const mask = typeof rec.props.mask === 'string' ? rec.props.mask : undefined;
  // BIG-IP writes the wildcard addresses as any and any6.
  const address = a.address === '0.0.0.0' ? 'any' : a.address === '::' ? 'any6' : a.address;
  ctx.repo.insert(VIRTUAL_ADDRESS, a.path, { address, ...(mask && mask !== '255.255.255.255' ? { mask } : {}) }, false, a.address);
}

/** Deletes the virtual addresses in `candidates` that no virtual uses any more, unless auto-delete false. */
export function sweepVirtualAddresses(repo: ObjectRepository, candidates: Iterable<string>): void {
  for (const address of candidates) {
    const va = findVirtualAddress(repo, address);
    if (!va || va.props['auto-delete'] === 'false' || repo.referrers(va.id).length > 0) continue;
    repo.delete(va);
  }
}
