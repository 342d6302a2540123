/**
 * ltm virtual-address end to end: two virtuals on 127.0.0.1 create one virtual address (BIG-IP's
 * layout in `list`); its connection-limit, set with the real tmsh, is enforced by the real
 * daemon across both virtuals in front of Postfix's smtp-sink; `enabled no` stops both from
 * taking connections and `enabled yes` brings them back.
 */
import * as net from 'node:net';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';

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
