/**
 * The multi-process daemon end to end: real `openltm daemon --workers 2`, real STARTTLS
 * sessions, Postfix's smtp-sink as the pool member. A worker killed under load is replaced and
 * only its own sessions are lost; a SIGUSR2 restart under load refuses no connection and lets
 * the sessions of the old daemon finish.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { freePort, isListening, waitForListen } from './support/ports';
import { StarttlsSession, sendOne } from './support/starttls-session';
import { spawnDaemon, terminate, waitForExit, isAlive, type DaemonProcess } from './support/daemon-process';
import { servedBy, tlsHello } from './support/served-by';

jest.setTimeout(120_000);

let ltm: OpenltmInstance;
let sink: SmtpSink;
let port: number;
const pids: number[] = [];

beforeEach(async () => {
  sink = await startSmtpSink();
  ltm = createOpenltm();
  port = await freePort();
  await ltm.tmshOk(`create ltm pool p_sink members replace-all-with { 127.0.0.1:${sink.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk('create ltm profile smtps s_require activation-mode require');
  await ltm.tmshOk(
    `create ltm virtual vs_w destination 127.0.0.1:${port} pool p_sink profiles replace-all-with { /Common/tcp { } s_require { } /Common/clientssl { context clientside } }`,
  );
});

afterEach(async () => {
  for (const pid of pids.splice(0)) await terminate(pid);
  await ltm.stop();
  await sink.stop();
});

/** `probe: false` skips the test connection (the daemon listens once it says it runs): for tests that count connections. */
async function startDaemon(args: string[], { probe = true } = {}): Promise<DaemonProcess> {
  const d = spawnDaemon(ltm.storePath, ['--workers', '2', ...args]);
  pids.push(d.child.pid!);
  await d.waitForLine((l) => l.msg === 'openltm daemon running', 'daemon running');
  if (probe) await waitForListen(port, { timeoutMs: 10_000 });
  return d;
}

/** `show ltm virtual vs_w` once its counters satisfy `ok` (status is written about once a second). */
async function shownWhen(ok: (out: string) => boolean): Promise<string> {
  return eventually(() => ltm.tmshOk('show ltm virtual vs_w raw'), ok, 10_000, 100);
}

test('a worker killed under load is replaced; the other worker\'s sessions finish and only the dead one\'s are lost', async () => {
  const d = await startDaemon(['--drain-timeout', '3']);
  const started = d.matching((l) => l.msg === 'worker started' && l.worker === 0);
  expect(started).toHaveLength(1);
  const victim = started[0].workerPid as number;

  // Workers accept on the shared socket themselves: sessions are opened until both hold some.
  const sessions: StarttlsSession[] = [];
  const holders: Array<number | undefined> = [];
  const onVictim = (): number => holders.filter((p) => p === victim).length;
  while (sessions.length < 6 || ((onVictim() === 0 || onVictim() === sessions.length) && sessions.length < 40)) {
    const s = await StarttlsSession.open(port);
    sessions.push(s);
    holders.push(servedBy(port, s.localPort));
  }
  const lostExpected = onVictim();
  expect(lostExpected).toBeGreaterThan(0);
  expect(lostExpected).toBeLessThan(sessions.length);

  process.kill(victim, 'SIGKILL');
  await d.waitForLine((l) => l.msg?.startsWith('worker 0 exited unexpectedly') === true, 'worker 0 exited');
  await d.waitForLine((l) => l.msg === 'worker started' && l.worker === 0 && l.workerPid !== victim, 'replacement worker started');

  const results = await Promise.allSettled(sessions.map((s) => s.finish()));
  const delivered = results.filter((r) => r.status === 'fulfilled' && r.value.code === 250).length;
  const lost = results.filter((r) => r.status === 'rejected').length;
  expect({ delivered, lost }).toEqual({ delivered: sessions.length - lostExpected, lost: lostExpected });

  // The replacement serves: four more sessions, all delivered.
  for (let i = 0; i < 4; i++) expect(await sendOne(port)).toBe(250);
  await sink.waitForMessages(delivered + 4, 10_000);
  expect(sink.counters().messages).toBe(delivered + 4);
  expect(isAlive(d.child.pid!)).toBe(true);
});

test('SIGUSR2 restarts the daemon under load without refusing a connection; the old one drains its sessions', async () => {
  const pidFile = join(ltm.dir, 'openltm.pid');
  const d = await startDaemon(['--pid-file', pidFile, '--drain-timeout', '30']);
  const oldPid = d.child.pid!;
  expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(oldPid));

  // A session in the middle of its transaction across the restart: it must finish in the old daemon.
  const held = await StarttlsSession.open(port);

  let stop = false;
  const codes: number[] = [];
  const errors: string[] = [];
  const loop = async (): Promise<void> => {
    while (!stop) {
      try {
        codes.push(await sendOne(port));
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
  };
  const loops = Array.from({ length: 4 }, loop);
  const waitForCount = async (n: number): Promise<void> => {
    while (codes.length + errors.length < n) await new Promise((r) => setTimeout(r, 10));
  };

  await waitForCount(20);
  process.kill(oldPid, 'SIGUSR2');
  const took = await d.waitForLine((l) => l.msg === 'restart: took over the listening sockets', 'new daemon took over');
  const newPid = took.pid;
  pids.push(newPid);
  expect(newPid).not.toBe(oldPid);
  await d.waitForLine((l) => l.pid === oldPid && l.msg === 'data plane stopping: closing listeners, workers draining', 'old daemon stops accepting');
  const atSwitch = codes.length + errors.length;
  await waitForCount(atSwitch + 20);
  stop = true;
  await Promise.all(loops);

  // The old daemon is still draining the held session; it finishes there, then the old daemon exits.
  expect(isAlive(oldPid)).toBe(true);
  expect((await held.finish()).code).toBe(250);
  await waitForExit(oldPid);
  expect(readFileSync(pidFile, 'utf8').trim()).toBe(String(newPid));

  expect(errors).toEqual([]);
  expect(codes.every((c) => c === 250)).toBe(true);
  await sink.waitForMessages(codes.length + 1, 10_000);
  expect(sink.counters().messages).toBe(codes.length + 1);
  // The new daemon served sessions of its own (they did not all go to the old one before it stopped).
  await d.waitForLine((l) => l.pid === newPid && l.msg === 'openltm daemon running', 'new daemon running');
  expect(isAlive(newPid)).toBe(true);
  expect(await sendOne(port)).toBe(250);

  // The inherited sockets must live in the new primary only: killed with SIGKILL, it takes the
  // port with it, while its orphaned workers (kept alive here by a session in progress) do not
  // keep it bound; the orphaned session still finishes.
  const workersOfNew = d.matching((l) => l.pid === newPid && l.msg === 'worker ready').map((l) => l.workerPid as number);
  const orphan = await StarttlsSession.open(port);
  process.kill(newPid, 'SIGKILL');
  await waitForExit(newPid);
  expect(workersOfNew.some((w) => isAlive(w))).toBe(true);
  // The orphaned workers stop accepting on their copies as soon as they see the primary gone.
  await eventually(async () => isListening(port), (listening) => !listening, 10_000, 20);
  expect((await orphan.finish()).code).toBe(250);
  for (const w of workersOfNew) await waitForExit(w);
});

test('workers accept and serve on their own: with the primary stopped (SIGSTOP), a virtual without limits still takes mail', async () => {
  const d = await startDaemon(['--source-connection-limit', '0']);
  const primary = d.child.pid!;
  process.kill(primary, 'SIGSTOP');
  try {
    // No connection passes through the primary, and nothing here asks it anything.
    for (let i = 0; i < 4; i++) expect(await sendOne(port)).toBe(250);
  } finally {
    process.kill(primary, 'SIGCONT');
  }
  await sink.waitForMessages(4, 10_000);
  expect(sink.counters().messages).toBe(4);
});

test('a virtual\'s connection-limit is exact across workers: L sessions admitted, the next refused, a freed slot taken again', async () => {
  await ltm.tmshOk('modify ltm virtual vs_w connection-limit 2');
  await startDaemon(['--drain-timeout', '3'], { probe: false });
  const held = [await StarttlsSession.open(port), await StarttlsSession.open(port)];
  // The third concurrent session is refused, whichever worker it would have gone to.
  await expect(StarttlsSession.open(port)).rejects.toThrow(/greeting: expected 220, got 421 4\.7\.0/);
  expect((await held[0].finish()).code).toBe(250);
  // Once the status counts the first session closed, the primary has released it too (the
  // worker reports a connection's end before counters that include it).
  await shownWhen((out) => /Current Connections +1 /.test(out));
  held[0] = await StarttlsSession.open(port);
  await expect(StarttlsSession.open(port)).rejects.toThrow(/greeting: expected 220, got 421 4\.7\.0/);
  for (const s of held) expect((await s.finish()).code).toBe(250);
  await sink.waitForMessages(3, 10_000);
  expect(await shownWhen((out) => /Connection Limit Rejections +2\n/.test(out))).toMatch(/Connection Limit Rejections +2\n/);
});

test('--source-connection-limit is exact across workers: L sessions from one address, the L+1th refused, a freed slot taken again', async () => {
  await startDaemon(['--drain-timeout', '3', '--source-connection-limit', '2'], { probe: false });
  const held = [await StarttlsSession.open(port), await StarttlsSession.open(port)];
  await expect(StarttlsSession.open(port)).rejects.toThrow(/greeting: expected 220, got 421 4\.7\.0 .*too many connections/);
  // Ending the first session frees the address's slot for the next session wherever it lands.
  // (With the limit split per worker, 1 + 1, and connections dealt in turn, the next one went to
  // the worker still holding the second session and was refused.)
  expect((await held[0].finish()).code).toBe(250);
  await shownWhen((out) => /Current Connections +1 /.test(out));
  held[0] = await StarttlsSession.open(port);
  await expect(StarttlsSession.open(port)).rejects.toThrow(/greeting: expected 220, got 421 4\.7\.0/);
  for (const s of held) expect((await s.finish()).code).toBe(250);
  await sink.waitForMessages(3, 10_000);
  const shown = await shownWhen((out) => /Source Limit Rejections +2\n/.test(out) && /Current Connections +0 /.test(out));
  expect(shown).toMatch(/Source Limit Rejections +2\n/);
  expect(shown).toMatch(/Current Connections +0 /);
});

test('TLS session tickets resume on any worker (keys from the primary); the session-ID cache is per worker, as per TMM', async () => {
  const tport = await freePort();
  const cport = await freePort();
  await ltm.tmshOk('create ltm profile client-ssl cs_ticket cache-size 0 session-ticket enabled');
  await ltm.tmshOk(`create ltm virtual vs_ticket destination 127.0.0.1:${tport} pool p_sink profiles replace-all-with { tcp { } cs_ticket { } }`);
  await ltm.tmshOk(`create ltm virtual vs_cache destination 127.0.0.1:${cport} pool p_sink profiles replace-all-with { tcp { } /Common/clientssl { } }`);
  const d = await startDaemon([]);
  await waitForListen(tport, { timeoutMs: 10_000 });
  await waitForListen(cport, { timeoutMs: 10_000 });
  const workers = d.matching((l) => l.msg === 'worker ready').map((l) => l.workerPid as number);
  expect(workers).toHaveLength(2);

  // A ticket made by one worker resumes on both (each connection goes to whichever worker
  // accepts it first: offered until both have served it).
  const first = await tlsHello(tport);
  expect(first.reused).toBe(false);
  expect(workers).toContain(first.pid);
  const ticketServedBy = new Set<number>();
  for (let i = 0; i < 40 && ticketServedBy.size < 2; i++) {
    const again = await tlsHello(tport, { session: first.session });
    expect(again.reused).toBe(true);
    ticketServedBy.add(again.pid!);
  }
  expect([...ticketServedBy].sort()).toEqual([...workers].sort());

  // A TLS 1.2 session ID resumes only on the worker that cached it, as on a TMM.
  const cached = await tlsHello(cport, { tls12: true });
  expect(cached.reused).toBe(false);
  const idServedBy = new Set<number>();
  for (let i = 0; i < 40 && idServedBy.size < 2; i++) {
    const again = await tlsHello(cport, { session: cached.session, tls12: true });
    expect(again.reused).toBe(again.pid === cached.pid);
    idServedBy.add(again.pid!);
  }
  expect(idServedBy.size).toBe(2);
});
