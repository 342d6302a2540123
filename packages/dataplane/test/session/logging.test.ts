/** Logs carry connection ids and events, never message content or AUTH data (smtp-starttls.md §4.5). */
import pino from 'pino';
import { Writable } from 'node:stream';
import { Harness } from '../support/harness';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

it('a debug-level log of a whole session holds no AUTH secret, no body, no injected bytes', async () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
  const logger = pino({ level: 'debug' }, sink);
  const f = await h.start('allow', cert, { replies: { AUTH: '235 2.7.0 ok\r\n' } }, {}, { logger });
  const c = await f.connect();
  await c.reply();
  await c.cmd('AUTH PLAIN AHBsYWludGV4dHNlY3JldA==');
  c.send('STARTTLS\r\nAUTH PLAIN AGluamVjdGVkc2VjcmV0\r\n');
  await c.reply();
  await c.startTls(cert.cert);
  await c.cmd('EHLO c');
  await c.cmd('AUTH PLAIN AHRsc3NlY3JldA==');
  await c.cmd('MAIL FROM:<a@a.test>');
  await c.cmd('RCPT TO:<b@b.test>');
  await c.cmd('DATA');
  await c.cmd('Subject: confidential-body-text\r\n\r\nsecret words\r\n.');
  await c.cmd('QUIT');
  await c.waitClosed(1000);
  const log = lines.join('');
  expect(log).toMatch(/"cid":"1"/);
  expect(log).toContain('discarded plaintext pipelined after STARTTLS');
  for (const secret of ['AHBsYWludGV4dHNlY3JldA', 'AGluamVjdGVkc2VjcmV0', 'AHRsc3NlY3JldA', 'confidential-body-text', 'secret words', 'BEGIN']) {
    expect(log).not.toContain(secret);
  }
});
