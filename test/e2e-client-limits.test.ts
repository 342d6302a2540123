/**
 * Issue 14: with the client's identity passed on (PROXY v2, or XCLIENT), Postfix's per-client
 * connection limit (`smtpd_client_connection_count_limit`, kept by anvil) applies per real client,
 * not to the proxy. Limit 1: a second session from 127.0.0.5 is refused while one from 127.0.0.6
 * is served. With PROXY v2 there are no exceptions; with XCLIENT the proxy's own address is the
 * exception (every member connection comes from it before XCLIENT names the client), so the
 * refusal can only come from counting the client XCLIENT named.
 */
import { connect, type Socket } from 'node:net';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { freePort, waitForListen } from './support/ports';
import { startPostfix, type PrivatePostfix } from './support/postfix';
import { SmtpReplyReader } from './support/smtp-reply-reader';

let ltm: OpenltmInstance;
let postfix: PrivatePostfix;
let xcPostfix: PrivatePostfix;
let port = 0;
let xcPort = 0;
const sockets: Socket[] = [];
/** anvil's refusal of 127.0.0.5, as smtpd logs it (wording differs between Postfix versions). */
const REFUSED_5 = /too many connections from unknown\[127\.0\.0\.5\]|Connection concurrency limit exceeded: 2 from unknown\[127\.0\.0\.5\]/;

beforeAll(async () => {
  postfix = await startPostfix({
    main: {
      smtpd_upstream_proxy_protocol: 'haproxy',
      smtpd_client_connection_count_limit: '1',
      // The private Postfix's mynetworks is 127.0.0.0/8, exempt by default: count everyone.
      smtpd_client_event_limit_exceptions: '',
    },
  });
  xcPostfix = await startPostfix({
    main: {
      smtpd_authorized_xclient_hosts: '127.0.0.1',
      smtpd_client_connection_count_limit: '1',
      smtpd_client_event_limit_exceptions: '127.0.0.1',
    },
  });
  ltm = createOpenltm();
  port = await freePort();
  xcPort = await freePort();
  await ltm.tmshOk(`create ltm pool p_xc members replace-all-with { 127.0.0.1:${xcPostfix.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk('create ltm profile smtps s_xc activation-mode none client-identity xclient xclient-fallback next-member');
  await ltm.tmshOk(`create ltm virtual vs_xc destination 127.0.0.1:${xcPort} pool p_xc profiles replace-all-with { /Common/tcp { } s_xc { } }`);
  await ltm.tmshOk(`create ltm pool p_pf members replace-all-with { 127.0.0.1:${postfix.port} { address 127.0.0.1 } }`);
  await ltm.tmshOk('create ltm profile smtps s_v2 activation-mode none client-identity proxy-v2');
  await ltm.tmshOk(`create ltm virtual vs_v2 destination 127.0.0.1:${port} pool p_pf profiles replace-all-with { /Common/tcp { } s_v2 { } }`);
  await ltm.startDaemon();
  await waitForListen(port, { timeoutMs: 10_000 });
  await waitForListen(xcPort, { timeoutMs: 10_000 });
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await ltm?.stop();
  await postfix?.stop();
  await xcPostfix?.stop();
});

async function greeting(localAddress: string, to = port): Promise<string> {
  const s = connect({ host: '127.0.0.1', port: to, localAddress });
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
  // postlogd writes the maillog after smtpd has answered: wait for the line, do not race it.
  expect(await eventually(() => postfix.maillog(), (log) => REFUSED_5.test(log), 15_000)).toMatch(REFUSED_5);
}, 30_000);

it('XCLIENT: a second concurrent session from 127.0.0.5 is refused by Postfix; one from 127.0.0.6 is served', async () => {
  expect(await greeting('127.0.0.5', xcPort)).toMatch(/^220 /);
  expect(await greeting('127.0.0.6', xcPort)).toMatch(/^220 /);
  const second = await greeting('127.0.0.5', xcPort);
  expect(second).toMatch(/^421 /);
  expect(await eventually(() => xcPostfix.maillog(), (log) => REFUSED_5.test(log), 15_000)).toMatch(REFUSED_5);
}, 30_000);
