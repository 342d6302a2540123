import { connect } from 'node:net';
import { DemoSinkMessage, RunningDemoSink, startDemoSink } from '../bin/demo-sink';
import { expectAccepted } from './support/client-mode';
import { SmtpReplyReader } from './support/smtp-reply-reader';
import { swaks } from './support/swaks';

describe('bin/demo-sink.js', () => {
  let sink: RunningDemoSink;
  const lines: string[] = [];
  const messages: DemoSinkMessage[] = [];

  beforeEach(async () => {
    lines.length = 0;
    messages.length = 0;
    sink = await startDemoSink({ port: 0, log: (l) => lines.push(l), onMessage: (m) => messages.push(m) });
  });
  afterEach(async () => {
    await sink.close();
  });

  /** A raw SMTP conversation: each entry is written in one go, and one reply is read per expected reply. */
  async function converse(writes: string[], repliesPerWrite: number[]): Promise<string[]> {
    const sock = connect({ host: '127.0.0.1', port: sink.port });
    const reader = new SmtpReplyReader(sock);
    const got: string[] = [(await reader.next()).lines.join('\n')];
    for (let i = 0; i < writes.length; i++) {
      sock.write(writes[i]);
      for (let j = 0; j < repliesPerWrite[i]; j++) got.push((await reader.next()).lines.join('\n'));
    }
    reader.detach();
    sock.destroy();
    return got;
  }

  it('accepts a message from swaks and prints one demo line', async () => {
    expectAccepted(await swaks({ port: sink.port, from: 'a@client.test', to: ['b@server.test', 'c@server.test'], body: 'hello' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^demo sink: message from <a@client\.test> to <b@server\.test> <c@server\.test>, \d+ bytes$/);
    expect(Number(/, (\d+) bytes$/.exec(lines[0])![1])).toBe(messages[0].data.length);
    expect(messages[0].data.toString()).toContain('\r\n\r\nhello\r\n');
  });

  it('undoes dot-stuffing and counts the bytes after it', async () => {
    expectAccepted(await swaks({ port: sink.port, body: '.leading dot\n..two dots\n.' }));
    const text = messages[0].data.toString();
    expect(text).toContain('\r\n.leading dot\r\n..two dots\r\n.\r\n');
    expect(lines[0]).toContain(`, ${messages[0].data.length} bytes`);
  });

  it('keeps state across RSET, pipelined commands and several messages in one session', async () => {
    const got = await converse(
      ['EHLO x.test\r\n', 'MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nRSET\r\nDATA\r\n', 'MAIL FROM:<>\r\nRCPT TO:<c@y.test>\r\nDATA\r\n', 'x\r\n.\r\nNOOP\r\nQUIT\r\n'],
      [1, 4, 3, 3],
    );
    expect(got[0]).toMatch(/^220 demo-sink ESMTP/);
    expect(got[1]).toContain('250-PIPELINING');
    expect(got.slice(2, 6).map((r) => r.slice(0, 3))).toEqual(['250', '250', '250', '503']);
    expect(got.slice(6, 9).map((r) => r.slice(0, 3))).toEqual(['250', '250', '354']);
    expect(got.slice(9)).toEqual(['250 2.0.0 Ok: accepted and discarded by the demo sink', '250 2.0.0 Ok', '221 2.0.0 Bye']);
    expect(lines).toEqual(['demo sink: message from <> to <c@y.test>, 3 bytes']);
  });

  it('refuses commands out of order, bad syntax, unknown verbs and overlong lines', async () => {
    const got = await converse(
      ['MAIL FROM:<a@x.test>\r\n', 'HELO\r\n', 'HELO x.test\r\n', 'RCPT TO:<b@y.test>\r\n', 'MAIL FROM:a@x.test\r\n', 'VRFY root\r\n', `NOOP ${'x'.repeat(5000)}\r\n`, 'NOOP\r\n'],
      [1, 1, 1, 1, 1, 1, 1, 1],
    );
    expect(got.slice(1).map((r) => r.slice(0, 3))).toEqual(['503', '501', '250', '503', '501', '502', '500', '250']);
    expect(lines).toEqual([]);
  });
});
