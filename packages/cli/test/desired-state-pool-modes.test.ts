/**
 * The daemon's reading of the store for monitors and pools: the settings that take effect in
 * the data plane reach its desired state (reverse, manual-resume and its resume tokens, the
 * node ratio of the -node modes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, Store, generateSelfSigned } from '@openltm/store';
import { readDesiredState } from '../src/daemon/store-desired-state';

let dir: string;
let store: Store;
const session = new Session();
const run = (cmd: string) => store.execute(cmd, session).output;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'openltm-desired-'));
  store = Store.open(join(dir, 'config.db'), { defaultCertificate: generateSelfSigned() });
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('monitor modes, resume tokens and node ratios reach the desired state', () => {
  run('create ltm monitor tcp maint send "QUIT\\r\\n" recv "^421" reverse enabled manual-resume enabled up-interval 30 time-until-up 12');
  run('create ltm node 10.0.0.11 address 10.0.0.11 ratio 3');
  run('create ltm pool p load-balancing-mode ratio-least-connections-node monitor maint members replace-all-with { 10.0.0.11:25 { } 10.0.0.12:25 { } }');
  run('modify ltm pool p members modify { 10.0.0.11:25 { session user-enabled state user-up } }');
  const desired = readDesiredState(store);
  expect(desired.monitors.find((m) => m.name === '/Common/maint')).toMatchObject({
    type: 'tcp', send: 'QUIT\r\n', recv: '^421', reverse: true, manualResume: true, upInterval: 30, timeUntilUp: 12,
  });
  const pool = desired.pools.find((p) => p.name === '/Common/p')!;
  expect(pool.loadBalancingMode).toBe('ratio-least-connections-node');
  expect(pool.members.map((m) => [m.name, m.resumeToken, m.nodeRatio])).toEqual([
    ['/Common/10.0.0.11:25', 1, 3],
    ['/Common/10.0.0.12:25', 0, 1],
  ]);
});
