/**
 * server-ssl never downgrades: a member that does not offer STARTTLS, refuses it, or pipelines
 * bytes behind its 220 (STARTTLS injection towards the proxy) is a failed member connection, and
 * none of the client's SMTP reaches it in plaintext. Real sockets; the mock backend is plaintext.
 */
import { Harness, virtualSpec } from '../support/harness';
import { B0_EHLO, type MockBackendOptions } from '../support/mock-backend';
import { makeCert, type TestCert } from '../support/tls-fixture';

let cert: TestCert;
const h = new Harness();
beforeAll(() => (cert = makeCert()));
afterEach(() => h.stop());

const serverSsl = { name: '/Common/serverssl', ciphers: 'DEFAULT', options: [], peerCertMode: 'ignore' as const, handshakeTimeout: 2 };

async function tryMember(backendOpts: MockBackendOptions) {
  const f = await h.start('plain', cert, backendOpts, { serverSsl });
  const c = await f.connect();
  const reply = await c.reply();
  c.send('EHLO client.test\r\nMAIL FROM:<a@b.test>\r\n');
  await c.waitClosed(3000);
  return { reply, received: f.backend.log(), failures: f.selector.failures.map((x) => x.reason) };
}

describe('server-ssl towards a plaintext-only member', () => {
  it('refuses a member that does not offer STARTTLS: 421 to the client, only the proxy\'s EHLO reached the member', async () => {
    const r = await tryMember({ ehlo: B0_EHLO.replace('250-STARTTLS\r\n', '') });
    expect(r.reply).toMatch(/^421 4\.3\.2 /);
    expect(r.received).toBe('EHLO proxy.test\r\n');
    expect(r.failures.join(' ')).toMatch(/does not offer STARTTLS/);
  });

  it('refuses a member that answers STARTTLS with 454', async () => {
    const r = await tryMember({ replies: { STARTTLS: '454 4.7.0 TLS not available due to local problem\r\n' } });
    expect(r.reply).toMatch(/^421 4\.3\.2 /);
    expect(r.received).toBe('EHLO proxy.test\r\nSTARTTLS\r\n');
    expect(r.failures.join(' ')).toMatch(/refused STARTTLS \(454\)/);
  });

  it('refuses a member that pipelines a reply behind its 220 (it would be read as TLS)', async () => {
    const r = await tryMember({ replies: { STARTTLS: '220 2.0.0 Ready to start TLS\r\n250 injected\r\n' } });
    expect(r.reply).toMatch(/^421 4\.3\.2 /);
    expect(r.received).not.toMatch(/MAIL FROM/);
    expect(r.failures.join(' ')).toMatch(/pipelined/);
  });
});
