/**
 * Property: any valid configuration, saved and loaded into an empty store, lists identically.
 */
import * as path from 'node:path';
import fc from 'fast-check';
import { openTestStore, writePair, type TestStore } from './helpers';

const TYPES = ['sys file ssl-cert', 'sys file ssl-key', 'ltm monitor smtp', 'ltm monitor tcp', 'ltm node', 'ltm pool', 'ltm profile client-ssl', 'ltm profile server-ssl', 'ltm profile smtps', 'ltm profile tcp', 'ltm virtual'];

function listAll(s: TestStore): string {
  const text = TYPES.flatMap((k) => [s.run(`list ${k}`), s.run(`list ${k} all-properties`), s.run(`list ${k} one-line`)]).join('');
  // default.crt / default.key are made per store: their facts differ by design.
  return text.replace(/sys file ssl-(cert|key) default\.(crt|key) \{[^\n]*\}\n/g, '').replace(/sys file ssl-(cert|key) default\.(crt|key) \{[\s\S]*?\n\}\n/g, '');
}

const name = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/);
const text = fc.oneof(fc.constantFrom('mail relay', 'a "quoted" word', 'x', 'semi;colon', 'tab\there', 'brace { }'), fc.stringMatching(/^[A-Za-z0-9 _.-]{1,20}$/));
const quoted = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const ipv4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 254 })).map((p) => p.join('.'));
const ipv6 = fc.tuple(fc.integer({ min: 1, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([a, b]) => `2001:db8:${a.toString(16)}::${b.toString(16)}`);
const port = fc.oneof(fc.constantFrom(25, 465, 587, 2525), fc.integer({ min: 1, max: 65535 }));
// Route domains (%N) are refused until supported (validate/unsupported.ts).
const hostPort = fc.tuple(fc.oneof(ipv4, ipv6), port).map(([a, p]) => (a.includes(':') ? `${a}.${p}` : `${a}:${p}`));

const config = fc.record({
  monitors: fc.uniqueArray(fc.record({ name, kind: fc.constantFrom('smtp', 'tcp'), interval: fc.integer({ min: 1, max: 60 }), description: fc.option(text), domain: fc.option(fc.constantFrom('example.com', 'mx.example.org')) }), { selector: (m) => m.name, maxLength: 4 }),
  tcp: fc.uniqueArray(fc.record({ name, idle: fc.oneof(fc.integer({ min: 0, max: 4000 }).map(String), fc.constant('indefinite')), nagle: fc.option(fc.constantFrom('enabled', 'disabled', 'auto')), child: fc.boolean() }), { selector: (p) => p.name, maxLength: 3 }),
  smtps: fc.uniqueArray(fc.record({ name, mode: fc.constantFrom('none', 'allow', 'require'), description: fc.option(text) }), { selector: (p) => p.name, maxLength: 3 }),
  cssl: fc.uniqueArray(fc.record({ name, imported: fc.boolean(), handshake: fc.option(fc.integer({ min: 1, max: 60 })), options: fc.option(fc.subarray(['no-tlsv1', 'no-tlsv1.1', 'no-tlsv1.3', 'cipher-server-preference'], { minLength: 1 })) }), { selector: (p) => p.name, maxLength: 2 }),
  pools: fc.uniqueArray(fc.record({
    name,
    lb: fc.constantFrom('round-robin', 'ratio-member', 'least-connections-member'),
    members: fc.uniqueArray(fc.record({ hp: hostPort, ratio: fc.option(fc.integer({ min: 1, max: 10 })), disabled: fc.boolean(), down: fc.boolean() }), { selector: (m) => m.hp, maxLength: 4 }),
    monitor: fc.constantFrom('none', 'one', 'and', 'min'),
    description: fc.option(text),
  }), { selector: (p) => p.name, maxLength: 3 }),
  virtuals: fc.uniqueArray(fc.record({ name, dest: hostPort, pool: fc.boolean(), smtps: fc.boolean(), cssl: fc.boolean(), disabled: fc.boolean(), limit: fc.option(fc.integer({ min: 0, max: 5000 })), sat: fc.constantFrom('none', 'automap'), vlans: fc.option(fc.subarray(['internal', 'external'], { minLength: 1 })) }), { selector: (v) => v.name, maxLength: 4 }),
});

type Config = typeof config extends fc.Arbitrary<infer T> ? T : never;

/** tmsh commands that build `c` (each object kind gets a prefix so names never clash across kinds). */
function commands(c: Config, certs: { cert: string; key: string }): string[] {
  const out = [`create sys file ssl-cert imp.crt source-path file:${certs.cert}`, `create sys file ssl-key imp.key source-path file:${certs.key}`];
  for (const m of c.monitors) out.push(`create ltm monitor ${m.kind} m_${m.name} interval ${m.interval}${m.description ? ` description ${quoted(m.description)}` : ''}${m.domain && m.kind === 'smtp' ? ` domain ${m.domain}` : ''}`);
  c.tcp.forEach((p, i) => out.push(`create ltm profile tcp t_${p.name} idle-timeout ${p.idle}${p.nagle ? ` nagle ${p.nagle}` : ''}${p.child && i > 0 ? ` defaults-from t_${c.tcp[i - 1].name}` : ''}`));
  for (const p of c.smtps) out.push(`create ltm profile smtps s_${p.name} activation-mode ${p.mode}${p.description ? ` description ${quoted(p.description)}` : ''}`);
  for (const p of c.cssl) {
    const chain = p.imported ? ' cert-key-chain replace-all-with { imported { cert imp.crt key imp.key } }' : '';
    out.push(`create ltm profile client-ssl c_${p.name}${chain}${p.handshake ? ` handshake-timeout ${p.handshake}` : ''}${p.options ? ` options { ${p.options.join(' ')} }` : ''}`);
  }
  const monitors = c.monitors.map((m) => `m_${m.name}`);
  for (const p of c.pools) {
    const members = p.members.map((m) => `${m.hp} { ${m.ratio ? `ratio ${m.ratio} ` : ''}${m.disabled ? 'session user-disabled ' : ''}${m.down ? 'state user-down ' : ''}}`).join(' ');
    let monitor = '';
    if (monitors.length && p.monitor === 'one') monitor = ` monitor ${monitors[0]}`;
    if (monitors.length > 1 && p.monitor === 'and') monitor = ` monitor ${monitors[0]} and ${monitors[1]}`;
    if (monitors.length > 1 && p.monitor === 'min') monitor = ` monitor min 1 of { ${monitors.join(' ')} }`;
    out.push(`create ltm pool p_${p.name} load-balancing-mode ${p.lb}${members ? ` members replace-all-with { ${members} }` : ''}${monitor}${p.description ? ` description ${quoted(p.description)}` : ''}`);
  }
  const destinations = new Set<string>();
  for (const v of c.virtuals) {
    if (destinations.has(v.dest)) continue;
    destinations.add(v.dest);
    const profiles = [c.tcp[0] ? `t_${c.tcp[0].name}` : 'tcp'];
    const cssl = v.cssl && c.cssl[0] ? `c_${c.cssl[0].name}` : undefined;
    const smtps = v.smtps ? c.smtps.find((s) => s.mode === 'none' || cssl) : undefined;
    if (smtps) profiles.push(`s_${smtps.name}`);
    if (cssl) profiles.push(cssl);
    const pool = v.pool && c.pools[0] ? ` pool p_${c.pools[0].name}` : '';
    out.push(`create ltm virtual v_${v.name} destination ${v.dest}${pool} profiles replace-all-with { ${profiles.join(' ')} }${v.disabled ? ' disabled' : ''}${v.limit !== null ? ` connection-limit ${v.limit}` : ''} source-address-translation { type ${v.sat} }${v.vlans ? ` vlans { ${v.vlans.join(' ')} } vlans-enabled` : ''}`);
  }
  return out;
}

/** Compares line by line so a failure reports the first difference (a whole-text diff is slow to shrink with). */
function expectSameText(actual: string, expected: string): void {
  if (actual === expected) return;
  const a = actual.split('\n');
  const e = expected.split('\n');
  const i = a.findIndex((line, n) => line !== e[n]);
  const at = i < 0 ? a.length : i;
  expect(a.slice(Math.max(0, at - 3), at + 2).join('\n')).toBe(e.slice(Math.max(0, at - 3), at + 2).join('\n'));
}

it('save -> load into an empty store -> identical list output', () => {
  const a = openTestStore();
  const certs = writePair(a.dir, 'imp');
  try {
    fc.assert(
      fc.property(config, (c) => {
        a.run('load sys config file /dev/null');
        for (const cmd of commands(c, certs)) a.run(cmd);
        const file = path.join(a.dir, 'rt.conf');
        a.run(`save sys config file ${file}`);
        const b = openTestStore();
        try {
          b.run(`load sys config file ${file}`);
          expectSameText(listAll(b), listAll(a));
        } finally {
          b.cleanup();
        }
      }),
      { numRuns: 30 },
    );
  } finally {
    a.cleanup();
  }
});
