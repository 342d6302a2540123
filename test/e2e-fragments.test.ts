/**
 * A fragment of an estate loaded into a running daemon (docs/estates.md): a virtual whose pool
 * the file does not define loads, kept by name, and gets no listener (a client is refused, and
 * `show` says why); once the pool is created, the reference resolves and the virtual greets and
 * relays a message to a real smtp-sink.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { accepts, freePort, isListening } from './support/ports';
import { swaks } from './support/swaks';
import { expectAccepted } from './support/client-mode';

jest.setTimeout(60_000);

let ltm: OpenltmInstance;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  ltm = createOpenltm();
  await ltm.startDaemon();
});

afterAll(async () => {
  await ltm?.stop();
  await sink?.stop();
});

test('a virtual whose pool is nowhere is not served until the pool is created; then it relays', async () => {
  const fragmentPort = await freePort();
  const servedPort = await freePort();
  const file = join(ltm.dir, 'fragment.conf');
  writeFileSync(file, [
    '#TMSH-VERSION: 15.1.8.2',
    '',
    'ltm pool /Common/here_pool {',
    `    members { /Common/127.0.0.1:${sink.port} { address 127.0.0.1 } }`,
    '}',
    // Served beside it: once this one listens, the load has been applied to the data plane.
    'ltm virtual /Common/served_vs {',
    `    destination /Common/127.0.0.1:${servedPort}`,
    '    ip-protocol tcp',
    '    pool /Common/here_pool',
    '}',
    'ltm virtual /Common/vs_x {',
    `    destination /Common/127.0.0.1:${fragmentPort}`,
    '    ip-protocol tcp',
    '    pool /Common/pool_used',
    '}',
    '',
  ].join('\n'));
  const out = await ltm.tmshOk(`load sys config merge file ${file}`);
  expect(out).toContain('  01020036:3: The requested Pool (/Common/pool_used) was not found. Kept: ltm virtual /Common/vs_x (pool) is not acted on until it exists.');

  await eventually(() => isListening(servedPort), (ok) => ok, 20_000, 20);
  expect(await accepts(fragmentPort)).toBe(false);
  expect(await ltm.tmshOk('show ltm virtual vs_x')).toMatch(/Reason +: Not served by openltm \(no listener\): pool \/Common\/pool_used: the requested Pool \(\/Common\/pool_used\) was not found/);
  // Typed, the same reference is refused as on BIG-IP.
  expect((await ltm.tmsh(`create ltm virtual vs_typed destination 127.0.0.1:${await freePort()} pool pool_used`)).stderr).toContain('01020036:3: The requested Pool (/Common/pool_used) was not found.');

  await ltm.tmshOk(`create ltm pool pool_used members add { 127.0.0.1:${sink.port} }`);
  expect(await eventually(() => isListening(fragmentPort), (ok) => ok, 20_000, 20)).toBe(true);
  expect(await ltm.tmshOk('show ltm virtual vs_x')).not.toContain('Not served');
  expectAccepted(await swaks({ port: fragmentPort, mode: 'plain', subject: 'fragment resolved' }));
  await sink.waitForMessages(1);
});
