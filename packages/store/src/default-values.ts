/**
 * Schema defaults and built-in values are written as tmsh text (`{ /Common/tcp { } }`); this turns
 * them into stored values with a tiny brace reader, so the schema stays data.
 */
import type { PropertyDef, PropertyTable, ValueType } from '@openltm/model';
import { fullPath } from './names';
import { parseMonitorRule, formatMonitorRule } from './monitor-rule';
import type { StoredProps, StoredValue } from './stored-value';
import { canonicalDestination } from './validate/scalar';

type Node = string | Node[];

function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([{}])|([^\s{}"]+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function tree(tokens: string[]): Node[] {
  const stack: Node[][] = [[]];
  for (const t of tokens) {
    if (t === '{') stack.push([]);
    else if (t === '}') {
      const done = stack.pop()!;
      stack[stack.length - 1].push(done);
    } else stack[stack.length - 1].push(t);
  }
  return stack[0];
}

function fromNodes(type: ValueType, nodes: Node[]): StoredValue {
  switch (type.kind) {
    case 'list': {
      const items = Array.isArray(nodes[0]) ? (nodes[0] as Node[]) : nodes;
      return items.filter((n): n is string => typeof n === 'string' && n !== 'none');
    }
    case 'collection': {
      const body = Array.isArray(nodes[0]) ? (nodes[0] as Node[]) : [];
      const out: StoredProps = {};
      for (let i = 0; i < body.length; i++) {
        const name = body[i] as string;
        const next = body[i + 1];
        const entryNodes = Array.isArray(next) ? next : [];
        if (Array.isArray(next)) i++;
        const key = type.key.kind === 'name' ? name : fullPath(name);
        out[key] = propsFromNodes(type.entry, entryNodes);
      }
      return out;
    }
    case 'object':
      return propsFromNodes(type.properties, Array.isArray(nodes[0]) ? (nodes[0] as Node[]) : []);
    case 'monitor-rule': {
      const text = nodes.map((n) => (Array.isArray(n) ? `{ ${n.join(' ')} }` : n)).join(' ');
      const rule = parseMonitorRule(text);
      return formatMonitorRule({ ...rule, monitors: rule.monitors.map((m) => fullPath(m)) });
    }
    case 'reference': {
      const v = String(nodes[0] ?? 'none');
      return v === 'none' ? v : fullPath(v);
    }
    case 'destination':
      return canonicalDestination(String(nodes[0]), { folder: '/Common' });
    default:
      return String(nodes[0] ?? '');
  }
}

function propsFromNodes(table: PropertyTable, nodes: Node[]): StoredProps {
  const out: StoredProps = {};
  for (let i = 0; i < nodes.length; i++) {
    const name = nodes[i];
    if (typeof name !== 'string') continue;
    const def = table[name];
    if (!def) continue;
    if (def.type.kind === 'flag') {
      out[name] = name;
      continue;
    }
    const value = nodes[i + 1];
    i++;
    out[name] = fromNodes(def.type, [value]);
  }
  return out;
}

const cache = new WeakMap<PropertyDef, StoredValue>();

/** A schema default as a stored value. */
export function defaultValue(def: PropertyDef): StoredValue | undefined {
  if (def.default === undefined) return undefined;
  let v = cache.get(def);
  if (v === undefined) {
    v = fromTmsh(def.type, def.default);
    cache.set(def, v);
  }
  return v;
}

/** A value written as tmsh text (`{ default { cert /Common/default.crt ... } }`) as a stored value. */
export function fromTmsh(type: ValueType, text: string): StoredValue {
  return fromNodes(type, tree(tokenize(text)));
}
