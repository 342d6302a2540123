#!/usr/bin/env node
/**
 * How fast a configuration change takes effect: from a new generation to a new virtual
 * accepting connections, and to a disabled one refusing them (target: noticed within 100 ms).
 * Also the cost of one reconcile run over many unchanged virtuals. Run after `npx tsc -b`.
 */
'use strict';
const net = require('node:net');
const pino = require('pino');
const { DataPlane, diff } = require('../packages/dataplane/dist');

const connects = (port) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1', () => {
    s.destroy();
    resolve(true);
  });
  s.on('error', () => resolve(false));
});

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${s[0]} ms, median ${s[s.length >> 1]} ms, max ${s[s.length - 1]} ms`;
};

async function main() {
  const state = { generation: 1, virtuals: [], pools: [], monitors: [] };
  const source = { generation: () => state.generation, read: () => structuredClone(state) };
  const dp = new DataPlane({ source, sink: { write() {} }, logger: pino({ level: 'silent' }), drainTimeoutMs: 100 });
  await dp.start();
  const up = [];
  const down = [];
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    const vs = { name: `/Common/v${i}`, enabled: true, address: '127.0.0.1', port, idleTimeout: 60, connectionLimit: 0 };
    let t0 = Date.now();
    state.virtuals = [vs];
    state.generation++;
    while (!(await connects(port))) await new Promise((r) => setTimeout(r, 1));
    up.push(Date.now() - t0);
    t0 = Date.now();
    state.virtuals = [{ ...vs, enabled: false }];
    state.generation++;
    while (await connects(port)) await new Promise((r) => setTimeout(r, 1));
    down.push(Date.now() - t0);
  }
  await dp.stop();
  console.log(`new virtual accepting after a generation change (poll 50 ms): ${stats(up)}`);
  console.log(`disabled virtual refusing after a generation change:         ${stats(down)}`);

  for (const n of [100, 1000, 10000]) {
    const virtuals = Array.from({ length: n }, (_, i) => ({
      name: `/Common/v${i}`, enabled: true, address: '127.0.0.1', port: 10000 + i, idleTimeout: 300, pool: '/Common/p', connectionLimit: 0,
      smtps: { name: '/Common/smtps', activationMode: 'allow' },
    }));
    const actual = virtuals.map((v) => ({ name: v.name, running: structuredClone(v) }));
    const runs = n >= 10000 ? 20 : 200;
    const t = process.hrtime.bigint();
    for (let k = 0; k < runs; k++) diff({ virtuals }, actual, Date.now());
    const ms = Number(process.hrtime.bigint() - t) / 1e6 / runs;
    console.log(`diff over ${String(n).padStart(5)} unchanged virtuals: ${ms.toFixed(2)} ms`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
