/**
 * Progress deadlines. Over real sockets with short configured deadlines and the idle timer off
 * (idle-timeout 0), so only the deadline under test can end the session: on the old code each
 * of these sessions stayed open for ever. The arithmetic (data-rate credit, waiting on the
 * member, boundaries) is checked on SessionDeadlines with jest's fake timers.
 */
import { SessionDeadlines, type DeadlineConfig, type Expiry } from '../../src/session/deadlines';
import { SESSION_DEFAULTS } from '../../src/session/session-config';
import { Harness, until } from '../support/harness';
import type { TestClient } from '../support/smtp-client';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

const TIMEOUT = '421 4.4.2 proxy.test Error: timeout exceeded\r\n';
const OFF: DeadlineConfig = { firstCommandMs: 0, commandMs: 0, minDataRate: 0, dataEndMs: 0, maxAgeMs: 0 };

async function proxy(deadlines: Partial<DeadlineConfig>, backend: Parameters<Harness['start']>[2] = {}) {
  return h.start('allow', cert, backend, { idleTimeout: 0 }, { session: { deadlines: { ...OFF, ...deadlines } } });
}

/** Sends `byte` every `everyMs` until the proxy closes the connection (or `max` bytes). */
async function trickle(c: TestClient, byte: string, everyMs: number, max = 400): Promise<void> {
  for (let i = 0; i < max && !c.closed; i++) {
    c.send(byte);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe('over real sockets', () => {
  it('a client that never sends a command is closed at the first-command deadline, and its member connection with it', async () => {
    const f = await proxy({ firstCommandMs: 200 });
    const c = await f.connect();
    expect(await c.reply()).toMatch(/^220 /);
    expect(await c.reply(10_000)).toBe(TIMEOUT);
    expect(await c.waitClosed()).toBe(true);
    expect(f.listener.stats.sessionTimeouts).toBe(1);
    expect(await until(() => f.backend.log().endsWith('QUIT\r\n'))).toBe(true);
  });

  it('a command line trickled a byte at a time does not reset the deadline (the idle timer would)', async () => {
    const f = await proxy({ firstCommandMs: 300, commandMs: 300 });
    const c = await f.connect();
    await c.reply();
    expect(await c.cmd('EHLO c')).toMatch(/^250-/);
    await trickle(c, 'N', 40);
    expect(c.pending()).toBe(TIMEOUT);
    expect(await c.waitClosed()).toBe(true);
    expect(f.listener.stats.sessionTimeouts).toBe(1);
    expect(f.backend.log()).not.toContain('NNN');
  });

  it('DATA content slower than min-data-rate is cut off and the message is not delivered', async () => {
    const f = await proxy({ commandMs: 300, minDataRate: 1000 });
    const c = await f.connect();
    await c.reply();
    await c.cmd('MAIL FROM:<a@a.test>');
    await c.cmd('RCPT TO:<b@b.test>');
    expect(await c.cmd('DATA')).toMatch(/^354 /);
    // One byte per 40 ms earns 1 ms each: the 300 ms budget runs out.
    await trickle(c, 'x', 40);
    expect(c.pending()).toBe(TIMEOUT);
    expect(await c.waitClosed()).toBe(true);
    // Mid-DATA the member connection is dropped, never ended with a dot or QUIT.
    expect(await until(() => f.backend.connections[0].destroyed)).toBe(true);
    expect(f.backend.log()).not.toMatch(/\r\n\.\r\n|QUIT/);
  });

  it('the reply to the end of DATA has its own deadline, longer than the idle timeout (RFC 5321 4.5.3.2.6)', async () => {
    // Idle timeout 1 s; the member takes 2 s to queue the message; the end-of-DATA wait allows 60 s.
    const f = await h.start('allow', cert, { delays: { '.': 2000 } }, { idleTimeout: 1 }, { session: { deadlines: { ...OFF, dataEndMs: 60_000 } } });
    const c = await f.connect();
    await c.reply();
    await c.cmd('MAIL FROM:<a@a.test>');
    await c.cmd('RCPT TO:<b@b.test>');
    await c.cmd('DATA');
    expect(await c.cmd('hello\r\n.', 20_000)).toBe('250 2.0.0 Ok: queued as MOCK1\r\n');
    expect(f.listener.stats).toMatchObject({ messages: 1, sessionTimeouts: 0 });
    expect(await c.cmd('QUIT')).toMatch(/^221 /);
  });

  it('a member that never answers the end of DATA is given up at the end-of-DATA deadline', async () => {
    const f = await proxy({ dataEndMs: 300 }, { delays: { '.': 3000 } });
    const c = await f.connect();
    await c.reply();
    await c.cmd('MAIL FROM:<a@a.test>');
    await c.cmd('RCPT TO:<b@b.test>');
    await c.cmd('DATA');
    expect(await c.cmd('hello\r\n.', 10_000)).toBe(TIMEOUT);
    expect(await c.waitClosed()).toBe(true);
    expect(f.listener.stats.sessionTimeouts).toBe(1);
  });

  it('a session past its maximum age is closed at its next command boundary, however busy', async () => {
    const f = await proxy({ maxAgeMs: 300 });
    const c = await f.connect();
    await c.reply();
    for (let i = 0; i < 400 && !c.closed; i++) {
      const r = await c.cmd('NOOP', 10_000).catch(() => 'closed');
      if (r !== '250 2.0.0 Ok\r\n') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await c.waitClosed()).toBe(true);
    // Answered NOOPs, then the 421 at a command boundary, then the close.
    expect(c.all.toString('latin1')).toMatch(/^220 [^\n]*\n(250 2\.0\.0 Ok\r\n)+421 4\.4\.2 proxy\.test Error: timeout exceeded\r\n$/);
    expect(f.listener.stats.sessionTimeouts).toBe(1);
  });

  it('defaults: first command 60 s, command 300 s, 500 B/s, end of DATA at least 10 minutes', () => {
    expect(SESSION_DEFAULTS.deadlines).toEqual({ firstCommandMs: 60_000, commandMs: 300_000, minDataRate: 500, dataEndMs: 600_000, maxAgeMs: 3_600_000 });
  });
});

describe('SessionDeadlines (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function make(cfg: Partial<DeadlineConfig>, state: { member?: boolean; boundary?: boolean } = {}) {
    const fired: Expiry[] = [];
    const d = new SessionDeadlines({ ...OFF, ...cfg }, {
      expired: (why) => fired.push(why),
      waitingOnMember: () => state.member ?? false,
      atBoundary: () => state.boundary ?? true,
    });
    d.start();
    return { d, fired };
  }

  it('data earns time at min-data-rate, never more than one command timeout ahead', () => {
    const { d, fired } = make({ commandMs: 1000, minDataRate: 100 });
    d.dataStarted();
    jest.advanceTimersByTime(900);
    d.dataProgress(50); // +500 ms: due at 1500
    jest.advanceTimersByTime(550);
    expect(fired).toEqual([]);
    d.dataProgress(1_000_000); // capped at now + 1000 = 2450
    jest.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(2);
    expect(fired).toEqual(['data']);
  });

  it('time spent waiting for the member does not count against the client', () => {
    const state = { member: true };
    const { d, fired } = make({ firstCommandMs: 100, commandMs: 100 }, state);
    jest.advanceTimersByTime(1000);
    expect(fired).toEqual([]);
    state.member = false;
    jest.advanceTimersByTime(100);
    expect(fired).toEqual(['first-command']);
    d.stop();
  });

  it('while the end-of-DATA reply is awaited the client owes nothing; the member has dataEndMs', () => {
    const { d, fired } = make({ commandMs: 100, dataEndMs: 600_000 });
    d.awaitDataReply();
    expect(d.awaitingDataEnd).toBe(true);
    jest.advanceTimersByTime(599_999);
    expect(fired).toEqual([]);
    d.dataReplied();
    expect(d.awaitingDataEnd).toBe(false);
    jest.advanceTimersByTime(100);
    expect(fired).toEqual(['command']);
  });

  it('an old session mid-transfer is closed only at the next command boundary', () => {
    const state = { boundary: false };
    const { d, fired } = make({ maxAgeMs: 100 }, state);
    jest.advanceTimersByTime(200);
    expect(fired).toEqual([]);
    state.boundary = true;
    d.expectCommand();
    expect(fired).toEqual(['max-age']);
  });

  // One timer serves every deadline (it is never re-armed for a later one): these pin down that a
  // deadline still fires exactly when it is due, whichever way it moved.
  it('each command pushes the deadline later; it passes commandMs after the last one', () => {
    const { d, fired } = make({ commandMs: 100 });
    d.expectCommand();
    jest.advanceTimersByTime(50);
    d.expectCommand();
    jest.advanceTimersByTime(40);
    d.expectCommand();
    jest.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual(['command']);
  });

  it('a deadline brought earlier fires at the earlier time', () => {
    const { d, fired } = make({ firstCommandMs: 10_000, commandMs: 100 });
    jest.advanceTimersByTime(10);
    d.expectCommand(); // due at 110 instead of 10,000
    jest.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual(['command']);
  });

  it('the end-of-DATA deadline fires on its own time while the client deadline is far away', () => {
    const { d, fired } = make({ commandMs: 300_000, dataEndMs: 1000 });
    d.expectCommand();
    d.dataStarted();
    d.awaitDataReply();
    jest.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual(['data-end']);
  });

  it('a session reaching its maximum age between commands is closed then, not at the next command', () => {
    const { fired } = make({ commandMs: 300_000, maxAgeMs: 500 }, { boundary: true });
    jest.advanceTimersByTime(499);
    expect(fired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual(['max-age']);
  });

  it('stop() leaves no timer behind', () => {
    const { d } = make({ firstCommandMs: 100, commandMs: 100, dataEndMs: 100, maxAgeMs: 100 });
    d.awaitDataReply();
    d.stop();
    expect(jest.getTimerCount()).toBe(0);
  });
});
