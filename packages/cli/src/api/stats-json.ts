/**
 * `/stats` in iControl REST's nested `entries` shape, rendered from `show`'s structured form
 * (the same data `openltm exec --json "show ..."` prints): tmsh field names camelCased as
 * iControl REST writes them (`clientside.bits-in` -> `clientside.bitsIn`, `member-cnt` ->
 * `memberCnt`), numbers as `{ value }`, words as `{ description }`.
 */
import { ConfigError, ErrorCodes, SHOWN_TYPES } from '@openltm/model';
import { Session, memberNode, type ShowJson, type Store } from '@openltm/store';
import type { Json } from './object-json';
import { selfLink } from './object-json';
import { RestError } from './rest-error';
import { camelCase, urlName } from './rest-types';

function entries(o: ShowJson, extra: Record<string, Json> = {}): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(o.stats)) out[camelCase(k)] = { value: v };
  for (const [k, v] of Object.entries(o.status)) out[camelCase(k)] = typeof v === 'number' ? { value: v } : { description: v };
  return { ...out, ...extra, tmName: { description: o.name } };
}

function show(store: Store, typeKey: string, name: string | undefined, members: boolean): ShowJson[] {
  try {
    const r = store.execute(`show ${typeKey}${name ? ` ${name}` : ''}${members ? ' members' : ''}`, new Session());
    return (r.data ?? []) as ShowJson[];
  } catch (err) {
    if (ConfigError.is(err) && err.code === ErrorCodes.NOT_FOUND) throw new RestError(404, err.toString());
    throw err;
  }
}

function nested(kind: string, link: string, e: Record<string, Json>): Json {
  return { nestedStats: { kind, selfLink: selfLink(link), entries: e } };
}

/** GET …/stats for every type `show` prints (and a pool's members): a collection or one object. */
export function statsJson(store: Store, typeKey: string, name: string | undefined, sub: string | undefined, entry: string | undefined): Json {
  if (!(SHOWN_TYPES as readonly string[]).includes(typeKey)) throw new RestError(404, `/stats serves what show prints: ${SHOWN_TYPES.join(', ')}; not ${typeKey}.`);
  const typePath = `/mgmt/tm/${typeKey.split(' ').join('/')}`;
  const kind = `tm:${typeKey.split(' ').join(':')}:${typeKey.split(' ').pop()}stats`;
  if (!sub) {
    const objects = show(store, typeKey, name, false);
    const link = name ? `${typePath}/${urlName(name)}/stats` : `${typePath}/stats`;
    const byLink = objects.map((o) => [
      // BIG-IP keys an object's own stats by its path twice (`.../~Common~vs/~Common~vs/stats`).
      `https://localhost${typePath}/${urlName(o.name)}${name ? `/${urlName(o.name)}` : ''}/stats`,
      nested(kind, `${typePath}/${urlName(o.name)}/stats`, entries(o)),
    ]);
    return { kind, selfLink: selfLink(link), entries: Object.fromEntries(byLink) };
  }
  const pool = show(store, typeKey, name, true)[0];
  const members = (pool?.members ?? []).filter((m) => !entry || m.name === entry);
  if (entry && !members.length) throw new RestError(404, `01020036:3: The requested Pool Member (${name} ${entry}) was not found.`);
  const base = `${typePath}/${urlName(pool.name)}/members`;
  const mkind = 'tm:ltm:pool:members:membersstats';
  const byLink = members.map((m) => {
    const { node, port } = memberNode(m.name);
    const extra = { addr: { description: node.slice(node.lastIndexOf('/') + 1) }, port: { value: port }, nodeName: { description: node }, poolName: { description: pool.name } };
    return [`https://localhost${base}/${urlName(m.name)}/stats`, nested(mkind, `${base}/${urlName(m.name)}/stats`, entries(m, extra))];
  });
  return { kind: mkind, selfLink: selfLink(entry ? `${base}/${urlName(entry)}/stats` : `${base}/stats`), entries: Object.fromEntries(byLink) };
}
