/**
 * `save sys config [file PATH]` writes bigip.conf (full paths, numeric ports, `#TMSH-VERSION:`),
 * with certificate and key PEMs beside it in `PATH.files/` (0700; files 0600), as BIG-IP keeps
 * them in its filestore. `load sys config [merge] file PATH [skip-unknown]` parses the whole file
 * first, then resolves references once everything is read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, ErrorCodes, OBJECT_TYPES } from '@openltm/model';
import { parseScript, type ObjectStatement, type Property } from '@openltm/parser';
import { builtinProps, resetBuiltins } from './builtins';
import type { ObjectRecord } from './object-repository';
import type { ObjectOperations } from './object-operations';
import { listedProps } from './list-command';
import { isProps, sameValue, type StoredProps } from './stored-value';
import { formatBlock, itemsOf, type Item } from './format/list-format';
import { quote } from './format/values';

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

/** True when a built-in still has the values a new store gives it (then it is not saved). */
function isPristineBuiltin(rec: ObjectRecord): boolean {
  const props = builtinProps(rec.type, rec.path);
  return props === undefined || sameValue(props, rec.props);
}

/** The bigip.conf text of the whole configuration; PEMs and secrets are written to `dir`. */
export function saveConfig(ops: ObjectOperations, file: string): { objects: number } {
  const dir = filesDir(file);
  const secrets: Secrets = { keys: {}, chains: {} };
  const blocks: string[] = [`#TMSH-VERSION: ${TMSH_VERSION}`, ''];
  let objects = 0;
  let dirReady = false;
  /** Files written into `dir` by this save; anything else there is stale key material and goes. */
  const written = new Set<string>();
  const ensureDir = () => {
    if (!dirReady) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    dirReady = true;
  };
  for (const def of OBJECT_TYPES) {
    for (const rec of ops.repo.all(def.key)) {
      if (rec.builtin && isPristineBuiltin(rec)) continue;
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
      blocks.push(formatBlock(def, rec.path, items, style));
      objects++;
    }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFile0600(tmp, blocks.join('\n') + '\n');
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
  /** Objects created or replaced, by type. */
  loaded: Record<string, number>;
  /** Statements of types openltm does not implement, by type words. */
  skippedTypes: Record<string, number>;
  /** Unknown properties of known types, dropped (`ltm virtual rules`). */
  droppedProperties: Record<string, number>;
  /** Objects deliberately not loaded (this store's own built-in certificate and key), with the reason. */
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
  const summary: LoadSummary = { file, loaded: {}, skippedTypes: {}, droppedProperties: {}, skippedObjects: [] };
  const objects: ObjectStatement[] = [];
  for (const s of parsed.statements) {
    if (s.kind === 'object') objects.push(s);
    else if (s.kind === 'raw-object') count(summary.skippedTypes, s.typeWords.join(' ') || s.path.join(' '));
    else count(summary.skippedTypes, `${s.verb} command`);
  }
  for (const o of objects) {
    for (const p of o.properties) {
      if (p.kind === 'raw-property' && !(p.name === 'cache-path' && o.typeKey.startsWith('sys file '))) count(summary.droppedProperties, `${o.typeKey} ${p.name}`);
      if (p.kind === 'property') stripNestedRaw(p, `${o.typeKey} ${p.name}`, summary.droppedProperties);
    }
  }
  const unknown = Object.keys(summary.skippedTypes).length + Object.keys(summary.droppedProperties).length;
  if (unknown && !opts.skipUnknown) {
    const list = (m: Record<string, number>) => Object.entries(m).sort().map(([k, n]) => `${k} (${n})`).join(', ');
    const parts = [];
    if (Object.keys(summary.skippedTypes).length) parts.push(`object types openltm does not implement: ${list(summary.skippedTypes)}`);
    if (Object.keys(summary.droppedProperties).length) parts.push(`unknown properties: ${list(summary.droppedProperties)}`);
    throw new ConfigError(ErrorCodes.CONFIG_ERROR, `Configuration error: ${file} has ${parts.join('; ')}. Nothing was loaded; add skip-unknown to load the rest.`);
  }
  ops.repo.preload(OBJECT_TYPES.map((d) => d.key));
  if (!opts.merge) clearUserConfig(ops);
  const secrets = readSecrets(file);
  applyObjects(ops, objects, secrets, summary);
  return summary;
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
}

/**
 * Creates or replaces every object, then checks the whole result once. skip-unknown has already
 * removed what openltm does not implement (types, properties); any other failure (a missing
 * reference, a bad value, a key that does not match) fails the whole load and nothing changes.
 */
function applyObjects(ops: ObjectOperations, objects: ObjectStatement[], secrets: Secrets, summary: LoadSummary): void {
  const loaded: ObjectRecord[] = [];
  for (const o of objects) {
    const props = withSecrets(o, secrets).filter((p) => p.kind === 'property');
    const cache = o.properties.find((p) => p.kind === 'raw-property' && p.name === 'cache-path');
    const pemPath = cache && cache.kind === 'raw-property' ? cache.values.map((v) => (v.kind === 'block' ? '' : v.text)).join('') : undefined;
    const ctx = { folder: '/Common', position: o.pos, mode: 'load' as const, pemPath: pemPath && fs.existsSync(pemPath) ? pemPath : undefined };
    const existing = ops.repo.get(o.typeKey, o.name);
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
  for (const r of loaded) if (ops.repo.getById(r.id)) count(summary.loaded, r.type);
}

/** The text `load sys config` prints. */
export function formatLoadSummary(s: LoadSummary): string {
  const list = (m: Record<string, number>) => Object.entries(m).sort().map(([k, n]) => `${k} (${n})`).join(', ');
  const total = Object.values(s.loaded).reduce((a, b) => a + b, 0);
  const lines = ['Loading configuration...', `  ${s.file}`, `Loaded ${total} objects${total ? `: ${list(s.loaded)}` : ''}.`];
  const skippedTypes = Object.values(s.skippedTypes).reduce((a, b) => a + b, 0);
  if (skippedTypes) lines.push(`Skipped ${skippedTypes} objects of types openltm does not implement: ${list(s.skippedTypes)}.`);
  if (Object.keys(s.droppedProperties).length) lines.push(`Dropped unknown properties: ${list(s.droppedProperties)}.`);
  if (s.skippedObjects.length) {
    lines.push(`Skipped ${s.skippedObjects.length} objects that could not be loaded:`);
    for (const o of s.skippedObjects) lines.push(`  ${o.type} ${o.name}: ${o.reason}`);
  }
  return lines.join('\n') + '\n';
}

