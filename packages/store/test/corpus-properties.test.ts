/**
 * Properties of known types that real estates set (the corpus of public bigip.conf files): each
 * is accepted with its effect said (stored only warns), or refused with the reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes } from '@openltm/model';
import { openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => {
  t = openTestStore();
});
afterEach(() => t.cleanup());

const warned = (cmd: string): string[] => (t.store.execute(cmd, t.session).warnings ?? []).map((w) => w.toString());

test('pool: queueing is refused (openltm answers 421 instead); ToS, QoS and queue limits are stored only', () => {
  expect(t.fail('create ltm pool p queue-on-connection-limit enabled').toString()).toBe(
    '01070734:3: Configuration error: Pool (/Common/p) queue-on-connection-limit enabled is not supported: openltm does not queue connections; a client finding every member at its connection-limit gets 421 4.3.2 and retries later, as SMTP clients do.',
  );
  expect(t.store.names('ltm pool')).toEqual([]);
  expect(warned('create ltm pool p queue-on-connection-limit disabled queue-depth-limit 10 queue-time-limit 500 ip-tos-to-client mimic ip-tos-to-server 12 link-qos-to-client 3 ignore-persisted-weight enabled')).toEqual(
    ['queue-depth-limit', 'queue-time-limit', 'ip-tos-to-client', 'ip-tos-to-server', 'link-qos-to-client', 'ignore-persisted-weight'].map(
      (p) => `01070998:4: Pool (/Common/p): "${p}" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.`,
    ),
  );
  expect(t.fail('modify ltm pool p ip-tos-to-client 256').code).toBe(ErrorCodes.INVALID_VALUE);
  expect(t.run('list ltm pool p')).toContain('    ip-tos-to-client mimic\n');
});

test('virtual: serverssl-use-sni, service-down-immediate-action and address-status are stored only', () => {
  t.run('create ltm pool p');
  expect(warned('create ltm virtual vs destination 10.0.0.1:25 pool p serverssl-use-sni enabled service-down-immediate-action reset address-status no')).toEqual(
    ['serverssl-use-sni', 'service-down-immediate-action', 'address-status'].map(
      (p) => `01070998:4: Virtual Server (/Common/vs): "${p}" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.`,
    ),
  );
  expect(t.run('list ltm virtual vs serverssl-use-sni')).toBe('ltm virtual vs {\n    serverssl-use-sni enabled\n}\n');
});

test('client-ssl and server-ssl: the settings real estates carry load; inherit-ca-certkeychain is listed as given', () => {
  const file = path.join(t.dir, 'estate.conf');
  fs.writeFileSync(
    file,
    [
      'ltm profile client-ssl /Common/estate_cssl {',
      '    allow-dynamic-record-sizing disabled',
      '    app-service none',
      '    cert-extension-includes { basic-constraints subject-alternative-name }',
      '    defaults-from /Common/clientssl',
      '    generic-alert enabled',
      '    inherit-ca-certkeychain true',
      '    inherit-certkeychain true',
      '    max-renegotiations-per-minute 5',
      '    maximum-record-size 16384',
      '    mod-ssl-methods disabled',
      '    peer-no-renegotiate-timeout 10',
      '    renegotiate-max-record-delay indefinite',
      '    renegotiate-period indefinite',
      '    renegotiate-size indefinite',
      '    session-mirroring disabled',
      '    ssl-sign-hash any',
      '    strict-resume disabled',
      '}',
      'ltm profile server-ssl /Common/estate_sssl {',
      '    defaults-from /Common/serverssl',
      '    renegotiate-period indefinite',
      '    strict-resume disabled',
      '}',
      'ltm profile tcp /Common/estate_tcp {',
      '    congestion-control woodside',
      '    defaults-from /Common/tcp',
      '    init-cwnd 16',
      '    nagle enabled',
      '    send-buffer-size 262144',
      '    slow-start disabled',
      '    zero-window-timeout 20000',
      '}',
      '',
    ].join('\n'),
  );
  t.run(`load sys config merge file ${file}`);
  expect(t.run('list ltm profile client-ssl estate_cssl inherit-ca-certkeychain')).toBe('ltm profile client-ssl estate_cssl {\n    inherit-ca-certkeychain true\n}\n');
  expect(t.store.getEffective('ltm profile tcp', 'estate_tcp')!.properties['congestion-control']).toBe('woodside');
  expect(t.store.getEffective('ltm profile tcp', 'estate_tcp')!.properties.ecn).toBe('enabled');
  expect(t.fail('modify ltm profile tcp estate_tcp congestion-control fastest').code).toBe(ErrorCodes.INVALID_VALUE);
  expect(warned('modify ltm profile tcp estate_tcp init-cwnd 20')).toEqual([
    '01070998:4: TCP Profile (/Common/estate_tcp): "init-cwnd" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
  ]);
});

test('node fqdn: a node with only a DNS name is stored only (warned), and so are its pool members; without a name or an address a node is refused', () => {
  expect(warned('create ltm node api.example.com fqdn { name api.example.com address-family all autopopulate enabled }')).toEqual([
    '01070998:4: Node (/Common/api.example.com): "fqdn" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.',
  ]);
  expect(t.run('list ltm node api.example.com')).toBe(
    'ltm node api.example.com {\n    fqdn {\n        address-family all\n        autopopulate enabled\n        name api.example.com\n    }\n}\n',
  );
  t.run('create ltm pool p members replace-all-with { api.example.com:25 { fqdn { name api.example.com } } 10.0.0.1:25 { } }');
  expect(Object.keys(t.store.getEffective('ltm pool', 'p')!.properties.members as object)).toEqual(['/Common/api.example.com:25', '/Common/10.0.0.1:25']);
  expect(t.fail('create ltm node web1 fqdn { autopopulate enabled }').message).toBe('Configuration error: "address" is required to create a Node.');
});
