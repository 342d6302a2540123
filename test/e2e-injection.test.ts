/**
 * The STARTTLS command-injection probe (USENIX Security 2021; smtp-starttls.md 4.2, 4.7) against
 * the real daemon: plaintext pipelined after `STARTTLS\r\n` in the same segment must be thrown
 * away, never answered inside TLS and never forwarded to the pool member. The Postfix behind is
 * the witness: its queue and log must show none of the injected commands.
 */
import { E2eProxy, startE2eProxy, uniqueToken } from './support/e2e-proxy';
import { probeStarttlsInjection } from './support/starttls-injection';
import { eventually } from './support/openltm';

let proxy: E2eProxy;

beforeAll(async () => {
  proxy = await startE2eProxy(['allow', 'require']);
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
});

/** A whole plaintext transaction: if any of it got through, Postfix would log and queue it. */
function injectedTransaction(token: string): string {
  return [
    `EHLO ${token}.test`,
    `MAIL FROM:<${token}@attacker.test>`,
    'RCPT TO:<victim@server.test>',
    'DATA',
    `Subject: ${token}`,
    '',
    `injected ${token}`,
    '.',
    '',
  ].join('\r\n');
}

const cases: [string, (token: string) => string][] = [
  ['an injected NOOP', () => 'NOOP\r\n'],
  ['an injected EHLO', (token) => `EHLO ${token}.test\r\n`],
  ['an injected EHLO, MAIL FROM, RCPT TO and DATA', injectedTransaction],
];

describe.each(['allow', 'require'] as const)('vs_%s', (mode) => {
  it.each(cases)('discards %s pipelined after STARTTLS', async (_label, injected) => {
    const token = uniqueToken(`inj-${mode}`);
    const r = await probeStarttlsInjection({ port: proxy.ports[mode], injected: injected(token), waitMs: 500 });
    expect(r.verdict).toBe('not-injectable');
    expect(r.injectable).toBe(false);
    expect(r.plaintextAfter220).toBe('');
    expect(r.unpromptedInsideTls).toBe('');
    expect(r.fakeReply?.code).toBeGreaterThanOrEqual(500);

    // The witness: nothing of the injected bytes reached Postfix.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const queued = await proxy.postfix.messages();
    expect(queued.filter((m) => m.content.includes(token) || m.sender.includes(token))).toEqual([]);
    expect(proxy.postfix.maillog()).not.toContain(token);
  });
});

// Runs after the probes above (jest keeps definition order).
describe('the backend afterwards', () => {
  it('Postfix saw no MAIL or RCPT in any probed session, and queued nothing', async () => {
    const disconnects = () => proxy.postfix.maillog().split('\n').filter((l) => /postfix\/smtpd\[\d+\]: disconnect from/.test(l));
    // postlogd may write the last probe's disconnect a moment after the probe ended: wait for it.
    const sessions = await eventually(disconnects, (lines) => lines.length >= cases.length * 2, 15_000);
    // One backend session per probe (6), each closed by the probe's QUIT.
    expect(sessions.length).toBeGreaterThanOrEqual(cases.length * 2);
    for (const line of sessions) expect(line).not.toMatch(/\b(mail|rcpt|data)=/);
    expect(await proxy.postfix.messages()).toEqual([]);
  });
});
