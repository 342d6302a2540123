/**
 * manual-resume end to end: the real daemon, a real smtp-sink as the only member, swaks as the
 * client, and `tmsh -c` as the administrator. The sink is frozen (SIGSTOP) so the smtp monitor
 * marks it down, then thawed (SIGCONT): its probes pass again, but the member stays
 * `down-manual-resume` and clients get 421 until the administrator enables it.
 */
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { freePort } from './support/ports';
import { swaks } from './support/swaks';

jest.setTimeout(60_000);

let ltm: OpenltmInstance;
let sink: SmtpSink;
let port: number;

beforeAll(async () => {
  sink = await startSmtpSink();
  ltm = createOpenltm();
  port = await freePort();
  await ltm.startDaemon();
  await ltm.tmshOk('create ltm monitor smtp mr_mon defaults-from smtp domain example.com interval 1 timeout 3 manual-resume enabled');
  await ltm.tmshOk(`create ltm pool p monitor mr_mon members replace-all-with { 127.0.0.1:${sink.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk(`create ltm virtual vs destination 127.0.0.1:${port} ip-protocol tcp pool p profiles replace-all-with { tcp { } }`);
});

afterAll(async () => {
  try {
    process.kill(sink.pid, 'SIGCONT');
  } catch {
    // already gone
  }
  await sink?.stop();
  await ltm?.stop();
});

const memberBlock = () => ltm.tmshOk('show ltm pool p members');

test('a member marked down by a manual-resume monitor stays down after it recovers, until enabled with tmsh', async () => {
  const up = await eventually(memberBlock, (o) => /Monitor Status : up/.test(o), 10_000);
  expect(up).toMatch(/Monitor Status : up/);
  expect((await swaks({ port })).code).toBe(0);

  process.kill(sink.pid, 'SIGSTOP');
  const down = await eventually(memberBlock, (o) => /Monitor Status : down\n/.test(o), 15_000);
  expect(down).toMatch(/Availability +: offline/);

  process.kill(sink.pid, 'SIGCONT');
  const held = await eventually(memberBlock, (o) => /Monitor Status : down-manual-resume/.test(o), 15_000);
  expect(held).toMatch(/Reason +: Pool member has been marked down by a monitor and waits for manual resume/);
  expect(await ltm.tmshOk('list ltm pool p members')).toMatch(/state down\n/);
  const refused = await swaks({ port });
  expect(refused.code).not.toBe(0);
  expect(refused.transcript).toMatch(/<\*\* 421 4\.3\.2 /);
  const delivered = sink.counters().messages;

  await ltm.tmshOk(`modify ltm pool p members modify { 127.0.0.1:${sink.port} { session user-enabled state user-up } }`);
  const resumed = await eventually(memberBlock, (o) => /Monitor Status : up/.test(o), 10_000);
  expect(resumed).toMatch(/Availability +: available/);
  expect((await swaks({ port })).code).toBe(0);
  await sink.waitForMessages(delivered + 1);
});
