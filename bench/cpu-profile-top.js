#!/usr/bin/env node
/**
 * The costliest functions of V8 CPU profiles (node --cpu-prof), self time summed over every file
 * given (a daemon's primary and workers), with each one's share of the busy (non-idle) time and,
 * given the number of sessions the profiles saw, microseconds per session.
 *
 *   node bench/cpu-profile-top.js [--top 25] [--sessions N] DIR/*.cpuprofile
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
let top = 25;
let sessions = 0;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (args[i] === '--sessions') sessions = Number(args[++i]);
  else files.push(args[i]);
}

const self = new Map();
let busy = 0;
let total = 0;
for (const file of files) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const dt = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    dt.set(id, (dt.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  for (const [id, us] of dt) {
    const n = byId.get(id);
    const f = n.callFrame;
    total += us;
    if (f.functionName === '(idle)') continue;
    busy += us;
    const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`;
    self.set(key, (self.get(key) ?? 0) + us);
  }
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(`profiles: ${files.length}; sampled ${(total / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s${sessions ? `; ${sessions} sessions, ${(busy / sessions).toFixed(0)} us busy per session` : ''}`);
for (const [key, us] of rows) {
  console.log(`${((100 * us) / busy).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms${sessions ? `  ${(us / sessions).toFixed(1).padStart(7)} us/sess` : ''}  ${key}`);
}
