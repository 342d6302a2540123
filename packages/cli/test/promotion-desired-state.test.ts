/**
 * A store written by an older openltm that kept SNAT pools, their translations and a virtual's
 * source-address-translation as they came: opened by this build they are first-class, and the
 * data plane's desired state carries the SNAT addresses (the store's own tests cover the rest).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESERVED_KEY, Store, generateSelfSigned, type StoredValue } from '@openltm/store';
// The repository seam, to write records the way the older build did.
import { SqliteBackend } from '../../store/src/sqlite-backend';
import { readDesiredState } from '../src/daemon/store-desired-state';

let dir: string;
const pair = generateSelfSigned();
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openltm-promote-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('SNAT objects an older build kept verbatim reach the desired state once the store is reopened', () => {
  const file = join(dir, 'config.db');
  const before = Store.open(file, { defaultCertificate: pair });
  before.execute('create ltm virtual vs destination 192.0.2.10:25 ip-protocol tcp profiles add { tcp }');
  // Kept verbatim, the older build's data plane had no SNAT for it.
  expect(readDesiredState(before).virtuals.find((v) => v.name === '/Common/vs')!.snat).toBeUndefined();
  before.close();

  const backend = SqliteBackend.open(file);
  backend.write(() => {
    const repo = backend.repo;
    repo.insert('ltm snat-translation', '/Common/10.9.9.9', { [PRESERVED_KEY]: [['address', '10.9.9.9']] as unknown as StoredValue });
    repo.insert('ltm snatpool', '/Common/sp', { [PRESERVED_KEY]: [['members', { b: [['/Common/10.9.9.9']] }]] as unknown as StoredValue });
    const vs = repo.get('ltm virtual', '/Common/vs')!;
    const line = ['source-address-translation', { b: [['pool', '/Common/sp'], ['type', 'snat']] }];
    repo.update(vs, { ...repo.propsCopy(vs), [PRESERVED_KEY]: [line] as unknown as StoredValue });
  });
  backend.close();

  const store = Store.open(file, { defaultCertificate: pair });
  try {
    expect(store.promotion.promoted.sort()).toEqual(['ltm snat-translation /Common/10.9.9.9', 'ltm snatpool /Common/sp', 'ltm virtual /Common/vs']);
    const vs = readDesiredState(store).virtuals.find((v) => v.name === '/Common/vs')!;
    expect(vs.snat).toEqual({ type: 'snat', pool: '/Common/sp', addresses: ['10.9.9.9'] });
  } finally {
    store.close();
  }
});
