/**
 * Hosts for the cluster test: Linux network namespaces joined to the test's namespace by veth
 * pairs on one bridge, each with the same virtual address on its loopback, as three machines
 * behind anycast or an L4 balancer would have. Needs root (CI runs as root).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface LabHost {
  /** The namespace's name, for `ip netns exec`. */
  ns: string;
  /** Its address on the bridge. */
  address: string;
}

export interface NetnsLab {
  /** The test namespace's address on the bridge (etcd and the mail sink listen there). */
  bridgeAddress: string;
  hosts: LabHost[];
  /** Prefix that runs a command inside a host's namespace. */
  wrap(host: LabHost): string[];
  destroy(): void;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Why namespaces cannot be used here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  const probe = `oltm-probe-${randomBytes(3).toString('hex')}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return undefined;
  } catch (err) {
    return `ip netns is not permitted here (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`;
  }
}

export function createLab(count: number, virtualAddress: string): NetnsLab {
  const tag = randomBytes(2).toString('hex');
  const subnet = `10.${200 + (parseInt(tag, 16) % 50)}.${parseInt(tag.slice(0, 2), 16)}`;
  const bridge = `olb${tag}`;
  const hosts: LabHost[] = [];
  const destroy = (): void => {
    for (const h of hosts) {
      try {
        ip('netns', 'del', h.ns);
      } catch {
        // already gone
      }
    }
    try {
      ip('link', 'del', bridge);
    } catch {
      // already gone
    }
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    for (let i = 0; i < count; i++) {
      const ns = `openltm-${tag}-h${i}`;
      const veth = `ol${tag}h${i}`;
      hosts.push({ ns, address: `${subnet}.${11 + i}` });
      ip('netns', 'add', ns);
      ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      ip('link', 'set', veth, 'master', bridge, 'up');
      ip('-n', ns, 'addr', 'add', `${subnet}.${11 + i}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'addr', 'add', `${virtualAddress}/32`, 'dev', 'lo');
    }
  } catch (err) {
    destroy();
    throw err;
  }
  return { bridgeAddress: `${subnet}.1`, hosts, wrap: (h) => ['ip', 'netns', 'exec', h.ns], destroy };
}
