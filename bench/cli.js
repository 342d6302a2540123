#!/usr/bin/env node
'use strict';
/**
 * Cold start of the CLI: median of 10 runs of `tmsh -c "list ltm pool p1"` against a store that
 * holds p1. Aim: under 300 ms. Run after `npm run build`: node bench/cli.js
 * Also prints what the start-up is made of (bare node, oclif, parser, store) so a regression can be
 * traced to its module.
 */
const { spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const REPO = join(__dirname, '..');
const TMSH = join(REPO, 'bin', 'tmsh');
const RUNS = 10;
const AIM_MS = 300;

const dir = mkdtempSync(join(tmpdir(), 'openltm-bench-'));
const env = { ...process.env, HOME: dir, OPENLTM_STORE: join(dir, 'config.db'), NODE_ENV: 'production' };

function timeRun(args, extraEnv = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env: { ...env, ...extraEnv }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function measure(label, args, extraEnv = {}, runs = RUNS) {
  timeRun(args, extraEnv); // warm the OS file cache; "cold" means a fresh process, not a cold disk
  const times = [];
  let stdout = '';
  for (let i = 0; i < runs; i++) {
    const r = timeRun(args, extraEnv);
    times.push(r.ms);
    stdout = r.stdout;
  }
  const m = median(times);
  console.log(`${label.padEnd(44)} median ${m.toFixed(1).padStart(7)} ms  (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)})`);
  return { median: m, stdout };
}

try {
  timeRun([TMSH, '-c', 'create ltm pool p1 members add { 127.0.0.1:2526 { address 127.0.0.1 } }']);
  console.log(`cold starts, ${RUNS} runs each (node ${process.version}, ${require('node:os').cpus().length} cpus)\n`);
  const node = measure('node -e 0 (bare node)', ['-e', '0']);
  const req = (m) => ['-e', `require(${JSON.stringify(m)})`];
  measure('require @oclif/core', req(require.resolve('@oclif/core', { paths: [join(REPO, 'packages', 'cli')] })));
  measure('require parser (chevrotain + grammar)', req(join(REPO, 'packages', 'parser', 'dist')));
  measure('require store (better-sqlite3 + parser)', req(join(REPO, 'packages', 'store', 'dist')));
  measure('tmsh --help', [TMSH, '--help']);
  const viaOclif = measure('tmsh -c "list ltm pool p1" through oclif', [TMSH, '-c', 'list ltm pool p1'], { OPENLTM_TMSH_FAST_PATH: '0' });
  const tmsh = measure('tmsh -c "list ltm pool p1"', [TMSH, '-c', 'list ltm pool p1']);
  if (!/ltm pool p1 \{/.test(tmsh.stdout)) throw new Error(`unexpected output:\n${tmsh.stdout}`);
  console.log(`\ntmsh -c median: ${tmsh.median.toFixed(1)} ms; aim ${AIM_MS} ms; ratio ${(tmsh.median / AIM_MS).toFixed(2)} of the aim; ` +
    `${(tmsh.median - node.median).toFixed(1)} ms above bare node`);
  console.log(`fast path saves ${(viaOclif.median - tmsh.median).toFixed(1)} ms over loading oclif`);
  console.log(tmsh.median <= AIM_MS ? 'within aim' : 'OVER AIM');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
