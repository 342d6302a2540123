import { COMMAND_PATHS, LIST_OPTIONS, SHOWN_TYPES, SHOW_OPTIONS, VERBS, getType, matchPath, nextPathWords } from '@openltm/model';
import type { PropertyTable, ValueType } from '@openltm/model';

/** `help`, `help ltm`, `help ltm pool`: the reference a BIG-IP user expects, generated from the schema. */
export function renderHelp(words: readonly string[]): string {
  const path = words.filter((w) => w !== '');
  if (path.length === 0) return overview();
  if (path.length === 1 && VERBS[path[0]] && nextPathWords(path).length === 0) return verbHelp(path[0]);
  const match = matchPath(path);
  if (match && match.length === path.length) {
    const def = getType(match.key);
    if (def) return typeHelp(match.key, def.help, def.properties);
    return commandPathHelp(match.key);
  }
  const next = nextPathWords(path);
  if (next.length > 0) return moduleHelp(path, next);
  return `No help found for "${path.join(' ')}". Type "help" for the list of commands.\n`;
}

function table(rows: Array<[string, string]>, indent = '    '): string {
  const width = Math.min(30, Math.max(0, ...rows.map(([k]) => k.length)));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`.trimEnd()).join('\n');
}

function overview(): string {
  const verbs = Object.entries(VERBS).map(([name, v]): [string, string] => [name, v.help]);
  const modules = [...new Set(nextPathWords([]))].map((m): [string, string] => [m, nextPathWords([m]).join(', ')]);
  return [
    'Commands:',
    table(verbs),
    '',
    'Modules:',
    table(modules),
    '',
    'Type "help <module> <component>" (help ltm pool) for properties; press ? anywhere to see what may come next.',
    '',
  ].join('\n');
}

function verbHelp(verb: string): string {
  const paths = nextPathWords([]).join(' | ');
  return `${verb}: ${VERBS[verb].help}\n\nSYNTAX\n    ${verb} ${VERBS[verb].objects ? `[ ${paths} ] ...` : '...'}\n`;
}

function moduleHelp(path: readonly string[], next: readonly string[]): string {
  const rows = next.map((w): [string, string] => {
    const key = [...path, w].join(' ');
    return [w, getType(key)?.help ?? COMMAND_PATHS[key]?.help ?? nextPathWords([...path, w]).join(', ')];
  });
  return `${path.join(' ')}:\n${table(rows)}\n`;
}

function commandPathHelp(key: string): string {
  const cp = COMMAND_PATHS[key];
  const lines = [`NAME`, `    ${key} - ${cp.help}`, '', 'SYNTAX', ...cp.verbs.map((v) => `    ${v} ${key}`)];
  if (cp.options?.length) lines.push('', 'OPTIONS', `    ${cp.options.join(' | ')}`);
  return `${lines.join('\n')}\n`;
}

/** How a value type reads in the syntax section: `[none | allow | require]`, `integer 0..65535`. */
export function describeType(type: ValueType): string {
  switch (type.kind) {
    case 'enum':
    case 'flag':
      return `[${type.values.join(' | ')}]`;
    case 'integer':
      return `integer ${type.min}..${type.max}${type.words?.length ? ` | ${type.words.join(' | ')}` : ''}`;
    case 'reference':
      return `name of ${type.to.join(' | ')}${type.nullable ? ' | none' : ''}`;
    case 'collection':
      return '[add | delete | modify | replace-all-with] { name { ... } ... }';
    case 'list':
      return '{ item ... }';
    case 'object':
      return `{ ${Object.keys(type.properties).join(' | ')} }`;
    case 'monitor-rule':
      return 'monitor | a and b | min N of { a b } | none';
    default:
      return type.kind;
  }
}

function propertyRows(props: PropertyTable): string {
  const blocks: string[] = [];
  for (const [name, p] of Object.entries(props).sort(([a], [b]) => a.localeCompare(b))) {
    const notes = [p.required ? 'required' : '', p.readOnly ? 'read-only' : '', p.default !== undefined ? `default ${p.default}` : '']
      .filter(Boolean)
      .join(', ');
    blocks.push(`    ${name} ${describeType(p.type)}\n        ${p.help}${notes ? ` (${notes})` : ''}`);
  }
  return blocks.join('\n');
}

function typeHelp(key: string, help: string, props: PropertyTable): string {
  return [
    'NAME',
    `    ${key} - ${help}`,
    '',
    'SYNTAX',
    `    create ${key} [name] [property value ...]`,
    `    modify ${key} [ [name] | all ] [property value ...]`,
    `    delete ${key} [ [name] | all ]`,
    `    list ${key} [ [name] | [glob] | all ] [property ...] [ ${LIST_OPTIONS.join(' | ')} ]`,
    // Only the types show prints: the others answer show with a Syntax Error.
    ...((SHOWN_TYPES as readonly string[]).includes(key) ? [`    show ${key} [ [name] | [glob] | all ] [ ${SHOW_OPTIONS.join(' | ')} ]`] : []),
    '',
    'PROPERTIES',
    propertyRows(props),
    '',
  ].join('\n');
}
