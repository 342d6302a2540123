/**
 * /mgmt/tm/<module>/<type>[/~Partition~name[/sub[/~Partition~entry]]]: collections, objects and
 * subcollection entries of every schema type, read from the store and written as tmsh
 * statements that the store's executor runs.
 */
import { createHash } from 'node:crypto';
import { OBJECT_TYPES, type ObjectTypeDef } from '@openltm/model';
import type { EffectiveObject, Store } from '@openltm/store';
import { entryJson, objectJson, select, selfLink, subcollectionJson, type Json } from './object-json';
import { objectPath, propertiesText } from './request-tmsh';
import { RestError } from './rest-error';
import { SUBCOLLECTIONS, kindOf, pathFromUrl, typeAt } from './rest-types';
import type { Uploads } from './sys-resources';

export interface ResourcePath {
  type: ObjectTypeDef;
  name?: string;
  sub?: string;
  entry?: string;
}

/** Splits the words after /mgmt/tm/ into a type and names; undefined when no type is there. */
export function resolve(words: string[]): ResourcePath | undefined {
  for (const len of [3, 2]) {
    const type = typeAt(words.slice(0, len));
    if (!type) continue;
    const [name, sub, entry, ...rest] = words.slice(len);
    if (rest.length) return undefined;
    if (sub !== undefined && sub !== SUBCOLLECTIONS[type.key]) throw new RestError(404, `Public URI path not registered: ${sub}`);
    return { type, name: name && pathFromUrl(name), sub, entry: entry && pathFromUrl(entry) };
  }
  return undefined;
}

export interface Query {
  select?: string[];
  partition?: string;
  expand: boolean;
}

export function parseQuery(params: URLSearchParams): Query {
  const filter = params.get('$filter');
  let partition: string | undefined;
  if (filter) {
    const m = /^\s*partition\s+eq\s+([A-Za-z0-9_.-]+)\s*$/.exec(filter);
    if (!m) throw new RestError(400, `Unsupported $filter "${filter}": openltm filters by "partition eq NAME".`);
    partition = m[1];
  }
  const sel = params.get('$select');
  return {
    select: sel ? sel.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    partition,
    expand: params.get('expandSubcollections') === 'true',
  };
}

function memberExtra(store: Store, obj: EffectiveObject): (key: string) => Record<string, Json> {
  if (obj.type !== 'ltm pool') return () => ({});
  const members = (obj.properties.members ?? {}) as Record<string, Record<string, unknown>>;
  return (key) => {
    const m = members[key] ?? {};
    const live = store.memberStatus(obj.name, key);
    // BIG-IP shows the live monitor state unless the administrator forced it down; a member held
    // by manual resume is `down` there, as in `list` (the state word a client can send back).
    const monitorState = live?.monitorStatus === 'down-manual-resume' ? 'down' : live?.monitorStatus;
    const state = m.state === 'user-down' ? 'user-down' : monitorState ?? 'unchecked';
    const session = m.session === 'user-disabled' ? 'user-disabled' : 'monitor-enabled';
    return { state, session };
  };
}

/**
 * `checksum` of a certificate or key as BIG-IP shows it (`SHA1:size:hex` of the stored PEM):
 * clients compare it with their file to see whether an upload is needed. A digest, never the PEM.
 */
function fileFields(store: Store, uploads: Uploads, obj: EffectiveObject): Record<string, Json> {
  if (obj.type !== 'sys file ssl-cert' && obj.type !== 'sys file ssl-key') return {};
  const pem = store.pem(obj.type, obj.name)?.pem;
  const source = uploads.restSourcePath(obj.properties['source-path'] as Json | undefined);
  const out: Record<string, Json> = source === undefined ? {} : { sourcePath: source };
  if (pem === undefined) return out;
  const bytes = Buffer.from(pem, 'utf8');
  return { ...out, checksum: `SHA1:${bytes.length}:${createHash('sha1').update(bytes).digest('hex')}` };
}

export class Resources {
  constructor(
    private readonly store: Store,
    private readonly uploads: Uploads,
  ) {}

  private load(p: ResourcePath): EffectiveObject {
    const obj = this.store.getEffective(p.type.key, p.name!);
    if (!obj) throw new RestError(404, `01020036:3: The requested ${p.type.kindName} (${p.name}) was not found.`);
    return obj;
  }

  /** GET of a collection, object, subcollection or entry. */
  get(p: ResourcePath, q: Query): Json {
    const generation = this.store.generation();
    const typeLink = `/mgmt/tm/${p.type.key.split(' ').join('/')}`;
    if (!p.name) {
      const items = this.store
        .effective(p.type.key)
        .filter((o) => !q.partition || o.name.split('/')[1] === q.partition)
        .map((o) => select({ ...objectJson(o, { generation, expandSubcollections: q.expand, entryExtra: memberExtra(this.store, o) }), ...fileFields(this.store, this.uploads, o) }, q.select));
      return { kind: kindOf(p.type.key, 'collectionstate'), selfLink: selfLink(typeLink), items };
    }
    const obj = this.load(p);
    if (!p.sub) return select({ ...objectJson(obj, { generation, expandSubcollections: q.expand, entryExtra: memberExtra(this.store, obj) }), ...fileFields(this.store, this.uploads, obj) }, q.select);
    if (!p.entry) {
      const coll = subcollectionJson(obj, p.sub, generation, memberExtra(this.store, obj));
      return { ...coll, items: (coll.items as Record<string, Json>[]).map((i) => select(i, q.select)) };
    }
    const entries = (obj.properties[p.sub] ?? {}) as Record<string, unknown>;
    if (!(p.entry in entries)) throw new RestError(404, `01020036:3: The requested ${p.sub === 'members' ? 'Pool Member' : 'profile'} (${obj.name} ${p.entry}) was not found.`);
    return select(entryJson(obj, p.sub, p.entry, { generation, ...memberExtra(this.store, obj)(p.entry) }), q.select);
  }

  private body(body: Json): Record<string, Json> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RestError(400, 'The request body must be a JSON object.');
    const b = { ...body };
    // Files come only from the upload area (f5_modules: upload, then sourcePath file:/var/config/rest/downloads/NAME).
    if ('sourcePath' in b) b.sourcePath = this.uploads.sourcePath(b.sourcePath);
    return b;
  }

  /** The tmsh statements for a write, and where the object it touches can be read afterwards. */
  statements(method: string, p: ResourcePath, rawBody: Json, inTransaction = false): { tmsh: string[]; result: ResourcePath } {
    const key = p.type.key;
    const table = p.type.properties;
    if (method === 'POST' && !p.name) {
      const body = this.body(rawBody);
      const name = objectPath(body.name, body.partition);
      return { tmsh: [`create ${key} ${name} ${propertiesText(table, body, key).join(' ')}`.trim()], result: { ...p, name } };
    }
    if (!p.name) throw new RestError(405, `Method ${method} is not allowed on a collection.`);
    // In a transaction the object may be created by an earlier command: the commit finds out.
    const obj = inTransaction ? undefined : this.load(p);
    if (obj && p.entry && !(p.entry in ((obj.properties[p.sub!] ?? {}) as object))) {
      throw new RestError(404, `01020036:3: The requested ${p.sub === 'members' ? 'Pool Member' : 'profile'} (${obj.name} ${p.entry}) was not found.`);
    }
    if (!p.sub) {
      if (method === 'DELETE') return { tmsh: [`delete ${key} ${p.name}`], result: p };
      if (method === 'PATCH' || method === 'PUT') {
        const props = propertiesText(table, this.body(rawBody), key);
        return { tmsh: props.length ? [`modify ${key} ${p.name} ${props.join(' ')}`] : [], result: p };
      }
      throw new RestError(405, `Method ${method} is not allowed on an object; use GET, PATCH, PUT or DELETE.`);
    }
    const coll = table[p.sub].type;
    if (coll.kind !== 'collection') throw new RestError(404, `Public URI path not registered: ${p.sub}`);
    if (method === 'POST' && !p.entry) {
      const body = this.body(rawBody);
      const entry = objectPath(body.name, body.partition);
      return { tmsh: [`modify ${key} ${p.name} ${p.sub} add { ${entry} { ${propertiesText(coll.entry, body).join(' ')} } }`], result: { ...p, entry } };
    }
    if (!p.entry) throw new RestError(405, `Method ${method} is not allowed on a subcollection.`);
    if (method === 'DELETE') return { tmsh: [`modify ${key} ${p.name} ${p.sub} delete { ${p.entry} }`], result: p };
    if (method === 'PATCH' || method === 'PUT') {
      const props = propertiesText(coll.entry, this.body(rawBody));
      return { tmsh: props.length ? [`modify ${key} ${p.name} ${p.sub} modify { ${p.entry} { ${props.join(' ')} } }`] : [], result: p };
    }
    throw new RestError(405, `Method ${method} is not allowed on a subcollection entry.`);
  }
}

export const MODULES = [...new Set(OBJECT_TYPES.map((d) => d.key.split(' ')[0]))];
