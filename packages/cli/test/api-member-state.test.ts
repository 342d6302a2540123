/**
 * iControl REST shows a pool member's live state as `list` does: a member held by manual
 * resume is `down` (a state word clients such as f5_modules know and can send back), and the
 * PATCH that enables it is the tmsh resume.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { typeOf } from '@openltm/model';
import { Session, Store, generateSelfSigned } from '@openltm/store';
import { Resources, parseQuery } from '../src/api/resources';
import { Uploads } from '../src/api/sys-resources';

let dir: string;
let store: Store;
let resources: Resources;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'openltm-api-state-'));
  store = Store.open(join(dir, 'config.db'), { defaultCertificate: generateSelfSigned() });
  resources = new Resources(store, new Uploads(join(dir, 'uploads')));
  const session = new Session();
  store.execute('create ltm monitor smtp mr defaults-from smtp manual-resume enabled', session);
  store.execute('create ltm pool p monitor mr members replace-all-with { 10.0.0.11:25 { } }', session);
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a member held down-manual-resume reads as state down; the enabling PATCH is the resume statement', () => {
  store.writeStatus({
    generation: store.generation(), at: Date.now(), virtuals: [],
    members: [{
      pool: '/Common/p', member: '/Common/10.0.0.11:25', availability: 'offline', monitorStatus: 'down-manual-resume',
      reason: 'Pool member has been marked down by a monitor and waits for manual resume', stats: { curConns: 0, maxConns: 0, totConns: 0, bytesIn: 0, bytesOut: 0 },
    }],
  });
  const path = { type: typeOf('ltm pool'), name: '/Common/p', sub: 'members', entry: '/Common/10.0.0.11:25' };
  expect(resources.get(path, parseQuery(new URLSearchParams()))).toMatchObject({ state: 'down', session: 'monitor-enabled' });
  const { tmsh } = resources.statements('PATCH', path, { session: 'user-enabled', state: 'user-up' });
  expect(tmsh).toEqual(['modify ltm pool /Common/p members modify { /Common/10.0.0.11:25 { session user-enabled state user-up } }']);
  store.execute(tmsh[0], new Session());
  expect(store.resumeTokens()).toEqual({ '/Common/p /Common/10.0.0.11:25': 1 });
});
