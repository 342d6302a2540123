/**
 * `/stats` in iControl REST's nested `entries` shape, from the same snapshot /metrics reads:
 * numbers as `{ value }`, words as `{ description }`, tmsh's counter names (`clientside.bitsIn`).
 */
import type { MemberStats, VirtualStats } from '@openltm/model';
import { memberNode } from '@openltm/store';
import type { Json } from './object-json';
import { selfLink } from './object-json';
import { RestError } from './rest-error';
import { urlName } from './rest-types';
import type { MemberSnapshot, StatsSnapshot, VirtualSnapshot } from './stats-source';

type Entries = Record<string, Json>;

const NO_REPORT = 'No status reported yet: the data plane is not running or has not applied this configuration';
const v = (value: number): Json => ({ value });
const d = (description: string): Json => ({ description });

function nested(kind: string, link: string, entries: Entries): Json {
  return { nestedStats: { kind, selfLink: selfLink(link), entries } };
}

function virtualEntries(vs: VirtualSnapshot): Entries {
  const s: Partial<VirtualStats> = vs.status?.stats ?? {};
  return {
    'clientside.bitsIn': v((s.clientBytesIn ?? 0) * 8),
    'clientside.bitsOut': v((s.clientBytesOut ?? 0) * 8),
    'clientside.curConns': v(s.clientCurConns ?? 0),
    'clientside.maxConns': v(s.clientMaxConns ?? 0),
    'clientside.totConns': v(s.clientTotConns ?? 0),
    totRequests: v(s.messages ?? 0),
    'smtps.starttlsOffered': v(s.starttlsOffered ?? 0),
    'smtps.starttlsUpgraded': v(s.starttlsUpgraded ?? 0),
    'smtps.refusedBeforeTls': v(s.refusedBeforeTls ?? 0),
    'smtps.tlsHandshakeFailures': v(s.tlsHandshakeFailures ?? 0),
    'smtps.pipelinedDiscarded': v(s.pipelinedDiscarded ?? 0),
    'smtps.smugglingBlocked': v(s.smugglingBlocked ?? 0),
    'smtps.connectionLimitRejected': v(s.connectionLimitRejected ?? 0),
    destination: d(vs.destination),
    'status.availabilityState': d(vs.status?.availability ?? 'unknown'),
    'status.enabledState': d(vs.enabled ? 'enabled' : 'disabled'),
    'status.statusReason': d(vs.status?.reason ?? NO_REPORT),
    tmName: d(vs.name),
  };
}

function serverside(s: Partial<MemberStats>): Entries {
  return {
    'serverside.bitsIn': v((s.bytesIn ?? 0) * 8),
    'serverside.bitsOut': v((s.bytesOut ?? 0) * 8),
    'serverside.curConns': v(s.curConns ?? 0),
    'serverside.maxConns': v(s.maxConns ?? 0),
    'serverside.totConns': v(s.totConns ?? 0),
  };
}

function memberEntries(m: MemberSnapshot): Entries {
  const { node, port } = memberNode(m.member);
  return {
    addr: d(node.slice(node.lastIndexOf('/') + 1)),
    port: v(port),
    nodeName: d(node),
    poolName: d(m.pool),
    ...serverside(m.status?.stats ?? {}),
    monitorStatus: d(m.forcedDown ? 'forced-down' : m.status?.monitorStatus ?? 'unknown'),
    sessionStatus: d(m.disabled ? 'user-disabled' : 'enabled'),
    'status.availabilityState': d(m.status?.availability ?? 'unknown'),
    'status.enabledState': d(m.disabled || m.forcedDown ? 'disabled' : 'enabled'),
    'status.statusReason': d(m.status?.reason ?? NO_REPORT),
    tmName: d(m.member),
  };
}

function poolEntries(p: StatsSnapshot['pools'][number]): Entries {
  const sum = p.members.reduce<MemberStats>((a, m) => {
    const s = m.status?.stats;
    return s ? { curConns: a.curConns + s.curConns, maxConns: Math.max(a.maxConns, s.maxConns), totConns: a.totConns + s.totConns, bytesIn: a.bytesIn + s.bytesIn, bytesOut: a.bytesOut + s.bytesOut } : a;
  }, { curConns: 0, maxConns: 0, totConns: 0, bytesIn: 0, bytesOut: 0 });
  const active = p.members.filter((m) => m.status?.availability === 'available').length;
  const offline = p.members.length > 0 && p.members.every((m) => m.status?.availability === 'offline');
  return {
    activeMemberCnt: v(active),
    memberCnt: v(p.members.length),
    ...serverside(sum),
    'status.availabilityState': d(active ? 'available' : offline ? 'offline' : 'unknown'),
    'status.enabledState': d('enabled'),
    'status.statusReason': d(active ? 'The pool is available' : offline ? 'The children pool member(s) are down' : p.members.length ? NO_REPORT : 'The pool has no members'),
    tmName: d(p.name),
  };
}

/** GET …/stats for `ltm virtual` and `ltm pool` (collection, object, or a pool's members). */
export function statsJson(snap: StatsSnapshot, typeKey: string, name: string | undefined, sub: string | undefined, entry: string | undefined): Json {
  const typePath = `/mgmt/tm/${typeKey.split(' ').join('/')}`;
  const kind = `tm:${typeKey.split(' ').join(':')}:${typeKey.split(' ').pop()}stats`;
  if (typeKey === 'ltm virtual' && !sub) {
    const list = snap.virtuals.filter((x) => !name || x.name === name);
    if (name && !list.length) throw new RestError(404, `01020036:3: The requested Virtual Server (${name}) was not found.`);
    const link = name ? `${typePath}/${urlName(name)}/stats` : `${typePath}/stats`;
    const entries = Object.fromEntries(list.map((x) => [`https://localhost${typePath}/${urlName(x.name)}${name ? `/${urlName(x.name)}` : ''}/stats`, nested(kind, `${typePath}/${urlName(x.name)}/stats`, virtualEntries(x))]));
    return { kind, selfLink: selfLink(link), entries };
  }
  if (typeKey === 'ltm pool') {
    const list = snap.pools.filter((x) => !name || x.name === name);
    if (name && !list.length) throw new RestError(404, `01020036:3: The requested Pool (${name}) was not found.`);
    if (!sub) {
      const link = name ? `${typePath}/${urlName(name)}/stats` : `${typePath}/stats`;
      const entries = Object.fromEntries(list.map((x) => [`https://localhost${typePath}/${urlName(x.name)}${name ? `/${urlName(x.name)}` : ''}/stats`, nested(kind, `${typePath}/${urlName(x.name)}/stats`, poolEntries(x))]));
      return { kind, selfLink: selfLink(link), entries };
    }
    const pool = list[0];
    const members = pool.members.filter((m) => !entry || m.member === entry);
    if (entry && !members.length) throw new RestError(404, `01020036:3: The requested Pool Member (${pool.name} ${entry}) was not found.`);
    const base = `${typePath}/${urlName(pool.name)}/members`;
    const mkind = 'tm:ltm:pool:members:membersstats';
    const link = entry ? `${base}/${urlName(entry)}/stats` : `${base}/stats`;
    const entries = Object.fromEntries(members.map((m) => [`https://localhost${base}/${urlName(m.member)}/stats`, nested(mkind, `${base}/${urlName(m.member)}/stats`, memberEntries(m))]));
    return { kind: mkind, selfLink: selfLink(link), entries };
  }
  throw new RestError(404, `Statistics are kept for ltm virtual and ltm pool (and its members), not ${typeKey}.`);
}
