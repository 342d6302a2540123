/**
 * `save sys config [file PATH]` writes bigip.conf (full paths, numeric ports, `#TMSH-VERSION:`),
 * with certificate and key PEMs beside it in `PATH.files/` (0700; files 0600), as BIG-IP keeps
 * them in its filestore. `load sys config [merge] file PATH [skip-unknown]` parses the whole file
 * first, then resolves references once everything is read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, ErrorCodes, OBJECT_TYPES } from '@openltm/model';
import { parseScript, type ObjectStatement, type Property, type RawObjectStatement } from '@openltm/parser';
import { builtinProps, resetBuiltins } from './builtins';
import type { ObjectRecord } from './object-repository';
import type { ObjectOperations } from './object-operations';
import { listedProps } from './list-command';
import { isProps, sameValue, type StoredProps } from './stored-value';
import { formatBlock, itemsOf, type Item } from './format/list-format';
import { quote } from './format/values';
import { formatPreserved, isKept, isPreservedType, preservedProps, MISSING_FILE_KEY } from './preserved';
import { FOLDER_TYPE, PARTITION_TYPE, ensureFolder, folderOf } from './folders';
import { notServedReasons } from './validate/rules';
import { storedOnlyInEffect } from './stored-only';
import { fullPath } from './names';
import { INCOMPLETE_KEY, isInternalType, unresolvedRefs } from './unresolved';

export const TMSH_VERSION = '14.1.0';

function filesDir(file: string): string {
  return `${file}.files`;
}

function fileName(p: string): string {
  return p.replace(/^\//, '').replace(/\//g, '_');
}

/** Secrets (passphrases) go beside the PEMs, never into the conf text. */
interface Secrets {
  keys: Record<string, string>;
  chains: Record<string, Record<string, string>>;
}

function writeFile0600(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/**
 * The partition a record is saved with: its path's, a partition's own name, a folder's first
 * component; objects that live in no folder (`sys db`, singletons) go with /Common.
 */
function partitionOfRecord(type: string, path: string): string {
  if (type === PARTITION_TYPE) return path === 'Common' ? 'Common' : path;
  return path.startsWith('/') ? path.split('/')[1] || 'Common' : 'Common';
}

/** True when a built-in still has the values a new store gives it (then it is not saved). */
function isPristineBuiltin(rec: ObjectRecord): boolean {
  const props = builtinProps(rec.type, rec.path);
  return props === undefined || sameValue(props, rec.props);
}

/** The bigip.conf text of the whole configuration; PEMs and secrets are written to `dir`. */
export function saveConfig(ops: ObjectOperations, file: string): { objects: number } {
  const dir = filesDir(file);
  const secrets: Secrets = { keys: {}, chains: {} };
  /** Each object's text with its partition, to write /Common first and then each partition in turn. */
  const blocks: Array<{ partition: string; text: string }> = [];
  let objects = 0;
  let dirReady = false;
  /** Files written into `dir` by this save; anything else there is stale key material and goes. */
  const written = new Set<string>();
  const ensureDir = () => {
    if (!dirReady) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    dirReady = true;
  };
  const preservedTypes = ops.repo.types().filter(isPreservedType);
  // Partitions and folders first (a reader meets the folders before what sits in them), then
  // the modelled types in their order, then everything kept as it came.
  const namespaces: string[] = preservedTypes.filter((t) => t === PARTITION_TYPE || t === FOLDER_TYPE);
  const isNamespace = (t: string) => namespaces.includes(t);
  const others = preservedTypes.filter((t) => !isNamespace(t));
  const writePreserved = (types: string[]) => {
    for (const t of types) {
      for (const rec of ops.repo.all(t)) {
        blocks.push({ partition: partitionOfRecord(t, rec.path), text: formatPreserved(t, rec.path, rec.props, {}) });
        objects++;
      }
    }
  };
  writePreserved(namespaces);
  for (const def of OBJECT_TYPES) {
    for (const rec of ops.repo.all(def.key)) {
      if (rec.builtin && isPristineBuiltin(rec)) continue;
      if (isKept(rec)) {
        blocks.push({ partition: partitionOfRecord(def.key, rec.path), text: formatPreserved(def.key, rec.path, rec.props, {}) });
        objects++;
        continue;
      }
      const style = { mode: 'save' as const, folder: '/Common' };
      const props = listedProps(ops, def, rec, { save: true });
      const items: Item[] = itemsOf(def.properties, props, style);
      if (def.key.startsWith('sys file ') && !rec.builtin) {
        const pem = ops.repo.getFile(rec.id);
        if (pem) {
          ensureDir();
          const copy = path.join(dir, fileName(rec.path));
          writeFile0600(copy, pem.pem);
          written.add(path.basename(copy));
          if (pem.passphrase) secrets.keys[rec.path] = pem.passphrase;
          items.push({ key: 'cache-path', value: quote(copy) });
          items.sort((a, b) => (a.key < b.key ? -1 : 1));
        }
      }
      const chain = rec.props['cert-key-chain'];
      if (isProps(chain)) {
        for (const [name, e] of Object.entries(chain)) {
          if (isProps(e) && typeof e.passphrase === 'string' && e.passphrase !== 'none') {
            (secrets.chains[rec.path] ??= {})[name] = e.passphrase;
          }
        }
      }
      blocks.push({ partition: partitionOfRecord(def.key, rec.path), text: formatBlock(def, rec.path, items, style, props) });
      objects++;
    }
  }
  writePreserved(others);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  // Grouped by partition as BIG-IP keeps them (bigip.conf, then partitions/NAME/bigip.conf), in one file.
  const rank = (p: string) => (p === 'Common' ? '' : p);
  const ordered = blocks.map((b, i) => ({ ...b, i })).sort((a, b) => (rank(a.partition) < rank(b.partition) ? -1 : rank(a.partition) > rank(b.partition) ? 1 : a.i - b.i));
  writeFile0600(tmp, [`#TMSH-VERSION: ${TMSH_VERSION}`, '', ...ordered.map((b) => b.text)].join('\n') + '\n');
  fs.renameSync(tmp, file);
  if (Object.keys(secrets.keys).length || Object.keys(secrets.chains).length) {
    ensureDir();
    writeFile0600(path.join(dir, 'secrets.json'), JSON.stringify(secrets));
    written.add('secrets.json');
  }
  removeStale(dir, written);
  return { objects };
}

/**
 * PEM copies and secrets of objects deleted since the last save (and a secrets.json when no
 * secret is left) are removed: stale key material must not outlive its object.
 */
function removeStale(dir: string, written: ReadonlySet<string>): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const name of names) if (!written.has(name)) fs.rmSync(path.join(dir, name), { force: true, recursive: true });
}

export interface LoadOptions {
  merge: boolean;
  skipUnknown: boolean;
}

export interface LoadSummary {
  file: string;
  /** Modelled objects created or replaced, by type (partitions and folders included). */
  loaded: Record<string, number>;
  /** Objects of types openltm does not model, kept as they came (stored only), by type. */
  preserved: Record<string, number>;
  /** Properties openltm does not model on modelled objects, kept as they came (stored only), by `type property`. */
  keptProperties: Record<string, number>;
  /** Modelled properties marked stored only in the schema (`ltm virtual rules`) that loaded objects set, by `type property`. */
  storedOnlySettings: Record<string, number>;
  /** Virtual servers kept but not served (no listener), with why. */
  notServed: { name: string; reasons: string[] }[];
  /** Pools kept but not served (a load-balancing mode openltm does not implement), with why. */
  poolsNotServed: { name: string; reasons: string[] }[];
  /** Other objects kept but not acted on (a client-ssl profile with renegotiation enabled; the virtuals using them are not served), with why. */
  notActedOn: { name: string; reasons: string[] }[];
  /** Certificates and keys kept without their PEM (the file named was not readable here). */
  missingFiles: { name: string; reason: string }[];
  /** References from modelled objects to what openltm does not run (a pool's `monitor /Common/http`). */
  unmodeledReferences: { object: string; via: string; target: string }[];
  /** References to objects nowhere in the store or the file (a fragment of an estate): kept by name, the object not acted on until they exist. */
  unresolved: { object: string; via: string; kind: string; path: string }[];
  /** Objects kept without a property BIG-IP requires (a SNAT pool without members): not acted on until it is set. */
  incomplete: { object: string; reason: string }[];
  /** Partitions and folders the file's objects needed and it did not define, created by the load. */
  createdFolders: string[];
  /** With skip-unknown: statements of types openltm does not implement that were skipped, by type words. */
  skippedTypes: Record<string, number>;
  /** With skip-unknown: unknown properties of known types, dropped (`ltm virtual rules`). */
  droppedProperties: Record<string, number>;
  /** Objects deliberately not loaded (they name this store's own built-in certificate and key, which stand for them), with the reason. */
  skippedObjects: { type: string; name: string; reason: string }[];
}

const count = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

/** The passphrases saved beside `file`; none when there is no secrets.json. A corrupt one is an error, not "no secrets". */
function readSecrets(file: string): Secrets {
  const where = path.join(filesDir(file), 'secrets.json');
  let text: string;
  try {
    text = fs.readFileSync(where, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { keys: {}, chains: {} };
    throw new ConfigError(ErrorCodes.FILE, `Cannot read ${where}: ${(err as Error).message}.`);
  }
  try {
    const s = JSON.parse(text) as Partial<Secrets>;
    if (typeof s !== 'object' || s === null || typeof s.keys !== 'object' || typeof s.chains !== 'object') throw new Error('not a secrets object');
    return { keys: s.keys ?? {}, chains: s.chains ?? {} };
  } catch {
    throw new ConfigError(ErrorCodes.FILE, `${where} is corrupt (not the JSON openltm writes): nothing was loaded. Restore it from a backup or remove it and give the passphrases again.`);
  }
}

/** Adds saved secrets back as properties, since the conf text never holds them. */
function withSecrets(stmt: ObjectStatement, secrets: Secrets): Property[] {
  const props = [...stmt.properties];
  const pos = stmt.pos;
  const keyPass = secrets.keys[stmt.name];
  if (stmt.typeKey === 'sys file ssl-key' && keyPass && !props.some((p) => p.name === 'passphrase')) {
    props.push({ kind: 'property', name: 'passphrase', value: { kind: 'scalar', text: keyPass, quoted: true, pos }, pos });
  }
  const chains = secrets.chains[stmt.name];
  if (chains) {
    for (const p of props) {
      if (p.kind === 'property' && p.name === 'cert-key-chain' && p.value.kind === 'collection') {
        for (const e of p.value.entries) {
          const pass = chains[e.name];
          if (pass) e.properties = [...e.properties, { kind: 'property', name: 'passphrase', value: { kind: 'scalar', text: pass, quoted: true, pos }, pos }];
        }
      }
    }
  }
  return props;
}

export function loadConfig(ops: ObjectOperations, file: string, opts: LoadOptions): LoadSummary {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(ErrorCodes.FILE, `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`);
  }
  const parsed = parseScript(text, { source: file });
  if (parsed.errors.length) {
    const [first, ...rest] = parsed.errors;
    throw new ConfigError(first.code, `${file}: ${first.message}${rest.length ? ` (and ${rest.length} more errors)` : ''}`, { position: first.position, related: rest });
  }
  const summary: LoadSummary = {
    file, loaded: {}, preserved: {}, keptProperties: {}, storedOnlySettings: {}, notServed: [], poolsNotServed: [], notActedOn: [], missingFiles: [], unmodeledReferences: [], unresolved: [], incomplete: [], createdFolders: [], skippedTypes: {}, droppedProperties: {}, skippedObjects: [],
  };
  const objects: ObjectStatement[] = [];
  const raws: RawObjectStatement[] = [];
  for (const s of parsed.statements) {
    if (s.kind === 'object') objects.push(s);
    else if (s.kind === 'raw-object') {
      const type = s.typeWords.join(' ');
      if (opts.skipUnknown && type !== PARTITION_TYPE && type !== FOLDER_TYPE) count(summary.skippedTypes, type || s.path.join(' '));
      else raws.push(s);
    } else count(summary.skippedTypes, `${s.verb} command`);
  }
  const commands = Object.keys(summary.skippedTypes).filter((k) => k.endsWith(' command'));
  if (commands.length && !opts.skipUnknown) {
    throw new ConfigError(ErrorCodes.CONFIG_ERROR, `Configuration error: ${file} holds tmsh commands (${commands.join(', ')}), not configuration: run it as a script. Nothing was loaded.`);
  }
  for (const o of objects) {
    const isCache = (p: Property) => p.name === 'cache-path' && o.typeKey.startsWith('sys file ');
    if (opts.skipUnknown) {
      for (const p of o.properties) {
        if (p.kind === 'raw-property' && !isCache(p)) count(summary.droppedProperties, `${o.typeKey} ${p.name}`);
        if (p.kind === 'property') stripNestedRaw(p, `${o.typeKey} ${p.name}`, summary.droppedProperties);
      }
    } else {
      for (const p of o.properties) {
        if (p.kind === 'raw-property' && !isCache(p)) count(summary.keptProperties, `${o.typeKey} ${p.name}`);
        if (p.kind === 'property') countNestedRaw(p, `${o.typeKey} ${p.name}`, summary.keptProperties);
      }
    }
  }
  ops.repo.preload(OBJECT_TYPES.map((d) => d.key));
  if (!opts.merge) clearUserConfig(ops);
  const secrets = readSecrets(file);
  ops.loading = true;
  ops.unmodeled.length = 0;
  try {
    applyPreserved(ops, raws, objects, summary);
    applyObjects(ops, objects, secrets, summary, opts.skipUnknown);
  } finally {
    ops.loading = false;
  }
  for (const u of ops.unmodeled.splice(0)) {
    if (u.from.type === 'ltm virtual' && u.via === 'profiles') continue; // said by notServed
    summary.unmodeledReferences.push({ object: `${u.from.type} ${u.from.path}`, via: u.via, target: `${u.type} ${u.path}${u.builtin ? ' (a BIG-IP built-in)' : ''}` });
  }
  return summary;
}

/** Unknown properties inside entries (`members { a:25 { metadata { ... } } }`), counted; they are kept. */
function countNestedRaw(p: Property, label: string, counts: Record<string, number>): void {
  if (p.kind !== 'property') return;
  const walk = (props: Property[]) => {
    for (const q of props) {
      if (q.kind === 'raw-property') count(counts, `${label} ${q.name}`);
      else countNestedRaw(q, `${label} ${q.name}`, counts);
    }
  };
  if (p.value.kind === 'collection') for (const e of p.value.entries) walk(e.properties);
  if (p.value.kind === 'object') walk(p.value.properties);
}

/**
 * Objects of types openltm does not model, kept as they came; partitions and folders first, and
 * any folder the file's objects need but do not define is created (and reported).
 */
function applyPreserved(ops: ObjectOperations, raws: RawObjectStatement[], objects: ObjectStatement[], summary: LoadSummary): void {
  const rank = (t: string) => (t === PARTITION_TYPE ? 0 : t === FOLDER_TYPE ? 1 : 2);
  const entries = raws.map((s) => {
    const type = s.typeWords.join(' ');
    const name = s.typeWords.length < s.path.length ? s.path[s.path.length - 1] : '';
    return { s, type, name };
  });
  entries.sort((a, b) => rank(a.type) - rank(b.type));
  let i = 0;
  for (; i < entries.length && rank(entries[i].type) < 2; i++) putPreserved(ops, entries[i].type, entries[i].name, entries[i].s, summary);
  const needed = new Set<string>();
  for (const e of entries.slice(i)) if (e.name.startsWith('/')) needed.add(folderOf(e.name));
  for (const o of objects) if (o.name.startsWith('/')) needed.add(folderOf(o.name));
  for (const f of [...needed].sort()) summary.createdFolders.push(...ensureFolder(ops.repo, f));
  for (const e of entries.slice(i)) putPreserved(ops, e.type, e.name, e.s, summary);
}

function putPreserved(ops: ObjectOperations, type: string, name: string, s: RawObjectStatement, summary: LoadSummary): void {
  const props = preservedProps(s.body);
  const existing = ops.repo.get(type, name);
  if (existing) ops.repo.update(existing, props);
  else ops.repo.insert(type, name, props);
  count(type === PARTITION_TYPE || type === FOLDER_TYPE ? summary.loaded : summary.preserved, type);
}

/** Unknown properties inside entries (`members { a:25 { fqdn { ... } } }`) are counted and removed. */
function stripNestedRaw(p: Property, label: string, counts: Record<string, number>): void {
  if (p.kind !== 'property') return;
  const strip = (props: Property[]): Property[] =>
    props.filter((q) => {
      if (q.kind === 'raw-property') {
        count(counts, `${label} ${q.name}`);
        return false;
      }
      stripNestedRaw(q, `${label} ${q.name}`, counts);
      return true;
    });
  if (p.value.kind === 'collection') for (const e of p.value.entries) e.properties = strip(e.properties);
  if (p.value.kind === 'object') p.value.properties = strip(p.value.properties);
}

/** A full load replaces the user configuration: built-ins back to new, everything else gone. */
export function clearUserConfig(ops: ObjectOperations): void {
  ops.repo.preload(OBJECT_TYPES.map((d) => d.key));
  resetBuiltins(ops.repo);
  const user: ObjectRecord[] = [];
  for (const def of OBJECT_TYPES) for (const r of ops.repo.all(def.key)) if (!r.builtin) user.push(r);
  for (const r of user) ops.repo.setRefs(r.id, []);
  for (const def of OBJECT_TYPES) for (const r of ops.repo.all(def.key)) if (r.builtin) ops.repo.setRefs(r.id, []);
  for (const r of user) ops.repo.delete(r);
  // Preserved objects, partitions and folders go too (nothing refers from them).
  for (const t of ops.repo.types().filter(isPreservedType)) for (const r of ops.repo.all(t)) ops.repo.delete(r);
  // Placeholders of unresolved references: nothing waits on them any more.
  for (const t of ops.repo.types().filter(isInternalType)) for (const r of ops.repo.all(t)) ops.repo.delete(r);
}

/**
 * Creates or replaces every object, then checks the whole result once. skip-unknown has already
 * removed what openltm does not implement (types, properties); any other failure (a missing
 * reference, a bad value, a key that does not match) fails the whole load and nothing changes.
 */
function applyObjects(ops: ObjectOperations, objects: ObjectStatement[], secrets: Secrets, summary: LoadSummary, skipUnknown: boolean): void {
  const loaded: ObjectRecord[] = [];
  for (const o of objects) {
    // Unknown properties are kept (stored only) unless skip-unknown drops them; cache-path is the load's own.
    const props = withSecrets(o, secrets).filter((p) => p.kind === 'property' || (!skipUnknown && !(p.name === 'cache-path' && o.typeKey.startsWith('sys file '))));
    const cache = o.properties.find((p) => p.kind === 'raw-property' && p.name === 'cache-path');
    const pemPath = cache && cache.kind === 'raw-property' ? cache.values.map((v) => (v.kind === 'block' ? '' : v.text)).join('') : undefined;
    const ctx = { folder: '/Common', position: o.pos, mode: 'load' as const, pemPath: pemPath && fs.existsSync(pemPath) ? pemPath : undefined };
    const existing = ops.repo.get(o.typeKey, fullPath(o.name, '/Common'));
    if (existing?.builtin && o.typeKey.startsWith('sys file ')) {
      // default.crt / default.key belong to this store; another device's cannot replace them.
      summary.skippedObjects.push({ type: o.typeKey, name: o.name, reason: 'built-in: this store keeps its own default certificate and key' });
      continue;
    }
    const rec = existing ?? ops.create(o.typeKey, o.name, props, ctx);
    if (existing) ops.replace(existing, props, ctx);
    loaded.push(rec);
  }
  ops.check();
  for (const r of loaded) {
    const rec = ops.repo.getById(r.id);
    if (!rec) continue;
    count(summary.loaded, r.type);
    // Stored-only settings that differ from their defaults: what the file asked for that nothing does.
    for (const s of storedOnlyInEffect(rec.type, ops.effective(rec))) count(summary.storedOnlySettings, `${rec.type} ${s.property.split(' ')[0]}`);
    const reasons = notServedReasons(rec.props);
    if (reasons.length) (rec.type === 'ltm pool' ? summary.poolsNotServed : rec.type === 'ltm virtual' ? summary.notServed : summary.notActedOn).push({ name: `${rec.type === 'ltm pool' || rec.type === 'ltm virtual' ? '' : `${rec.type} `}${rec.path}`, reasons });
    for (const u of unresolvedRefs(rec.props)) summary.unresolved.push({ object: `${rec.type} ${rec.path}`, ...u });
    const incomplete = rec.props[INCOMPLETE_KEY];
    if (typeof incomplete === 'string') summary.incomplete.push({ object: `${rec.type} ${rec.path}`, reason: incomplete });
    const missing = rec.props[MISSING_FILE_KEY];
    if (typeof missing === 'string') summary.missingFiles.push({ name: `${rec.type} ${rec.path}`, reason: missing });
  }
}

/** The text `load sys config` prints. */
export function formatLoadSummary(s: LoadSummary): string {
  const list = (m: Record<string, number>) => Object.entries(m).sort().map(([k, n]) => `${k} (${n})`).join(', ');
  const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
  const total = sum(s.loaded);
  const lines = ['Loading configuration...', `  ${s.file}`, `Loaded ${total} objects${total ? `: ${list(s.loaded)}` : ''}.`];
  if (sum(s.preserved)) {
    lines.push(`Stored only: ${sum(s.preserved)} objects of types openltm does not implement, kept as they came (list and save show them; nothing acts on them): ${list(s.preserved)}.`);
  }
  if (sum(s.storedOnlySettings)) lines.push(`Stored only (openltm keeps these settings and does not act on them): ${list(s.storedOnlySettings)}.`);
  if (sum(s.keptProperties)) lines.push(`Stored only: ${sum(s.keptProperties)} properties openltm does not implement, kept as they came: ${list(s.keptProperties)}.`);
  if (s.notServed.length) {
    lines.push(`Not served: ${s.notServed.length} virtual servers are kept but get no listener:`);
    for (const v of s.notServed) lines.push(`  ${v.name}: ${v.reasons.join(' ')}`);
  }
  if (s.poolsNotServed.length) {
    lines.push(`Not served: ${s.poolsNotServed.length} pools are kept but get no data-plane pool (their virtual servers are not served):`);
    for (const v of s.poolsNotServed) lines.push(`  ${v.name}: ${v.reasons.join(' ')}`);
  }
  if (s.unresolved.length) {
    lines.push(`Unresolved: ${s.unresolved.length} references to objects neither the file nor the configuration defines, kept by name (the object is not acted on until what it names exists):`);
    for (const u of s.unresolved) lines.push(`  ${ErrorCodes.NOT_FOUND}:3: The requested ${u.kind} (${u.path}) was not found. Kept: ${u.object} (${u.via}) is not acted on until it exists.`);
  }
  if (s.incomplete.length) {
    lines.push(`Incomplete: ${s.incomplete.length} objects kept without a property BIG-IP requires (not acted on until it is set):`);
    for (const o of s.incomplete) lines.push(`  ${ErrorCodes.CONFIG_ERROR}:3: Configuration error: ${o.reason} Kept: ${o.object} is not acted on until it is set.`);
  }
  if (s.notActedOn.length) {
    lines.push(`Not acted on: ${s.notActedOn.length} objects are kept with a setting openltm does not honour (the virtual servers using them are not served):`);
    for (const v of s.notActedOn) lines.push(`  ${v.name}: ${v.reasons.join(' ')}`);
  }
  if (s.missingFiles.length) {
    lines.push(`Kept without their PEM (import them again with modify ... source-path file:PATH; a virtual whose TLS needs one is not served): ${s.missingFiles.length}:`);
    for (const f of s.missingFiles) lines.push(`  ${f.name}: ${f.reason}`);
  }
  if (s.unmodeledReferences.length) {
    lines.push(`Not run: ${s.unmodeledReferences.length} references to objects openltm does not implement (a monitor that is not run marks its members down):`);
    for (const u of s.unmodeledReferences) lines.push(`  ${u.object} ${u.via} -> ${u.target}`);
  }
  if (s.createdFolders.length) lines.push(`Created ${s.createdFolders.length} partitions and folders the file's objects need and it does not define: ${s.createdFolders.join(', ')}.`);
  if (sum(s.skippedTypes)) lines.push(`Skipped ${sum(s.skippedTypes)} objects of types openltm does not implement: ${list(s.skippedTypes)}.`);
  if (Object.keys(s.droppedProperties).length) lines.push(`Dropped unknown properties: ${list(s.droppedProperties)}.`);
  if (s.skippedObjects.length) {
    lines.push(`Kept as this store's own: ${s.skippedObjects.length} objects name this store's built-ins, which it keeps (the file's copy is not loaded):`);
    for (const o of s.skippedObjects) lines.push(`  ${o.type} ${o.name}: ${o.reason}`);
  }
  return lines.join('\n') + '\n';
}
