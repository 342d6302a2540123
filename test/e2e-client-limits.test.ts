/**
 * Issue 14: with the client's identity passed on (PROXY v2), Postfix's per-client connection
 * limit (`smtpd_client_connection_count_limit`, kept by anvil) applies per real client, not to
 * the proxy. Limit 1, no exceptions: a second session from 127.0.0.5 is refused while one from
 * 127.0.0.6 is served.
 */
import { connect, type Socket } from 'node:net';
import { createOpenltm, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { startPostfix, type PrivatePostfix } from './support/postfix';
import { SmtpReplyReader } from './support/smtp-reply-reader';

let ltm: OpenltmInstance;
let postfix: PrivatePostfix;
let port = 0;
const sockets: Socket[] = [];

beforeAll(async () => {
  postfix = await startPostfix({
    main: {
      smtpd_upstream_proxy_protocol: 'haproxy',
      smtpd_client_connection_count_limit: '1',
      // The private Postfix's mynetworks is 127.0.0.0/8, exempt by default: count everyone.
      smtpd_client_event_limit_exceptions: '',
    },
  });
  ltm = createOpenltm();
  port = await freePort();
  await ltm.tmshOk(`create ltm pool p_pf members replace-all-with { 127.0.0.1:${postfix.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk('create ltm profile smtps s_v2 activation-mode none client-identity proxy-v2');
  await ltm.tmshOk(`create ltm virtual vs_v2 destination 127.0.0.1:${port} pool p_pf profiles replace-all-with { /Common/tcp { } s_v2 { } }`);
  await ltm.startDaemon();
  await waitForListen(port, { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await ltm?.stop();
  await postfix?.stop();
});

async function greeting(localAddress: string): Promise<string> {
  const s = connect({ host: '127.0.0.1', port, localAddress });
  sockets.push(s);
  s.on('error', () => undefined);
  const reader = new SmtpReplyReader(s);
  const r = await reader.next(15_000);
  return r.lines.join('\n');
}

it('a second concurrent session from 127.0.0.5 is refused by Postfix; one from 127.0.0.6 is served', async () => {
  expect(await greeting('127.0.0.5')).toMatch(/^220 /);
  expect(await greeting('127.0.0.6')).toMatch(/^220 /);
  const second = await greeting('127.0.0.5');
  expect(second).toMatch(/^421 /);
  expect(postfix.maillog()).toMatch(/too many connections from unknown\[127\.0\.0\.5\]|Connection concurrency limit exceeded: 2 from unknown\[127\.0\.0\.5\]/);
}, 30_000);
