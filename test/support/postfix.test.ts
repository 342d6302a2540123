import { expectAccepted } from './client-mode';
import { makeSelfSignedCert, TestCertificate } from './certs';
import { isRunning, postfixProcessesUnder, PrivatePostfix, startPostfix } from './postfix';
import { isListening } from './ports';
import { swaks } from './swaks';

describe('private Postfix', () => {
  let postfix: PrivatePostfix;

  beforeAll(async () => {
    postfix = await startPostfix();
  });

  afterAll(async () => {
    await postfix.stop();
    expect(postfixProcessesUnder(postfix.dir)).toEqual([]);
  });

  it('listens on a loopback port of its own, in a private directory', () => {
    expect(isListening(postfix.port)).toBe(true);
    expect(isRunning(postfix.pid)).toBe(true);
    expect(postfixProcessesUnder(postfix.dir)).toContain(postfix.pid);
    expect(postfix.maillog()).toContain(`configuration ${postfix.configDir}`);
  });

  it('holds a message sent with swaks; messages() returns envelope and body', async () => {
    const r = await swaks({ port: postfix.port, from: 'alice@client.test', to: ['bob@server.test', 'carol@server.test'], body: 'hello from swaks' });
    expectAccepted(r);
    expect(r.transcript).toMatch(/<- {2}250 2\.0\.0 Ok: queued as ([0-9A-F]+)/);
    const queuedAs = /queued as ([0-9A-F]+)/.exec(r.transcript)![1];
    const [m] = await postfix.waitForMessages(1);
    expect(m).toMatchObject({ id: queuedAs, queue: 'hold', sender: 'alice@client.test', recipients: ['bob@server.test', 'carol@server.test'] });
    expect(m.content).toContain('hello from swaks');
    expect(m.content).toMatch(/^Received: from client\.test \(.*127\.0\.0\.1\]?\)/);
    expect(postfix.maillog()).toContain(`${queuedAs}: hold:`);
  });

  it('answers a malformed sender address with a 5xx and swaks reports failure', async () => {
    const r = await swaks({ port: postfix.port, from: 'bad address', to: 'x@server.test' });
    expect(r.code).not.toBe(0);
    expect(r.transcript).toMatch(/<\*\* 50[0-9] /);
  });
});

describe('private Postfix with STARTTLS', () => {
  let cert: TestCertificate;
  let postfix: PrivatePostfix;

  beforeAll(async () => {
    cert = await makeSelfSignedCert();
    postfix = await startPostfix({ tls: { certFile: cert.certFile, keyFile: cert.keyFile } });
  });

  afterAll(async () => {
    await postfix?.stop();
    cert?.remove();
    expect(postfixProcessesUnder(postfix.dir)).toEqual([]);
  });

  it('accepts swaks --tls and records the TLS session in the Received: header', async () => {
    const r = await swaks({ port: postfix.port, mode: 'starttls', body: 'over tls' });
    expectAccepted(r);
    expect(r.transcript).toContain('<-  220 2.0.0 Ready to start TLS');
    expect(r.transcript).toMatch(/<~ {2}250 2\.0\.0 Ok: queued as/);
    const [m] = await postfix.waitForMessages(1);
    expect(m.content).toMatch(/\(using TLSv1\.[23] with cipher /);
  });

  it('stop() leaves no Postfix process and no directory behind', async () => {
    const other = await startPostfix();
    const { dir, pid } = other;
    await other.stop();
    expect(isRunning(pid)).toBe(false);
    expect(postfixProcessesUnder(dir)).toEqual([]);
    expect(require('node:fs').existsSync(dir)).toBe(false);
  });
});
