#!/usr/bin/env node
/**
 * `node scripts/corpus-counts.js [FILE...]` (after `npm run build`): loads each bigip.conf (by
 * default every configuration file of the corpus in packages/parser/test/fixtures/corpus) into a
 * new store without skip-unknown and prints, per file and in total, the top-level objects and how
 * many were loaded first-class (modelled), loaded preserved (kept as they came, stored only),
 * named this store's own built-ins (BIG-IP's default.crt/default.key: the store keeps its own), or
 * refused (a load is all or nothing: a refused file refuses all its objects), with why; and what
 * is kept but not acted on: virtuals not served, unresolved references (a fragment of an estate),
 * incomplete objects, and other objects with a setting openltm does not honour.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Session, Store, generateSelfSigned } = require('../packages/store');

const dir = path.join(__dirname, '../packages/parser/test/fixtures/corpus');
const args = process.argv.slice(2);
const files = args.length ? args : fs.readdirSync(dir).filter((f) => /\.conf$/.test(f) || /(^|__)list_.*\.txt$/.test(f)).sort().map((f) => path.join(dir, f));

/** Top-level statements: a line starting in column 1 at brace depth 0 (braces counted the Tcl way). */
function countTopLevel(text) {
  let depth = 0;
  let n = 0;
  for (const line of text.split('\n')) {
    if (depth === 0 && /^[a-z]/.test(line)) n++;
    for (let i = 0; i < line.length; i++) {
      if (line[i] === '\\') i++;
      else if (line[i] === '{') depth++;
      else if (line[i] === '}') depth--;
    }
  }
  return n;
}

const sum = (m) => Object.values(m).reduce((a, b) => a + b, 0);
const pair = generateSelfSigned();
const totals = { objects: 0, firstClass: 0, preserved: 0, builtin: 0, refused: 0, notServed: 0, unresolved: 0, incomplete: 0, notActedOn: 0 };
const rows = [];
for (const file of files) {
  const objects = countTopLevel(fs.readFileSync(file, 'utf8'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-counts-'));
  const store = Store.open(path.join(tmp, 'config.db'), { defaultCertificate: pair });
  const row = { file: path.basename(file), objects, firstClass: 0, preserved: 0, builtin: 0, refused: 0, notServed: 0, unresolved: 0, incomplete: 0, notActedOn: 0, why: '' };
  try {
    const s = store.execute(`load sys config merge file ${file}`, new Session()).data;
    row.firstClass = sum(s.loaded);
    row.preserved = sum(s.preserved);
    row.builtin = s.skippedObjects.length;
    row.notServed = s.notServed.length;
    row.unresolved = s.unresolved.length;
    row.incomplete = s.incomplete.length;
    row.notActedOn = s.poolsNotServed.length + s.notActedOn.length + s.missingFiles.length;
  } catch (err) {
    row.refused = objects;
    row.why = String(err);
  } finally {
    store.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  rows.push(row);
  for (const k of Object.keys(totals)) totals[k] += row[k];
}
const w = Math.max(...rows.map((r) => r.file.length), 5);
const cols = [['objects', 'objects'], ['first-class', 'firstClass'], ['preserved', 'preserved'], ['built-in', 'builtin'], ['refused', 'refused'], ['vs not served', 'notServed'], ['unresolved refs', 'unresolved'], ['incomplete', 'incomplete'], ['other not acted on', 'notActedOn']];
const line = (name, r) => `${name.padEnd(w)}${cols.map(([h, k]) => `  ${String(r[k]).padStart(h.length)}`).join('')}`;
console.log(`${'file'.padEnd(w)}${cols.map(([h]) => `  ${h}`).join('')}`);
for (const r of rows) console.log(`${line(r.file, r)}${r.why ? `\n${' '.repeat(w)}  refused: ${r.why}` : ''}`);
console.log(line('total', totals));
