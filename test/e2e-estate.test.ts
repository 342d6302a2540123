/**
 * A BIG-IP estate loaded into a running daemon (docs/estates.md): a virtual openltm can serve
 * relays mail to a real smtp-sink, with its iRule and an unmodelled property kept stored only;
 * a virtual with BIG-IP's http profile is kept but gets no listener, and `show` says why; once
 * an administrator makes it servable, it listens.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOpenltm, eventually, type OpenltmInstance } from './support/openltm';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { freePort, isListening } from './support/ports';
import { swaks } from './support/swaks';
import { expectAccepted } from './support/client-mode';

jest.setTimeout(60_000);

let ltm: OpenltmInstance;
let sink: SmtpSink;
let mailPort: number;
let webPort: number;

beforeAll(async () => {
  sink = await startSmtpSink();
  ltm = createOpenltm();
  mailPort = await freePort();
  webPort = await freePort();
  await ltm.startDaemon();
});

afterAll(async () => {
  await ltm?.stop();
  await sink?.stop();
});

test('the served virtual relays, the kept one gets no listener and says why, then listens once servable', async () => {
  const file = join(ltm.dir, 'estate.conf');
  writeFileSync(file, [
    '#TMSH-VERSION: 15.1.8.2',
    '',
    'ltm profile http /Common/my_http {',
    '    defaults-from /Common/http',
    '    insert-xforwarded-for enabled',
    '}',
    'ltm rule /Common/log_client {',
    'when CLIENT_ACCEPTED { log local0. "client [IP::client_addr]" }',
    '}',
    `ltm pool /Common/mail_pool {`,
    '    members {',
    `        /Common/127.0.0.1:${sink.port} {`,
    '            address 127.0.0.1',
    '        }',
    '    }',
    '    queue-depth-limit 66',
    '}',
    'ltm virtual /Common/mail_vs {',
    `    destination /Common/127.0.0.1:${mailPort}`,
    '    ip-protocol tcp',
    '    pool /Common/mail_pool',
    '    profiles {',
    '        /Common/tcp { }',
    '    }',
    '    rules {',
    '        /Common/log_client',
    '    }',
    '    serverssl-use-sni disabled',
    '}',
    'ltm virtual /Common/web_vs {',
    `    destination /Common/127.0.0.1:${webPort}`,
    '    ip-protocol tcp',
    '    pool /Common/mail_pool',
    '    profiles {',
    '        /Common/my_http { }',
    '        /Common/tcp { }',
    '    }',
    '}',
    'sys ntp {',
    '    servers { 192.0.2.123 }',
    '}',
    '',
  ].join('\n'));
  const out = await ltm.tmshOk(`load sys config merge file ${file}`);
  expect(out).toContain('Stored only: 2 objects of types openltm does not implement, kept as they came (list and save show them; nothing acts on them): ltm profile http (1), sys ntp (1).');
  expect(out).toContain('Stored only (openltm keeps these settings and does not act on them): ltm pool queue-depth-limit (1), ltm rule definition (1), ltm virtual rules (1).');
  // queue-depth-limit and serverssl-use-sni are modelled (stored only): nothing is an unknown property any more.
  expect(out).not.toContain('properties openltm does not implement');
  expect(out).toContain('Not served: 1 virtual servers are kept but get no listener:\n  /Common/web_vs: profile /Common/my_http is not supported: it is ltm profile http, which openltm does not serve.');

  // The served virtual listens and relays to the real member.
  await eventually(() => isListening(mailPort), (ok) => ok, 20_000, 20);
  expectAccepted(await swaks({ port: mailPort, mode: 'plain', subject: 'estate' }));
  await sink.waitForMessages(1);
  // Applied in the same reconcile as mail_vs, web_vs has no socket.
  expect(isListening(webPort)).toBe(false);
  expect(await ltm.tmshOk('show ltm virtual web_vs')).toMatch(/Reason +: Not served by openltm \(no listener\): profile \/Common\/my_http is not supported/);
  expect(await ltm.tmshOk('show ltm virtual mail_vs')).toContain('  ltm virtual /Common/mail_vs: rules { /Common/log_client }');

  // Made servable by the administrator, it listens.
  await ltm.tmshOk('modify ltm virtual web_vs profiles replace-all-with { tcp { } }');
  expect(await eventually(() => isListening(webPort), (ok) => ok, 20_000, 20)).toBe(true);
});
