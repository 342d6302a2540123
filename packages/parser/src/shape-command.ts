/**
 * Shapes a statement that starts with a verb into a CommandStatement: the type path, the
 * targets, and the properties, options or projection the verb takes.
 */
import {
  COMMAND_PATHS, LIST_OPTIONS, commandPathOptions, SHOW_OPTIONS, VERBS, getType, nextPathWords, type ObjectTypeDef,
} from '@openltm/model';
import type { CommandStatement, Position, SyntaxNode, Target, WordNode } from './ast';
import { ItemCursor, describe } from './item-cursor';
import { matchProperty } from './property-index';
import { shapeProperties } from './shape-value';
import { rawCommandProperties } from './shape-raw';
import { syntaxError, unknownProperty } from './errors';
import { isNextPathWord } from './path-trie';
import { MODULES, verbatimProperty } from './shape-object';

/** Options of a command's shaping. */
export interface CommandShapeOptions {
  /** `raw`: unknown object types give a CommandStatement without typeKey; `error`: a Syntax Error. */
  unknownTypes: 'error' | 'raw';
  /** Module the shell is in (`ltm` after typing `ltm`): `create pool p1` means `create ltm pool p1`. */
  module?: string;
}

const LIST_OPTION_SET: ReadonlySet<string> = new Set(LIST_OPTIONS);
const SHOW_OPTION_SET: ReadonlySet<string> = new Set(SHOW_OPTIONS);
/** `sys config` options that take a value (`file /var/local/scf/x.scf`) or a `{ }` list. */
const VALUE_OPTIONS: ReadonlySet<string> = new Set(['file', 'tar-file', 'partitions']);
const EXTRA_CONFIG_OPTIONS = ['tar-file', 'partitions', 'no-passphrase', 'from-terminal', 'current-partition'];

function targetOf(item: SyntaxNode): Target[] {
  if (item.kind === 'block') {
    return item.items.map((i) => {
      if (i.kind !== 'word') throw syntaxError(`"${describe(i)}" is not an object name`, i.pos);
      return { kind: 'name' as const, name: i.text, pos: i.pos };
    });
  }
  if (item.kind === 'string') throw syntaxError(`"${item.text}" is not an object name`, item.pos);
  if (item.text === 'all') return [{ kind: 'all', pos: item.pos }];
  if (/[*?]/.test(item.text)) return [{ kind: 'glob', pattern: item.text, pos: item.pos }];
  return [{ kind: 'name', name: item.text, pos: item.pos }];
}

/** Reads the type path after the verb: known path words, then (raw mode) one unknown component. */
function readPath(cur: ItemCursor, opts: CommandShapeOptions): { path: string[]; unknown?: WordNode } {
  const path: string[] = [];
  const first = cur.peekWord();
  if (first && opts.module && !isNextPathWord([], first.text) && isNextPathWord([opts.module], first.text)) {
    path.push(opts.module);
  }
  for (;;) {
    const w = cur.peekWord();
    if (!w || !isNextPathWord(path, w.text)) break;
    path.push(w.text);
    cur.next();
  }
  const key = path.join(' ');
  if (getType(key) || COMMAND_PATHS[key]) return { path };
  const w = cur.peekWord();
  // `partition` is also a list option; after `auth` it is the type (`list auth partition P`).
  const authPartition = key === 'auth' && w?.text === 'partition';
  if (w && ((!LIST_OPTION_SET.has(w.text) && !SHOW_OPTION_SET.has(w.text)) || authPartition)) return { path, unknown: w };
  return { path };
}

function endPos(stmtEnd: Position, cur: ItemCursor): Position {
  return cur.peek()?.pos ?? stmtEnd;
}

/** Options and the projection of `list` / `show` / `reset-stats`, with the targets between them. */
function shapeDisplay(cmd: CommandStatement, def: ObjectTypeDef | undefined, cur: ItemCursor): void {
  const options = cmd.verb === 'list' ? LIST_OPTION_SET : cmd.verb === 'show' ? SHOW_OPTION_SET : new Set<string>();
  while (!cur.atEnd()) {
    const item = cur.next() as SyntaxNode;
    if (item.kind === 'word' && options.has(item.text)) cmd.options[item.text] = true;
    else if (cmd.verb === 'list' && def && cmd.targets.length > 0 && item.kind === 'word' && matchProperty(def.properties, item.text)) {
      cmd.select.push(matchProperty(def.properties, item.text)?.name as string);
    } else cmd.targets.push(...targetOf(item));
  }
}

function shapeConfigOptions(cmd: CommandStatement, allowed: readonly string[], cur: ItemCursor, valueOptions: readonly string[] = []): void {
  const known = new Set([...allowed, ...EXTRA_CONFIG_OPTIONS]);
  const takesValue = (o: string) => VALUE_OPTIONS.has(o) || valueOptions.includes(o);
  while (!cur.atEnd()) {
    const item = cur.next() as SyntaxNode;
    if (item.kind !== 'word' || !known.has(item.text)) throw unknownProperty(describe(item), item.pos);
    if (!takesValue(item.text)) {
      cmd.options[item.text] = true;
      continue;
    }
    const v = cur.next();
    if (!v) throw syntaxError(`"${item.text}" requires a value`, item.pos);
    cmd.options[item.text] = v.kind === 'block' ? v.items.map(describe).join(' ') : v.text;
  }
}

/** Create / modify: one target (modify: also a glob, `all` or `{ a b }`), then properties. */
function shapeEdit(cmd: CommandStatement, def: ObjectTypeDef | undefined, cur: ItemCursor, end: Position): void {
  const t = cur.next();
  if (!t || (t.kind === 'block' && cmd.verb === 'create')) {
    throw syntaxError('one or more configuration identifiers must be provided', t?.pos ?? end);
  }
  cmd.targets.push(...targetOf(t));
  if (cmd.verb === 'create' && cmd.targets[0].kind !== 'name') throw syntaxError(`"${describe(t)}" is not a valid name for create`, t.pos);
  if (!def) {
    cmd.properties = rawCommandProperties(cur);
    return;
  }
  // `create ltm pool p1 { members ... }`: the properties may be wrapped in braces, as in a file.
  const next = cur.peek();
  if (def.verbatimBody) {
    // `create ltm rule r { when ... }`: the block is the Tcl text.
    if (!next || next.kind !== 'block' || cur.i !== cur.items.length - 1) throw syntaxError(`"${cmd.path.join(' ')}" takes its text in one { } block`, next?.pos ?? end);
    cur.next();
    cmd.properties = [verbatimProperty(def.verbatimBody, next)];
    return;
  }
  if (next && next.kind === 'block' && cur.i === cur.items.length - 1) {
    cur.next();
    cmd.properties = shapeProperties(def.properties, next.items, 'command');
    return;
  }
  cmd.properties = shapeProperties(def.properties, cur.items, 'command', cur);
}

/**
 * Commands the store answers for types it keeps as they came (`list ltm rule`, `delete net vlan
 * v`) and for partitions and folders (`create auth partition P`, `create sys folder /P/F`).
 */
function keptTypeCommand(verb: string, path: readonly string[], unknown: string): boolean {
  if (!MODULES.has(path[0] ?? unknown)) return false;
  if (verb === 'list' || verb === 'show' || verb === 'delete') return true;
  const type = [...path, unknown].join(' ');
  return verb === 'create' && (type === 'auth partition' || type === 'sys folder');
}

/** Shapes `items` (starting with the verb word) into a CommandStatement. */
export function shapeCommand(items: readonly SyntaxNode[], pos: Position, text: string, end: Position, opts: CommandShapeOptions): CommandStatement {
  const verbWord = items[0] as WordNode;
  const verb = verbWord.text;
  const cur = new ItemCursor(items, 1);
  const cmd: CommandStatement = {
    kind: 'command', verb, path: [], isObjectType: false, targets: [], properties: [], options: {}, select: [], args: [], pos, text,
  };
  const info = VERBS[verb];
  if (verb === 'cd' || verb === 'help') {
    cmd.args = items.slice(1).map(describe);
    return cmd;
  }
  if (!info.objects && verb !== 'save' && verb !== 'load' && verb !== 'submit') {
    if (!cur.atEnd()) throw syntaxError(`"${describe(cur.peek() as SyntaxNode)}" unexpected argument`, (cur.peek() as SyntaxNode).pos);
    return cmd;
  }
  const { path, unknown } = readPath(cur, opts);
  cmd.path = path;
  const key = path.join(' ');
  const def = getType(key);
  const cmdPath = COMMAND_PATHS[key];
  if (def && !info.objects) throw syntaxError(`"${verb}" is not available for "${key}"`, verbWord.pos);
  if (def) {
    cmd.typeKey = key;
    cmd.isObjectType = true;
  } else if (cmdPath) {
    cmd.typeKey = key;
    if (!cmdPath.verbs.includes(verb)) throw syntaxError(`"${verb}" is not available for "${key}"`, verbWord.pos);
    shapeConfigOptions(cmd, commandPathOptions(key, verb), cur, cmdPath.valueOptions);
    return cmd;
  } else if (unknown) {
    if (!info.objects || (opts.unknownTypes === 'error' && !keptTypeCommand(verb, path, unknown.text))) {
      const choices = nextPathWords(path);
      const hint = choices.length ? ` (expected ${choices.join(', ')})` : '';
      throw syntaxError(`"${unknown.text}" unknown property${hint}`, unknown.pos);
    }
    cur.next();
    cmd.path = [...path, unknown.text];
  } else if (verb === 'create' || verb === 'modify' || verb === 'delete' || !info.objects) {
    const choices = nextPathWords(path);
    throw syntaxError(`incomplete command: expected one of ${choices.join(', ')}`, endPos(end, cur));
  }
  if (verb === 'create' || verb === 'modify') shapeEdit(cmd, def, cur, end);
  else if (verb === 'delete') {
    if (cur.atEnd()) throw syntaxError('one or more configuration identifiers must be provided', end);
    while (!cur.atEnd()) cmd.targets.push(...targetOf(cur.next() as SyntaxNode));
  } else shapeDisplay(cmd, def, cur);
  return cmd;
}
