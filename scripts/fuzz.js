#!/usr/bin/env node
/**
 * `npm run fuzz -- --runs N --seed S [--parallel P] [--strict]`: the session fuzzer for as long as
 * asked. N is the number of fast-check runs; each run plays a batch of 1..P concurrent sessions
 * (the total is printed). Without --seed a fresh seed is chosen and printed. --strict leaves out
 * the TAB / leading-whitespace / control-byte variants of command lines.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const runs = Number(opt('runs', 1000));
const seed = Number(opt('seed', Math.floor(Math.random() * 2 ** 31)));
const parallel = Number(opt('parallel', 6));
if (!Number.isInteger(runs) || runs <= 0 || !Number.isInteger(seed) || !Number.isInteger(parallel) || parallel <= 0) {
  console.error('usage: npm run fuzz -- [--runs N] [--seed S] [--parallel P] [--strict]');
  process.exit(2);
}
const root = path.join(__dirname, '..');
const env = {
  ...process.env,
  FUZZ_RUNS: String(runs),
  FUZZ_SEED: String(seed),
  FUZZ_PARALLEL: String(parallel),
  FUZZ_LENIENT: args.includes('--strict') ? '0' : '1',
  FUZZ_PROGRESS: opt('progress', '5000'),
  FUZZ_TIMEOUT_MS: String(Math.max(120_000, runs * parallel * 200)),
};
const jest = require.resolve('jest/bin/jest', { paths: [root] });
const r = spawnSync(process.execPath, [jest, '--runInBand', 'packages/dataplane/test/fuzz/session-fuzz.test.ts'], { cwd: root, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
