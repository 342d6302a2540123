#!/usr/bin/env node
/**
 * Parser throughput: generates a ~100,000-line bigip.conf (monitors, nodes, pools with members,
 * profiles, virtuals) and reports lines/s and MB/s of parseScript (median of several runs).
 * Run after `npx tsc -b`: node --expose-gc bench/parse.js [lines] [runs] (with --expose-gc, the heap is
 * collected between runs so each run starts alike).
 */
'use strict';
const { parseScript } = require('../packages/parser/dist');

const targetLines = Number(process.argv[2] || 100000);
const runs = Number(process.argv[3] || 7);

function generate(lines) {
  const out = ['#TMSH-VERSION: 14.1.2', ''];
  for (let i = 0; out.length < lines; i++) {
    const a = `10.${(i >> 8) & 255}.${i & 255}`;
    out.push(
      `ltm monitor smtp /Common/smtp_mon_${i} {`, '    defaults-from /Common/smtp', '    destination *:*', `    domain mail${i}.example.com`, '    interval 5', '    timeout 16', '}',
      `ltm node /Common/${a}.1 {`, `    address ${a}.1`, '}',
      `ltm pool /Common/pool_${i} {`, '    load-balancing-mode round-robin', '    members {',
      `        /Common/${a}.1:25 {`, `            address ${a}.1`, '            session monitor-enabled', '            state up', '        }',
      `        /Common/${a}.2:25 {`, `            address ${a}.2`, '            ratio 2', '        }',
      '    }', `    monitor /Common/smtp_mon_${i} and /Common/tcp`, '}',
      `ltm profile client-ssl /Common/cssl_${i} {`, '    app-service none', '    cert-key-chain {', '        default {', '            cert /Common/default.crt',
      '            key /Common/default.key', '        }', '    }', '    defaults-from /Common/clientssl', '    inherit-certkeychain true', '}',
      `ltm profile smtps /Common/smtps_${i} {`, '    activation-mode require', '    app-service none', '    defaults-from /Common/smtps', '}',
      `ltm virtual /Common/vs_${i} {`, `    description "SMTP virtual number ${i}"`, `    destination /Common/192.0.${(i >> 8) & 255}.${i & 255}:25`, '    ip-protocol tcp',
      '    mask 255.255.255.255', `    pool /Common/pool_${i}`, '    profiles {', `        /Common/cssl_${i} {`, '            context clientside', '        }',
      `        /Common/smtps_${i} { }`, '        /Common/tcp { }', '    }', '    source 0.0.0.0/0', '    source-address-translation {', '        type automap',
      '    }', '    translate-address enabled', '    translate-port enabled', '}',
    );
  }
  return out.join('\n') + '\n';
}

const text = generate(targetLines);
const lines = text.split('\n').length - 1;
const mb = Buffer.byteLength(text) / 1e6;
let statements = 0;

/** Times `runs` parses; with `collect`, the heap is collected before each (a fresh process's heap). */
function measure(collect) {
  const times = [];
  for (let r = 0; r < runs; r++) {
    if (collect) global.gc();
    const t0 = process.hrtime.bigint();
    const res = parseScript(text, { source: 'bench.conf' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (res.errors.length) throw res.errors[0];
    statements = res.statements.length;
  }
  return times;
}

function report(label, times) {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const lps = lines / (median / 1000);
  console.log(`${label}: runs (ms) ${times.map((t) => t.toFixed(0)).join(' ')}`);
  console.log(`  median ${median.toFixed(0)} ms -> ${Math.round(lps).toLocaleString('en-US')} lines/s, ${(mb / (median / 1000)).toFixed(1)} MB/s; ` +
    `target 200,000 lines/s ${lps >= 200000 ? 'met' : 'NOT met'} (ratio ${(lps / 200000).toFixed(2)})`);
}

const warm = measure(false);
console.log(`input: ${lines} lines, ${mb.toFixed(2)} MB, ${statements} statements (first run, cold JIT: ${warm[0].toFixed(0)} ms)`);
report('warm heap', warm);
if (global.gc) report('heap collected before each run', measure(true));
else console.log('(run with node --expose-gc to also measure from a collected heap)');
