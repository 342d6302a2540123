/**
 * Tab completion and `?` help for the shell, driven by the schema (not by chevrotain's content
 * assist): lex the text before the cursor, keep the word under the cursor as the prefix, walk the
 * statement through the schema, then offer what may come next, filtered by the prefix.
 */
import type { IToken } from 'chevrotain';
import {
  COMMAND_PATHS, LIST_OPTIONS, commandPathOptions, MONITOR_TYPES, SHOW_OPTIONS, VERBS, allPaths, getType, type PropertyDef, type PropertyTable, type ValueType,
} from '@openltm/model';
import { lex } from './lexer';
import { LCurly, RCurly, Semicolon, UnterminatedString, Word } from './tokens';
import { lineBreakBetween, tokenEnd } from './statement-bounds';
import { TokenWalk, walkProperties, type WalkEnd } from './complete-walk';
import { matchProperty, propertyWords } from './property-index';

/** One completion: the text to insert and a one-line help. */
export interface Candidate {
  text: string;
  help?: string;
}

/** What the caller knows that the schema does not: object names, the shell's module. */
export interface CompletionContext {
  /** Names of existing objects of a type (`ltm pool`), as the user would type them. */
  names?: (typeKey: string) => readonly string[];
  /** Module the shell is in (`ltm`). */
  module?: string;
}

/** Candidates for the word that ends at the cursor, which starts at `replaceFrom`. */
export interface CompletionResult {
  candidates: Candidate[];
  replaceFrom: number;
  /** When the next thing is free-form (a name, a string, a number): what it is, for `?`. */
  expecting?: string;
}

const OP_HELP: Record<string, string> = {
  add: 'Add entries', delete: 'Delete entries ({ all } deletes every one)', modify: 'Change entries', 'replace-all-with': 'Replace every entry', none: 'Remove every entry',
};
/** One-line help of the list / show / sys config option words. */
const OPTION_HELP: Record<string, string> = {
  'all-properties': 'Include properties at their default values',
  'non-default-properties': 'Only properties that differ from the defaults',
  'one-line': 'Each object on one line',
  recursive: 'Include objects in sub-folders',
  partition: 'Show the partition of each object',
  detail: 'Add per-member and per-profile sections',
  'field-fmt': 'One field per line, machine-friendly',
  members: 'Include the pool members',
  raw: 'Exact counters, not scaled to K/M/G',
  file: 'file PATH: the file to save to or load from',
  merge: 'Apply the file on top of the running configuration',
  verify: 'Only validate the file; change nothing',
  'skip-unknown': 'Skip objects of types openltm does not implement',
  default: 'Reset to the factory defaults',
};
const WORD_CHARS = /[^\s{}";]/;

function namesOf(ctx: CompletionContext, keys: readonly string[]): Candidate[] {
  return keys.flatMap((k) => (ctx.names?.(k) ?? []).map((n) => ({ text: n, help: getType(k)?.kindName ?? k })));
}

/** Candidates for a value of type `type` (enum values, referenced names, `none`). */
function valueCandidates(type: ValueType, ctx: CompletionContext, help?: string): Candidate[] {
  switch (type.kind) {
    case 'enum':
      return type.values.map((v) => ({ text: v, help }));
    case 'integer':
      return (type.words ?? []).map((v) => ({ text: v, help }));
    case 'reference':
      return [...namesOf(ctx, type.to), ...(type.nullable ? [{ text: 'none', help: 'No reference' }] : [])];
    case 'monitor-rule':
      return [...namesOf(ctx, MONITOR_TYPES), { text: 'none', help: 'No monitor' }, { text: 'min', help: 'min N of { monitors }: at least N must pass' }];
    case 'collection':
    case 'list':
      return ['add', 'delete', 'modify', 'replace-all-with', 'none'].map((v) => ({ text: v, help: OP_HELP[v] }));
    case 'object':
      return [{ text: 'none', help: 'Clear it' }];
    default:
      return [];
  }
}

/** Property names of a table (readOnly ones are not offered), flag properties as their words. */
function propertyCandidates(table: PropertyTable): Candidate[] {
  const out: Candidate[] = [];
  for (const [word, m] of propertyWords(table)) {
    if (m.def.readOnly) continue;
    if (m.def.type.kind === 'flag' && m.flagWord === undefined) continue;
    out.push({ text: word, help: m.def.help });
  }
  return out.sort((a, b) => a.text.localeCompare(b.text));
}

function describeValue(name: string, def: PropertyDef): string {
  return `${name}: ${def.type.kind === 'integer' ? `integer ${def.type.min}..${def.type.max}` : def.type.kind} - ${def.help}`;
}

function endCandidates(end: WalkEnd, ctx: CompletionContext): { candidates: Candidate[]; expecting?: string } {
  switch (end.kind) {
    case 'property-name':
      return { candidates: [...(end.extra ?? []).map((t) => ({ text: t, help: t === 'and' ? 'Another monitor that must also pass' : undefined })), ...propertyCandidates(end.table)] };
    case 'value': {
      const type = end.def.type;
      if (end.afterOp) return { candidates: [{ text: '{', help: 'Open the entries' }] };
      const c = valueCandidates(type, ctx, end.def.help);
      return { candidates: c, expecting: describeValue(end.name, end.def) };
    }
    case 'entry': {
      const type = end.def.type;
      const key = type.kind === 'collection' ? type.key : undefined;
      const c = key?.kind === 'reference' ? namesOf(ctx, key.to) : [];
      return { candidates: c, expecting: key?.kind === 'member' ? 'member name: address:port' : `${end.name} entry name` };
    }
    case 'item':
      return { candidates: valueCandidates(end.item, ctx), expecting: `${end.name} item` };
    default:
      return { candidates: [] };
  }
}

/** Type paths a verb accepts: object types for object verbs, plus the command paths that list it. */
function pathsFor(verb: string): string[][] {
  const objects = VERBS[verb]?.objects ?? false;
  const types = VERBS[verb]?.types;
  return allPaths().filter((p) => {
    const key = p.join(' ');
    const cp = COMMAND_PATHS[key];
    return cp ? cp.verbs.includes(verb) : objects && (!types || types.includes(key));
  });
}

function pathHelp(path: string[]): string {
  const key = path.join(' ');
  const t = getType(key);
  if (t) return t.help;
  if (COMMAND_PATHS[key]) return COMMAND_PATHS[key].help;
  const below = allPaths().filter((p) => p.length > path.length && path.every((w, i) => p[i] === w)).map((p) => p.slice(path.length).join(' '));
  return below.join(', ');
}

/** Completion of the words after the verb. */
function afterVerb(verb: string, w: TokenWalk, ctx: CompletionContext): { candidates: Candidate[]; expecting?: string } {
  if (verb === 'cd' || verb === 'quit' || verb === 'exit') return { candidates: [], expecting: verb === 'cd' ? 'folder: /Common' : undefined };
  const paths = pathsFor(verb === 'help' ? 'list' : verb);
  const path: string[] = [];
  const firstWord = w.word();
  if (ctx.module && firstWord !== undefined && !paths.some((p) => p[0] === firstWord) && paths.some((p) => p[0] === ctx.module && p[1] === firstWord)) path.push(ctx.module);
  for (;;) {
    const next = paths.filter((p) => p.length > path.length && path.every((x, i) => p[i] === x));
    const key = path.join(' ');
    const complete = paths.some((p) => p.join(' ') === key);
    if (w.atEnd()) {
      if (complete && next.length === 0) break;
      const words = [...new Set(next.map((p) => p[path.length]))].sort();
      const candidates = words.map((x) => ({ text: x, help: pathHelp([...path, x]) }));
      // In a module (`(tmos.ltm)#`) its components may be typed without the module word.
      const mod = ctx.module;
      if (mod && path.length === 0) {
        const inModule = [...new Set(paths.filter((p) => p[0] === mod && p.length > 1).map((p) => p[1]))].sort();
        candidates.unshift(...inModule.map((x) => ({ text: x, help: pathHelp([mod, x]) })));
      }
      return { candidates };
    }
    const word = w.word();
    if (word === undefined || !next.some((p) => p[path.length] === word)) break;
    path.push(word);
    w.i++;
  }
  const key = path.join(' ');
  if (verb === 'help') return { candidates: [] };
  const cp = COMMAND_PATHS[key];
  if (cp) return { candidates: configOptions(commandPathOptions(key, verb), w) };
  const def = getType(key);
  if (!def) return { candidates: [] };
  const names = namesOf(ctx, [key]);
  const all = { text: 'all', help: `Every ${def.kindName.toLowerCase()}` };
  if (verb === 'create' || verb === 'modify') {
    if (w.atEnd()) return verb === 'create' ? { candidates: [], expecting: `name of the new ${def.kindName.toLowerCase()}` } : { candidates: [...names, all] };
    if (w.is(LCurly)) {
      if (!w.skipBlock()) return { candidates: namesOf(ctx, [key]) };
    } else w.i++;
    if (w.is(LCurly)) w.i++; // `create ltm pool p1 { ...`: the properties in braces
    return endCandidates(walkProperties(w, def.properties) ?? { kind: 'none' }, ctx);
  }
  if (verb === 'delete') return { candidates: [...names, all] };
  const options = verb === 'list' ? LIST_OPTIONS : verb === 'show' ? SHOW_OPTIONS : [];
  const optionCandidates = options.filter((o) => !w.tokens.some((t) => t.image === o)).map((o) => ({ text: o, help: OPTION_HELP[o] ?? `${verb} option` }));
  const hasTarget = w.tokens.slice(w.i).some((t) => t.tokenType === Word && !(options as readonly string[]).includes(t.image) && !matchProperty(def.properties, t.image));
  const select = verb === 'list' && hasTarget ? propertyCandidates(def.properties).map((c) => ({ ...c, help: `Show only ${c.text}` })) : [];
  return { candidates: [...names, all, ...optionCandidates, ...select] };
}

function configOptions(options: readonly string[], w: TokenWalk): Candidate[] {
  const last = w.tokens[w.tokens.length - 1];
  if (last && last.image === 'file' && w.tokens.length > w.i) return [];
  const used = new Set(w.tokens.slice(w.i).map((t) => t.image));
  return options.filter((o) => !used.has(o)).map((o) => ({ text: o, help: OPTION_HELP[o] ?? o }));
}

/** The tokens of the statement the cursor is in: after the last `;` or line break outside braces. */
function lastStatement(text: string, tokens: IToken[]): IToken[] {
  let start = 0;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const tt = tokens[i].tokenType;
    if (depth === 0 && i > 0 && (tokens[i - 1].tokenType === Semicolon || lineBreakBetween(text, tokens[i - 1], tokens[i]))) start = i;
    if (tt === LCurly) depth++;
    else if (tt === RCurly && depth > 0) depth--;
  }
  const last = tokens[tokens.length - 1];
  // A `;` or line break after the last token starts a new statement at the cursor.
  if (last && depth === 0 && (last.tokenType === Semicolon || /\n/.test(text.slice(tokenEnd(last))))) return [];
  const out = tokens.slice(start).filter((t) => t.tokenType !== Semicolon);
  return out.length > 0 && out[0].image === 'tmsh' && out[0].tokenType === Word ? out.slice(1) : out;
}

/**
 * Completes the word that ends at `cursor` in `text`: returns the candidates (with one-line help)
 * and where the word being completed starts. Never throws.
 */
export function complete(text: string, cursor: number = text.length, context: CompletionContext = {}): CompletionResult {
  const before = text.slice(0, Math.max(0, Math.min(cursor, text.length)));
  let from = before.length;
  while (from > 0 && WORD_CHARS.test(before[from - 1])) from--;
  const prefix = before.slice(from);
  const lexed = lex(before.slice(0, from));
  const lastTok = lexed.tokens[lexed.tokens.length - 1];
  if (prefix.startsWith('#') || lexed.errors.length > 0 || (lastTok && lastTok.tokenType === UnterminatedString)) return { candidates: [], replaceFrom: from };
  const tokens = lastStatement(before.slice(0, from), lexed.tokens);
  let result: { candidates: Candidate[]; expecting?: string };
  const verb = tokens[0]?.image;
  if (tokens.length === 0) result = { candidates: Object.entries(VERBS).map(([v, i]) => ({ text: v, help: i.help })) };
  else if (tokens[0].tokenType !== Word || !Object.prototype.hasOwnProperty.call(VERBS, verb)) result = { candidates: [] };
  else result = afterVerb(verb, new TokenWalk(tokens.slice(1)), context);
  const seen = new Set<string>();
  const candidates = result.candidates.filter((c) => c.text.startsWith(prefix) && !seen.has(c.text) && seen.add(c.text));
  return { candidates, replaceFrom: from, ...(result.expecting ? { expecting: result.expecting } : {}) };
}

/** What may come next at the end of `text`, with help: the answer to tmsh's `?`. */
export function helpFor(text: string, context: CompletionContext = {}): CompletionResult {
  return complete(text, text.length, context);
}
