/**
 * `delete ltm persistence persist-records` end to end: the real daemon with 2 workers (a client's
 * sessions land on either one; the records live in the primary), configured and commanded with
 * the real tmsh, two smtp-sinks as members (each greets with its own name), clients bound to
 * 127.0.0.5 and 127.0.0.6.
 *
 * The re-choice is made observable without luck: the pool's load balancing can only pick the
 * enabled member, while a record keeps its client on a `session user-disabled` member (as on
 * BIG-IP). So a client that still reaches the disabled member is held there by its record, and
 * one that reaches the enabled member after the delete chose again.
 */
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { greetedBy, greetingsFrom } from './support/greeted-by';

let ltm: OpenltmInstance;
const sinks: SmtpSink[] = [];
const ports = { sticky: 0, probe: 0 };
const member = (name: 'm1' | 'm2') => `127.0.0.1:${sinks[name === 'm1' ? 0 : 1]!.port}`;

beforeAll(async () => {
  for (const name of ['m1', 'm2']) sinks.push(await startSmtpSink({ args: ['-h', `${name}.member.test`] }));
  ltm = createOpenltm();
  ports.sticky = await freePort();
  ports.probe = await freePort();
  await ltm.tmshOk(`create ltm pool p_del load-balancing-mode round-robin members replace-all-with { ${member('m1')} { address 127.0.0.1 } ${member('m2')} { address 127.0.0.1 session user-disabled } }`);
  await ltm.tmshOk('create ltm persistence source-addr sa_del timeout 600');
  await ltm.tmshOk(`create ltm virtual vs_del destination 127.0.0.1:${ports.sticky} pool p_del persist replace-all-with { sa_del { default yes } }`);
  // No persistence: shows which member the load balancing picks, to wait for a change to apply.
  await ltm.tmshOk(`create ltm virtual vs_probe destination 127.0.0.1:${ports.probe} pool p_del`);
  await ltm.startDaemon(['--workers', '2']);
  for (const p of Object.values(ports)) await waitForListen(p, { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  await ltm?.stop();
  for (const s of sinks) await s.stop();
});

/** Which member greeted: `m1` or `m2` (the sinks greet as m1.member.test and m2.member.test). */
const memberOf = async (port: number, localAddress: string): Promise<string> => (await greetedBy(port, localAddress)).split('.')[0]!;
const membersOf = async (port: number, localAddress: string, n: number): Promise<string[]> => (await greetingsFrom(port, localAddress, n)).map((h) => h.split('.')[0]!);

/** Makes `enabled` the member new clients go to (the other user-disabled), and waits until both workers apply it. */
async function enableOnly(enabled: 'm1' | 'm2'): Promise<void> {
  const other = enabled === 'm1' ? 'm2' : 'm1';
  await ltm.tmshOk(`modify ltm pool p_del members modify { ${member(enabled)} { session user-enabled } ${member(other)} { session user-disabled } }`);
  // Ten sessions in a row on the enabled member reach both workers (the kernel picks the worker of each).
  await eventually(async () => new Set(await membersOf(ports.probe, '127.0.0.13', 10)), (set) => set.size === 1 && set.has(enabled), 15_000);
}

const show = (filter = '') => ltm.tmshOk(`show ltm persistence persist-records ${filter}`.trim());
/** The record line of `client` on vs_del, or undefined. */
const recordOf = (out: string, client: string) => out.split('\n').find((l) => l.startsWith(`source-address  ${client}  127.0.0.1:${ports.sticky}  `));

it('a filtered delete: 127.0.0.5 chooses again at once and gets a new record; 127.0.0.6 keeps its member; later snapshots leave the new record alone', async () => {
  // Both clients are pinned to m1, the only member the load balancing may pick.
  expect(await membersOf(ports.sticky, '127.0.0.5', 3)).toEqual(['m1', 'm1', 'm1']);
  expect(await membersOf(ports.sticky, '127.0.0.6', 3)).toEqual(['m1', 'm1', 'm1']);
  await eventually(show, (o) => !!recordOf(o, '127.0.0.5') && !!recordOf(o, '127.0.0.6'), 10_000);
  await enableOnly('m2');
  // Their records hold them on m1 (disabled: no new clients, but its persisted ones stay).
  expect(await membersOf(ports.sticky, '127.0.0.5', 3)).toEqual(['m1', 'm1', 'm1']);
  expect(await membersOf(ports.sticky, '127.0.0.6', 3)).toEqual(['m1', 'm1', 'm1']);

  const r = await ltm.tmsh('delete ltm persistence persist-records client-addr 127.0.0.5');
  expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  // At once, before the daemon's next report: show no longer lists it, and lists the other.
  expect(await show('client-addr 127.0.0.5')).toContain('Total records returned: 0');
  expect(recordOf(await show(), '127.0.0.6')).toContain(`  ${member('m1')}  `);

  // The daemon applies it within moments: from then on 127.0.0.5 is load-balanced afresh, to m2.
  expect(await eventually(() => memberOf(ports.sticky, '127.0.0.5'), (m) => m === 'm2', 15_000)).toBe('m2');
  // 127.0.0.6's record was not touched: a new choice would be m2.
  expect(await membersOf(ports.sticky, '127.0.0.6', 5)).toEqual(['m1', 'm1', 'm1', 'm1', 'm1']);
  // A new record names m2.
  const renewed = await eventually(show, (o) => !!recordOf(o, '127.0.0.5')?.includes(`  ${member('m2')}  `), 10_000);
  expect(recordOf(renewed, '127.0.0.5')).toContain(`  ${member('m2')}  `);

  // m1 is the one new clients get again: 127.0.0.5 stays on m2, held by its new record.
  await enableOnly('m1');
  expect(await membersOf(ports.sticky, '127.0.0.5', 3)).toEqual(['m2', 'm2', 'm2']);
  // Another delete (of nobody's records) makes the daemon read the kept requests again: the first
  // one, still in the store, removes nothing made after it.
  await ltm.tmshOk('delete ltm persistence persist-records client-addr 127.0.0.99');
  await eventually(() => ltm.daemonLog(), (log) => (log.match(/persistence records deleted/g) ?? []).length >= 2, 10_000);
  expect(await membersOf(ports.sticky, '127.0.0.5', 5)).toEqual(['m2', 'm2', 'm2', 'm2', 'm2']);
  expect(recordOf(await show(), '127.0.0.5')).toContain(`  ${member('m2')}  `);

  // Without a filter: every record goes; 127.0.0.5 goes back to m1, the member load balancing picks now.
  expect(await ltm.tmshOk('delete ltm persistence persist-records')).toBe('');
  const none = await show();
  expect(recordOf(none, '127.0.0.5')).toBeUndefined();
  expect(recordOf(none, '127.0.0.6')).toBeUndefined();
  expect(await eventually(() => memberOf(ports.sticky, '127.0.0.5'), (m) => m === 'm1', 15_000)).toBe('m1');
}, 120_000);

it('without a running daemon the delete succeeds; a daemon started afterwards keeps the records it makes', async () => {
  await ltm.stopDaemon();
  expect(await ltm.tmshOk('delete ltm persistence persist-records')).toBe('');
  expect(await ltm.tmshOk('delete ltm persistence persist-records client-addr 127.0.0.5')).toBe('');
  await ltm.startDaemon(['--workers', '2']);
  await waitForListen(ports.sticky, { timeoutMs: 10_000 });
  await enableOnly('m1');
  expect(await membersOf(ports.sticky, '127.0.0.5', 3)).toEqual(['m1', 'm1', 'm1']);
  await eventually(show, (o) => !!recordOf(o, '127.0.0.5'), 10_000);
  // The record is kept by the daemon (the requests from before its start removed nothing): it
  // holds the client on m1 once new clients go to m2.
  await enableOnly('m2');
  expect(await membersOf(ports.sticky, '127.0.0.5', 5)).toEqual(['m1', 'm1', 'm1', 'm1', 'm1']);
  expect(recordOf(await show('client-addr 127.0.0.5'), '127.0.0.5')).toContain(`  ${member('m1')}  `);
}, 90_000);
