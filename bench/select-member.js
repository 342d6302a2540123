#!/usr/bin/env node
/**
 * Cost of choosing a pool member per new session (PoolSet.acquire + release), by mode and pool
 * size. Run after `npx tsc -b`: node bench/select-member.js
 */
'use strict';
const { PoolSet } = require('../packages/dataplane/dist');
const pino = require('pino');

function pool(mode, size, minActiveMembers = 0) {
  const members = Array.from({ length: size }, (_, i) => ({
    name: `/Common/10.0.${i >> 8}.${i & 255}:25`, address: `10.0.${i >> 8}.${i & 255}`, port: 25,
    ratio: 1 + (i % 4), priorityGroup: i % 3, connectionLimit: 0, state: 'user-up', session: 'user-enabled',
  }));
  return { name: '/Common/p', loadBalancingMode: mode, minActiveMembers, monitor: { monitors: [], minimum: 'all' }, members };
}

const N = 200_000;
console.log(`node ${process.version}; ${N} acquire+release per row`);
for (const size of [2, 10, 100, 1000]) {
  for (const [mode, min] of [['round-robin', 0], ['ratio-member', 0], ['least-connections-member', 0], ['round-robin', 2]]) {
    const pools = new PoolSet(pino({ level: 'silent' }), () => undefined);
    pools.configure([pool(mode, size, min)]);
    const n = size >= 1000 ? N / 10 : N;
    const held = [];
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      held.push(pools.acquire('/Common/p'));
      // Keep ~50 sessions open so least-connections has something to compare.
      if (held.length > 50) held.shift().release();
    }
    const ns = Number(process.hrtime.bigint() - start) / n;
    const label = `${mode}${min ? ` + priority groups (min ${min})` : ''}`;
    console.log(`${String(size).padStart(5)} members  ${label.padEnd(40)} ${(ns / 1000).toFixed(2).padStart(7)} us/choice  ${(1e9 / ns / 1e6).toFixed(2)} M/s`);
  }
}
