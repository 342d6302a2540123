/**
 * What the daemon hands the data plane, read from a real SQLite store file configured with tmsh
 * statements: effective values (defaults and defaults-from), PEMs loaded, full paths, node state
 * carried onto members, and a source whose generation follows every commit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, Store, generateSelfSigned } from '@openltm/store';
import { readDesiredState, storeSource } from '../../src/daemon/store-desired-state';

let dir: string;
let store: Store;
const session = new Session();
const defaultPair = generateSelfSigned('default.test');
const mailPair = generateSelfSigned('mail.example.com');

function run(cmd: string): void {
  store.execute(cmd, session);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openltm-desired-state-'));
  store = Store.open(join(dir, 'config.db'), { defaultCertificate: defaultPair });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a STARTTLS virtual: destination, smtps mode, client-ssl PEMs, tcp idle timeout, pool and limit', () => {
  writeFileSync(join(dir, 'mail.crt'), mailPair.cert);
  writeFileSync(join(dir, 'mail.key'), mailPair.key);
  run(`create sys file ssl-cert mail.crt source-path file:${join(dir, 'mail.crt')}`);
  run(`create sys file ssl-key mail.key source-path file:${join(dir, 'mail.key')}`);
  run('create ltm profile client-ssl my_cssl defaults-from clientssl ciphers ECDHE+AESGCM handshake-timeout 7 cert-key-chain replace-all-with { default { cert mail.crt key mail.key } }');
  run('create ltm profile smtps my_smtps defaults-from smtps activation-mode require');
  run('create ltm profile tcp my_tcp defaults-from tcp idle-timeout 42');
  run('create ltm pool p members replace-all-with { 10.0.0.11:25 { address 10.0.0.11 } }');
  run('create ltm virtual vs destination 192.0.2.10:25 pool p connection-limit 500 profiles replace-all-with { my_tcp { } my_smtps { } my_cssl { context clientside } }');

  const { virtuals } = readDesiredState(store);
  expect(virtuals).toHaveLength(1);
  const [vs] = virtuals;
  expect(vs).toMatchObject({
    name: '/Common/vs', enabled: true, address: '192.0.2.10', port: 25, pool: '/Common/p', connectionLimit: 500, idleTimeout: 42,
    smtps: { name: '/Common/my_smtps', activationMode: 'require', allowPlaintextAuth: false },
  });
  expect(vs.clientSsl).toMatchObject({ name: '/Common/my_cssl', ciphers: 'ECDHE+AESGCM', handshakeTimeout: 7 });
  expect(vs.clientSsl!.certKeyChain).toEqual([{ cert: mailPair.cert, key: mailPair.key }]);
});

test('defaults apply where nothing is set: the built-in clientssl brings the default certificate, tcp 300 s, no smtps', () => {
  run('create ltm virtual plain destination 192.0.2.11:465 profiles replace-all-with { /Common/tcp { } /Common/clientssl { context clientside } }');
  run('create ltm virtual off destination 2001:db8::25.25 disabled');
  const byName = new Map(readDesiredState(store).virtuals.map((v) => [v.name, v]));
  const plain = byName.get('/Common/plain')!;
  expect(plain).toMatchObject({ enabled: true, idleTimeout: 300, connectionLimit: 0 });
  expect(plain.smtps).toBeUndefined();
  expect(plain.pool).toBeUndefined();
  expect(plain.clientSsl?.certKeyChain).toEqual([{ cert: defaultPair.cert, key: defaultPair.key }]);
  expect(plain.clientSsl?.handshakeTimeout).toBe(10);
  expect(byName.get('/Common/off')).toMatchObject({ enabled: false, address: '2001:db8::25', port: 25 });
  expect(byName.get('/Common/off')!.clientSsl).toBeUndefined();
});

test('pools: member weights, node state carried onto its members, monitor rules of pool and member', () => {
  run('create ltm monitor smtp smtp_mon defaults-from smtp domain example.com interval 2 timeout 7');
  run('create ltm monitor tcp tcp_mon send "QUIT\\r\\n" recv 221');
  run('create ltm node 10.0.0.12 address 10.0.0.12 state user-down');
  run('create ltm node 10.0.0.13 address 10.0.0.13 session user-disabled');
  run(
    'create ltm pool p load-balancing-mode ratio-member min-active-members 1 monitor min 1 of { smtp_mon tcp_mon } members replace-all-with { ' +
      '10.0.0.11:25 { address 10.0.0.11 ratio 3 priority-group 5 connection-limit 20 monitor tcp_mon } ' +
      '10.0.0.12:25 { address 10.0.0.12 } 10.0.0.13:587 { address 10.0.0.13 } }',
  );
  const desired = readDesiredState(store);
  const pool = desired.pools.find((p) => p.name === '/Common/p')!;
  expect(pool).toMatchObject({ loadBalancingMode: 'ratio-member', minActiveMembers: 1, monitor: { monitors: ['/Common/smtp_mon', '/Common/tcp_mon'], minimum: 1 } });
  expect(pool.members).toEqual([
    expect.objectContaining({
      name: '/Common/10.0.0.11:25', address: '10.0.0.11', port: 25, ratio: 3, priorityGroup: 5, connectionLimit: 20,
      state: 'user-up', session: 'user-enabled', monitor: { monitors: ['/Common/tcp_mon'], minimum: 'all' },
    }),
    expect.objectContaining({ name: '/Common/10.0.0.12:25', state: 'user-down', session: 'user-enabled', ratio: 1, priorityGroup: 0, connectionLimit: 0 }),
    expect.objectContaining({ name: '/Common/10.0.0.13:587', port: 587, state: 'user-up', session: 'user-disabled' }),
  ]);
  expect(pool.members[1].monitor).toBeUndefined();
  const monitors = new Map(desired.monitors.map((m) => [m.name, m]));
  expect(monitors.get('/Common/smtp_mon')).toMatchObject({ type: 'smtp', interval: 2, timeout: 7, domain: 'example.com', destination: '*:*' });
  // tmsh escapes are undone: the probe writes a real CR LF.
  expect(monitors.get('/Common/tcp_mon')).toMatchObject({ type: 'tcp', send: 'QUIT\r\n', recv: '221', interval: 5, timeout: 16 });
});

test('the source follows the store: each commit moves the generation, and read() returns that generation', () => {
  const source = storeSource(store);
  const before = source.generation();
  expect(source.read().generation).toBe(before);
  run('create ltm pool p');
  const after = source.generation();
  expect(after).toBeGreaterThan(before);
  const desired = source.read();
  expect(desired.generation).toBe(after);
  expect(desired.pools.map((p) => p.name)).toContain('/Common/p');
  // A second store handle on the same file (another tmsh process) is seen too.
  const other = Store.open(join(dir, 'config.db'), { defaultCertificate: defaultPair });
  try {
    other.execute('modify ltm pool p load-balancing-mode least-connections-member', new Session());
  } finally {
    other.close();
  }
  expect(source.generation()).toBeGreaterThan(after);
  expect(source.read().pools.find((p) => p.name === '/Common/p')?.loadBalancingMode).toBe('least-connections-member');
});

test('match rules: a host has no prefix, a network its prefix, the wildcard 0, a source its prefix (IPv4 and IPv6)', () => {
  run('create ltm virtual host destination 192.0.2.10:25');
  run('create ltm virtual net destination 192.0.2.0/24:25 source 10.0.0.0/8');
  run('create ltm virtual wild destination any:25');
  run('create ltm virtual net6 destination 2001:db8::/32.25 source 2001:db8:1::7');
  run('create ltm virtual host6 destination 2001:db8::1.25');
  const byName = new Map(readDesiredState(store).virtuals.map((v) => [v.name, v]));
  const rule = (name: string) => {
    const v = byName.get(`/Common/${name}`)!;
    return { address: v.address, port: v.port, prefix: v.prefix, source: v.source };
  };
  expect(rule('host')).toEqual({ address: '192.0.2.10', port: 25, prefix: undefined, source: undefined });
  expect(rule('net')).toEqual({ address: '192.0.2.0', port: 25, prefix: 24, source: { address: '10.0.0.0', prefix: 8 } });
  expect(rule('wild')).toEqual({ address: '0.0.0.0', port: 25, prefix: 0, source: undefined });
  expect(rule('net6')).toEqual({ address: '2001:db8::', port: 25, prefix: 32, source: { address: '2001:db8:1::7', prefix: 128 } });
  expect(rule('host6')).toEqual({ address: '2001:db8::1', port: 25, prefix: undefined, source: undefined });
});
