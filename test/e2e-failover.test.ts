/**
 * Failover under load, end to end: the real daemon (bin/openltm) in front of two smtp-sink
 * members behind a tcp monitor (interval 1, timeout 3), 40 concurrent STARTTLS clients sending
 * 4 KB messages through a require virtual. One member is killed with SIGKILL mid-run. In the
 * seconds before its monitor notices, sessions that would have gone to it must fail over to the
 * other member: not one session may be refused while a member is up.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { createOpenltm, type OpenltmInstance } from './support/openltm';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { freePort, waitForListen } from './support/ports';
import { SmtpReplyReader, type SmtpReply } from './support/smtp-reply-reader';

type Outcome = 'delivered' | 'refused' | 'lost';

interface SessionResult {
  outcome: Outcome;
  /** Messages the proxy answered 250 to at end of data. */
  acknowledged: number;
  /** The session began after the member was killed. */
  afterKill: boolean;
  detail?: string;
}

const BODY = `Subject: failover\r\n\r\n${'x'.repeat(76)}\r\n`.repeat(54); // ~4 KB

/** One client session: greeting, EHLO, STARTTLS, EHLO, three messages, QUIT. */
async function session(port: number, afterKill: boolean): Promise<SessionResult> {
  const raw = net.connect({ host: '127.0.0.1', port });
  raw.on('error', () => undefined);
  let reader = new SmtpReplyReader(raw);
  let sock: net.Socket | tls.TLSSocket = raw;
  let acknowledged = 0;
  const say = async (line: string, want: number): Promise<SmtpReply> => {
    sock.write(`${line}\r\n`);
    const r = await reader.next(15_000);
    if (r.code !== want) throw Object.assign(new Error(`${line.split(' ')[0]}: ${r.lines.join(' | ')}`), { reply: r });
    return r;
  };
  try {
    const greeting = await reader.next(15_000);
    // The proxy greets with the member's 220; `421 4.3.2` here is the refusal this test is about.
    if (greeting.code !== 220) return { outcome: greeting.lines[0].includes('4.3.2') ? 'refused' : 'lost', acknowledged, afterKill, detail: greeting.lines.join(' | ') };
    await say('EHLO client.test', 250);
    await say('STARTTLS', 220);
    reader.detach();
    sock = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket: raw, rejectUnauthorized: false, servername: 'proxy.test' }, () => resolve(s));
      s.once('error', reject);
    });
    reader = new SmtpReplyReader(sock);
    await say('EHLO client.test', 250);
    for (let i = 0; i < 3; i++) {
      await say('MAIL FROM:<load@client.test>', 250);
      await say('RCPT TO:<rcpt@member.test>', 250);
      await say('DATA', 354);
      await say(`${BODY}.`, 250);
      acknowledged++;
    }
    await say('QUIT', 221);
    return { outcome: 'delivered', acknowledged, afterKill };
  } catch (e) {
    const reply = (e as { reply?: SmtpReply }).reply;
    const refused = reply?.code === 421 && reply.lines[0].includes('4.3.2');
    return { outcome: refused ? 'refused' : 'lost', acknowledged, afterKill, detail: (e as Error).message };
  } finally {
    sock.destroy();
    raw.destroy();
  }
}

describe('failover under concurrent load (real daemon, smtp-sink members)', () => {
  let ltm: OpenltmInstance | undefined;
  const sinks: SmtpSink[] = [];

  afterAll(async () => {
    await ltm?.stop();
    for (const s of sinks) await s.stop();
  });

  test('a member killed with SIGKILL under 40 concurrent sessions: not one session is refused', async () => {
    const a = await startSmtpSink();
    const b = await startSmtpSink();
    sinks.push(a, b);
    ltm = createOpenltm();
    const port = await freePort();
    await ltm.tmshOk('create ltm monitor tcp m_tcp interval 1 timeout 3');
    await ltm.tmshOk(`create ltm pool p_sinks monitor m_tcp members replace-all-with { 127.0.0.1:${a.port} { address 127.0.0.1 } 127.0.0.1:${b.port} { address 127.0.0.1 } }`);
    await ltm.tmshOk('create ltm profile smtps s_require activation-mode require');
    await ltm.tmshOk(
      `create ltm virtual vs_fail destination 127.0.0.1:${port} pool p_sinks ` +
        'profiles replace-all-with { /Common/tcp { } s_require { } /Common/clientssl { context clientside } }',
    );
    // One worker: the per-source connection limit (default 50) is divided among workers, and 40
    // concurrent sessions from one address would meet a worker's share (e2e-workers.test.ts runs two).
    await ltm.startDaemon(['--workers', '1']);
    await waitForListen(port, { timeoutMs: 10_000 });
    const daemonLog = ltm.daemonLog;
    // Both members are up before the load starts.
    await until(() => (daemonLog().match(/monitor status up/g) ?? []).length >= 2, 'both members up');

    const results: SessionResult[] = [];
    let killed = false;
    let done = false;
    let acknowledged = 0;
    const client = async (): Promise<void> => {
      while (!done) {
        const r = await session(port, killed);
        results.push(r);
        acknowledged += r.acknowledged;
      }
    };
    const clients = Array.from({ length: 40 }, () => client());

    // Kill a once both members carry traffic, then run on until its monitor has marked it down
    // and sessions have kept going after that.
    await until(() => a.counters().messages >= 20 && b.counters().messages >= 20, 'traffic on both members');
    process.kill(a.pid, 'SIGKILL');
    killed = true;
    await until(() => /member \/Common\/127\.0\.0\.1:\d+ monitor status down/.test(daemonLog()), 'monitor marks the killed member down', 30_000);
    const atDown = results.length;
    await until(() => results.length >= atDown + 80, '80 more sessions after the mark-down');
    done = true;
    await Promise.all(clients);

    const refused = results.filter((r) => r.outcome === 'refused');
    const afterKill = results.filter((r) => r.afterKill);
    expect(refused.map((r) => r.detail)).toEqual([]);
    // Sessions that began after the kill never touched the dead member's SMTP state: all deliver.
    expect(afterKill.filter((r) => r.outcome !== 'delivered').map((r) => r.detail)).toEqual([]);
    expect(afterKill.length).toBeGreaterThan(80);
    // The dead member was actually offered sessions (and passed them on) before its monitor saw it.
    expect(daemonLog()).toMatch(new RegExp(`member /Common/127\\.0\\.0\\.1:${a.port} marked down after a failed connection`));
    // Nothing acknowledged is missing at the members (a's count is what it printed before dying).
    await until(() => a.counters().messages + b.counters().messages >= acknowledged, 'members recorded every acknowledged message');
    expect(a.counters().messages + b.counters().messages).toBeGreaterThanOrEqual(acknowledged);
  }, 120_000);
});

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
