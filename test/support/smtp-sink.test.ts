import { expectAccepted } from './client-mode';
import { isListening } from './ports';
import { SmtpSink, startSmtpSink } from './smtp-sink';
import { swaks } from './swaks';

describe('smtp-sink', () => {
  let sink: SmtpSink;
  afterEach(async () => {
    await sink?.stop();
  });

  it('counts sessions and messages sent with swaks', async () => {
    sink = await startSmtpSink();
    expect(sink.counters()).toEqual({ sessions: 0, quits: 0, messages: 0 });
    expectAccepted(await swaks({ port: sink.port }));
    expectAccepted(await swaks({ port: sink.port }));
    const c = await sink.waitForMessages(2);
    expect(c.messages).toBe(2);
    // The session counter moves when a session ends, just after the message count.
    for (let i = 0; i < 100 && sink.counters().sessions < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sink.counters()).toEqual({ sessions: 2, quits: 2, messages: 2 });
  });

  it('dumps messages with their envelope', async () => {
    sink = await startSmtpSink({ dump: true });
    expectAccepted(await swaks({ port: sink.port, from: 'a@client.test', to: ['b@server.test', 'c@server.test'], body: 'dumped body' }));
    await sink.waitForMessages(1);
    const [m] = sink.dumps();
    expect(m).toMatchObject({ clientAddress: '127.0.0.1', helo: 'client.test', sender: 'a@client.test', recipients: ['b@server.test', 'c@server.test'] });
    expect(m.content).toContain('dumped body');
  });

  it('stop() closes the port', async () => {
    sink = await startSmtpSink();
    const { port } = sink;
    await sink.stop();
    expect(isListening(port)).toBe(false);
  });
});
