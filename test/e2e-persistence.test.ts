/**
 * Issue 14, persistence end to end: the real daemon (its default workers: sessions from one client
 * land on any worker) configured with the real tmsh, three smtp-sinks as members (each greets with
 * its own name), clients bound to loopback aliases. A round-robin pool spreads one client's sessions
 * over its members; with `persist { source_addr-like profile }` they all go to one member, the record
 * is listed by `show ltm persistence persist-records`, expires after `timeout`, and is replaced when
 * its member becomes unavailable.
 */
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { greetedBy, greetingsFrom } from './support/greeted-by';

let ltm: OpenltmInstance;
const sinks: SmtpSink[] = [];
const ports = { plain: 0, sticky: 0, masked: 0, short: 0, fallback: 0 };

beforeAll(async () => {
  for (const name of ['m1', 'm2', 'm3']) sinks.push(await startSmtpSink({ args: ['-h', `${name}.member.test`] }));
  ltm = createOpenltm();
  for (const k of Object.keys(ports) as Array<keyof typeof ports>) ports[k] = await freePort();
  const members = sinks.map((s) => `127.0.0.1:${s.port} { address 127.0.0.1 }`).join(' ');
  await ltm.tmshOk(`create ltm pool p_rr load-balancing-mode round-robin members replace-all-with { ${members} }`);
  await ltm.tmshOk('create ltm persistence source-addr sa_long timeout 600');
  await ltm.tmshOk('create ltm persistence source-addr sa_mask timeout 600 mask 255.255.255.0');
  await ltm.tmshOk('create ltm persistence source-addr sa_short defaults-from source_addr timeout 2');
  const vs = (name: string, port: number, extra: string) => ltm.tmshOk(`create ltm virtual ${name} destination 127.0.0.1:${port} pool p_rr ${extra}`);
  await vs('vs_plain', ports.plain, '');
  await vs('vs_sticky', ports.sticky, 'persist replace-all-with { sa_long { default yes } }');
  await vs('vs_masked', ports.masked, 'persist replace-all-with { sa_mask }');
  await vs('vs_short', ports.short, 'persist replace-all-with { sa_short }');
  await vs('vs_fallback', ports.fallback, 'persist replace-all-with { cookie { default yes } } fallback-persistence source_addr');
  await ltm.startDaemon();
  for (const p of Object.values(ports)) await waitForListen(p, { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  await ltm?.stop();
  for (const s of sinks) await s.stop();
});

const memberOf = greetedBy;
const membersOf = greetingsFrom;

const records = () => ltm.tmshOk('show ltm persistence persist-records');
const recordLine = (out: string, value: string, port: number) => out.split('\n').find((l) => l.startsWith(`source-address  ${value}  127.0.0.1:${port}  `));

it('without persistence, round-robin spreads one client\'s sessions over the members', async () => {
  expect(new Set(await membersOf(ports.plain, '127.0.0.5', 20)).size).toBeGreaterThan(1);
});

it('with a source-addr profile, 20 sessions from 127.0.0.5 land on one member, 20 from 127.0.0.6 on one member too', async () => {
  // One session from another client first: the workers' round-robin positions now differ, so a
  // record kept per worker would send 127.0.0.5 to two members (either worker may accept each connection).
  await memberOf(ports.sticky, '127.0.0.4');
  const five = await membersOf(ports.sticky, '127.0.0.5', 20);
  const six = await membersOf(ports.sticky, '127.0.0.6', 20);
  expect(new Set(five).size).toBe(1);
  expect(new Set(six).size).toBe(1);
  // Each record names the member its client's sessions went to.
  const out = await eventually(records, (o) => !!recordLine(o, '127.0.0.5', ports.sticky) && !!recordLine(o, '127.0.0.6', ports.sticky), 10_000);
  const port = (member: string) => sinks[['m1', 'm2', 'm3'].indexOf(member.split('.')[0]!)]!.port;
  expect(recordLine(out, '127.0.0.5', ports.sticky)).toContain(`127.0.0.1:${port(five[0]!)}`);
  expect(recordLine(out, '127.0.0.6', ports.sticky)).toContain(`127.0.0.1:${port(six[0]!)}`);
  // BIG-IP's filters pick records out.
  const mine = await ltm.tmshOk(`show ltm persistence persist-records client-addr 127.0.0.5 virtual vs_sticky`);
  const noAge = (l: string | undefined) => l?.replace(/\(age: \d+\)$/, '');
  expect(mine.split('\n').filter((l) => l.startsWith('source-address')).map(noAge)).toEqual([noAge(recordLine(out, '127.0.0.5', ports.sticky))]);
  expect(await ltm.tmshOk('show ltm persistence persist-records virtual vs_plain')).toContain('Total records returned: 0');
  const all = await ltm.tmshOk('show ltm persistence persist-records all-properties');
  expect(all).toMatch(/Virtual Name\s+\/Common\/vs_sticky/);
  expect(all).toMatch(/Pool Name\s+\/Common\/p_rr/);
  expect(all).toMatch(/Client Addr\s+127\.0\.0\.5/);
  expect(all).toMatch(/Age \(sec\.\)\s+\d+/);
}, 120_000);

it('mask 255.255.255.0: clients of one /24 share one record and one member', async () => {
  const first = await memberOf(ports.masked, '127.0.0.5');
  const others = [...(await membersOf(ports.masked, '127.0.0.6', 5)), ...(await membersOf(ports.masked, '127.0.0.7', 5))];
  expect(new Set([first, ...others])).toEqual(new Set([first]));
  const out = await eventually(records, (o) => !!recordLine(o, '127.0.0.0', ports.masked), 10_000);
  expect(recordLine(out, '127.0.0.0', ports.masked)).toBeDefined();
  expect(recordLine(out, '127.0.0.6', ports.masked)).toBeUndefined();
}, 60_000);

it('a user-disabled member keeps the clients persisted to it (BIG-IP\'s "disabled"); new clients go elsewhere', async () => {
  const before = await memberOf(ports.sticky, '127.0.0.12');
  const sink = sinks[['m1', 'm2', 'm3'].indexOf(before.split('.')[0]!)]!;
  const member = `127.0.0.1:${sink.port}`;
  await ltm.tmshOk(`modify ltm pool p_rr members modify { ${member} { session user-disabled } }`);
  try {
    // Wait until the daemon applied it: a new client's sessions never land on the disabled member.
    // Each worker applies the change itself and the kernel picks the worker of each connection:
    // ten sessions in a row avoiding the member reach both workers.
    await eventually(async () => new Set(await membersOf(ports.plain, '127.0.0.13', 10)), (set) => !set.has(before), 15_000);
    expect(new Set(await membersOf(ports.plain, '127.0.0.13', 6)).has(before)).toBe(false);
    expect(new Set(await membersOf(ports.sticky, '127.0.0.12', 5))).toEqual(new Set([before]));
  } finally {
    await ltm.tmshOk(`modify ltm pool p_rr members modify { ${member} { session user-enabled } }`);
  }
}, 60_000);

it('a member that becomes unavailable (user-down): the client goes to another member, and the record is replaced', async () => {
  const before = await memberOf(ports.sticky, '127.0.0.8');
  const sink = sinks[['m1', 'm2', 'm3'].indexOf(before.split('.')[0]!)]!;
  const member = `127.0.0.1:${sink.port}`;
  await ltm.tmshOk(`modify ltm pool p_rr members modify { ${member} { state user-down } }`);
  try {
    // The daemon applies the change within moments; from then on the client is sent elsewhere.
    const moved = await eventually(() => memberOf(ports.sticky, '127.0.0.8'), (m) => m !== before, 15_000);
    expect(moved).not.toBe(before);
    const names = (o: string, m: string) => recordLine(o, '127.0.0.8', ports.sticky)?.includes(`  ${m}  `);
    const movedTo = `127.0.0.1:${sinks[['m1', 'm2', 'm3'].indexOf(moved.split('.')[0]!)]!.port}`;
    const out = await eventually(records, (o) => !!names(o, movedTo), 10_000);
    expect(names(out, movedTo)).toBe(true);
    expect(names(out, member)).toBe(false);
    await ltm.tmshOk(`modify ltm pool p_rr members modify { ${member} { state user-up } }`);
    // The old member is back, but the record now names the new one.
    expect(new Set(await membersOf(ports.sticky, '127.0.0.8', 5))).toEqual(new Set([moved]));
  } finally {
    await ltm.tmsh(`modify ltm pool p_rr members modify { ${member} { state user-up } }`);
  }
}, 60_000);

it('timeout 2: the record disappears from show 2 s after its last use, and the next session is load-balanced afresh', async () => {
  const member = await memberOf(ports.short, '127.0.0.9');
  expect(await membersOf(ports.short, '127.0.0.9', 3)).toEqual([member, member, member]);
  expect(recordLine(await eventually(records, (o) => !!recordLine(o, '127.0.0.9', ports.short), 10_000), '127.0.0.9', ports.short)).toBeDefined();
  // No wall-clock assertion: wait for the record to go.
  const gone = await eventually(records, (o) => !recordLine(o, '127.0.0.9', ports.short), 20_000, 250);
  expect(recordLine(gone, '127.0.0.9', ports.short)).toBeUndefined();
  // A new session makes a new choice and a new record (age restarted).
  await memberOf(ports.short, '127.0.0.9');
  const again = await eventually(() => ltm.tmshOk('show ltm persistence persist-records all-properties'), (o) => o.includes('127.0.0.9 - 127.0.0.1:' + ports.short), 10_000);
  expect(again).toContain(`source-address - 127.0.0.9 - 127.0.0.1:${ports.short}`);
}, 60_000);

it('persist cookie with fallback-persistence source_addr: the cookie profile is stored only, the fallback takes effect', async () => {
  expect(new Set(await membersOf(ports.fallback, '127.0.0.10', 10)).size).toBe(1);
  const show = await ltm.tmshOk('show ltm virtual vs_fallback');
  expect(show).toMatch(/ltm virtual \/Common\/vs_fallback: persist \/Common\/cookie cookie persistence/);
  // Setting it again warns (01070998:4) and succeeds.
  const r = await ltm.tmsh('modify ltm virtual vs_fallback persist replace-all-with { cookie { default yes } }');
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/01070998:4: .*persist \/Common\/cookie \(cookie persistence\)" is stored only/);
}, 60_000);

it('bad persistence settings are refused and change nothing', async () => {
  const missing = await ltm.tmsh('modify ltm virtual vs_sticky persist replace-all-with { nosuch }');
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain('01020036:3: The requested persistence profile (/Common/nosuch) was not found.');
  const twoDefaults = await ltm.tmsh('modify ltm virtual vs_sticky persist replace-all-with { sa_long { default yes } source_addr { default yes } }');
  expect(twoDefaults.code).not.toBe(0);
  expect(twoDefaults.stderr).toMatch(/more than one default persistence profile/);
  const mask = await ltm.tmsh('modify ltm persistence source-addr sa_long mask 255.0.255.0');
  expect(mask.code).not.toBe(0);
  expect(await ltm.tmshOk('list ltm virtual vs_sticky persist')).toMatch(/sa_long \{\s*default yes\s*\}/);
  expect(await ltm.tmshOk('list ltm persistence source-addr sa_long')).not.toContain('mask');
});

it('the records die with the daemon: once it has stopped, show lists none', async () => {
  await memberOf(ports.sticky, '127.0.0.11');
  expect(await eventually(records, (o) => !!recordLine(o, '127.0.0.11', ports.sticky), 10_000)).toContain('127.0.0.11');
  await ltm.stopDaemon();
  expect(await records()).toMatch(/^Sys::Persistent Connections\nTotal records returned: 0\n$/);
}, 30_000);
