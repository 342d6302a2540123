/**
 * ltm virtual-address end to end: two virtuals on 127.0.0.1 create one virtual address (BIG-IP's
 * layout in `list`); its connection-limit, set with the real tmsh, is enforced by the real
 * daemon across both virtuals in front of Postfix's smtp-sink; `enabled no` stops both from
 * taking connections and `enabled yes` brings them back; `show ltm virtual-address` sums the
 * counters of mail sent through both virtuals with swaks.
 */
import * as net from 'node:net';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { swaks } from './support/swaks';

jest.setTimeout(60_000);

let ltm: OpenltmInstance;
let sink: SmtpSink;
const port = { a: 0, b: 0 };
const open: net.Socket[] = [];

/** Connects and returns the first reply (or the connection error's code, or `closed`), keeping the socket open. */
function firstReply(p: number): Promise<{ text: string; socket: net.Socket }> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: p });
    open.push(s);
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.endsWith('\r\n')) resolve({ text: buf, socket: s });
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve({ text: e.code ?? e.message, socket: s }));
    s.on('close', () => resolve({ text: buf || 'closed', socket: s }));
  });
}
const reply = async (p: number): Promise<string> => {
  const r = await firstReply(p);
  r.socket.destroy();
  return r.text;
};

beforeAll(async () => {
  sink = await startSmtpSink();
  ltm = createOpenltm();
  port.a = await freePort();
  port.b = await freePort();
  await ltm.tmshOk(`create ltm pool p_sink members replace-all-with { 127.0.0.1:${sink.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk(`create ltm virtual vs_a destination 127.0.0.1:${port.a} pool p_sink`);
  await ltm.tmshOk(`create ltm virtual vs_b destination 127.0.0.1:${port.b} pool p_sink`);
  await ltm.startDaemon();
  for (const p of Object.values(port)) await waitForListen(p, { timeoutMs: 10_000 });
});

afterAll(async () => {
  for (const s of open) s.destroy();
  await ltm?.stop();
  await sink?.stop();
});

test('the first virtual on an address created its virtual address, listed as BIG-IP lists it', async () => {
  expect(await ltm.tmshOk('list ltm virtual-address')).toBe(
    'ltm virtual-address 127.0.0.1 {\n    address 127.0.0.1\n    arp enabled\n    mask 255.255.255.255\n    traffic-group /Common/traffic-group-1\n}\n',
  );
});

/** `show ... raw field-fmt` of one object as numbers and words by field name. */
function fieldFmt(text: string, header: string): Record<string, string> {
  const start = text.indexOf(`${header} {\n`);
  if (start < 0) throw new Error(`no "${header}" in:\n${text}`);
  const body = text.slice(start, text.indexOf('\n}', start)).split('\n').slice(1);
  return Object.fromEntries(body.map((l) => [l.trim().split(' ')[0], l.trim().split(' ').slice(1).join(' ')]));
}

test('show ltm virtual-address sums the ClientSide counters of the virtuals on it (mail sent through both with swaks)', async () => {
  // One tmsh run prints all three; a report landing between two of its statements only means one more poll.
  const read = async () => {
    const out = await ltm.tmshOk('show ltm virtual vs_a vs_b raw field-fmt; show ltm virtual-address 127.0.0.1 raw field-fmt');
    return { a: fieldFmt(out, 'ltm virtual vs_a'), b: fieldFmt(out, 'ltm virtual vs_b'), va: fieldFmt(out, 'ltm virtual-address 127.0.0.1') };
  };
  const n = (f: Record<string, string>, k: string) => Number(f[k]);
  const before = await read();
  for (const [p, count] of [[port.a, 2], [port.b, 3]] as const) {
    for (let i = 0; i < count; i++) {
      const r = await swaks({ port: p, subject: `via ${p}`, body: 'x'.repeat(500) });
      expect(r.code).toBe(0);
    }
  }
  const sums = (s: Awaited<ReturnType<typeof read>>) =>
    ['clientside.tot-conns', 'clientside.bits-in', 'clientside.bits-out', 'clientside.cur-conns'].every((k) => n(s.va, k) === n(s.a, k) + n(s.b, k));
  const after = await eventually(
    read,
    (s) => n(s.a, 'clientside.tot-conns') >= n(before.a, 'clientside.tot-conns') + 2 && n(s.b, 'clientside.tot-conns') >= n(before.b, 'clientside.tot-conns') + 3 && n(s.va, 'clientside.cur-conns') === 0 && sums(s),
    15_000,
    200,
  );
  expect(n(after.a, 'clientside.tot-conns')).toBeGreaterThanOrEqual(n(before.a, 'clientside.tot-conns') + 2);
  expect(n(after.b, 'clientside.tot-conns')).toBeGreaterThanOrEqual(n(before.b, 'clientside.tot-conns') + 3);
  // Each message is over 500 bytes from the client: both virtuals' bytes are in the address's sum.
  expect(n(after.a, 'clientside.bits-in') - n(before.a, 'clientside.bits-in')).toBeGreaterThan(2 * 500 * 8);
  expect(n(after.b, 'clientside.bits-in') - n(before.b, 'clientside.bits-in')).toBeGreaterThan(3 * 500 * 8);
  for (const k of ['clientside.tot-conns', 'clientside.bits-in', 'clientside.bits-out']) expect(n(after.va, k)).toBe(n(after.a, k) + n(after.b, k));
  // The pool has no monitor: the virtuals are unknown (BIG-IP's word for no service checking), and so is their address.
  expect([after.a['status.availability-state'], after.b['status.availability-state']]).toEqual(['unknown', 'unknown']);
  expect(after.va['status.availability-state']).toBe('unknown');
  expect(after.va['status.status-reason']).toMatch(/^The children virtual server\(s\) either don't have service checking enabled/);
  expect(after.va['virtual-servers']).toBe('vs_a, vs_b');

  // reset-stats of the address zeroes its own sums, not its virtuals' counters; counting goes on.
  await ltm.tmshOk('reset-stats ltm virtual-address 127.0.0.1');
  expect(n((await read()).va, 'clientside.tot-conns')).toBe(0);
  expect((await swaks({ port: port.b, body: 'once more' })).code).toBe(0);
  const reset = await eventually(read, (s) => n(s.va, 'clientside.tot-conns') === 1 && n(s.b, 'clientside.tot-conns') === n(after.b, 'clientside.tot-conns') + 1, 15_000, 200);
  expect(n(reset.va, 'clientside.tot-conns')).toBe(1);
  expect(n(reset.a, 'clientside.tot-conns')).toBe(n(after.a, 'clientside.tot-conns'));
  expect(n(reset.b, 'clientside.tot-conns')).toBe(n(after.b, 'clientside.tot-conns') + 1);
});

test('connection-limit on the virtual address counts the connections of both virtuals on it', async () => {
  await ltm.tmshOk('modify ltm virtual-address 127.0.0.1 connection-limit 1');
  // Wait until the daemon has the limit: a second connection is refused while one is held.
  let held: net.Socket | undefined;
  await eventually(
    async () => {
      held?.destroy();
      const first = await firstReply(port.a);
      held = first.socket;
      return /^220 /.test(first.text) ? reply(port.b) : first.text;
    },
    (text) => /^421 4\.7\.0 /.test(text),
    10_000,
    200,
  );
  expect(await reply(port.a)).toMatch(/^421 4\.7\.0 .*too many connections/);
  held!.destroy();
  expect(await eventually(() => reply(port.b), (text) => /^220 /.test(text), 5000, 100)).toMatch(/^220 /);
  const shown = await eventually(() => ltm.tmshOk('show ltm virtual vs_b raw'), (out) => /Connection Limit Rejections +[1-9]/.test(out), 5000, 200);
  expect(shown).toMatch(/Connection Limit Rejections +[1-9]/);
  await ltm.tmshOk('modify ltm virtual-address 127.0.0.1 connection-limit 0');
});

test('enabled no stops every virtual on the address from taking connections; enabled yes brings them back', async () => {
  await ltm.tmshOk('modify ltm virtual-address 127.0.0.1 enabled no');
  for (const p of [port.a, port.b]) expect(await eventually(() => reply(p), (text) => text === 'ECONNREFUSED', 10_000, 100)).toBe('ECONNREFUSED');
  await ltm.tmshOk('modify ltm virtual-address 127.0.0.1 enabled yes');
  for (const p of [port.a, port.b]) expect(await eventually(() => reply(p), (text) => /^220 /.test(text), 10_000, 100)).toMatch(/^220 /);
});
