/**
 * A daemon's view of etcd (the store opened with `follow`, as `openltm daemon` opens it) when its
 * watch loses its place: the member it talks to goes away, the others take edits and etcd
 * compacts the history past the watch's revision. When the member returns, the watch cannot
 * resume there, so the follower reads everything again and sees every edit.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Session, type Store } from '@openltm/store';
import { etcdCacheFile, openStoreAt } from '../packages/cli/src/open-store';
import { startEtcd, type EtcdCluster } from './support/etcd';
import { eventually } from './support/openltm';

let etcd: EtcdCluster;
let home: string;
const stores: Store[] = [];
beforeAll(async () => {
  etcd = await startEtcd({ members: 3 });
  home = mkdtempSync(join(tmpdir(), 'openltm-etcd-watch-'));
}, 60_000);
afterAll(async () => {
  for (const s of stores) s.close();
  await etcd?.stop();
  rmSync(home, { recursive: true, force: true });
});

function etcdctl(endpoint: string, ...args: string[]): string {
  return execFileSync('etcdctl', ['--endpoints', endpoint, ...args], { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8' });
}

test('a watch whose revision was compacted away falls back to a full read and misses nothing', async () => {
  const [a, b] = etcd.members;
  const env = { ...process.env, HOME: home, OPENLTM_ETCD_TIMEOUT_MS: '2000' };
  const address = (m: typeof a) => m.clientUrl.replace('http://', '');
  // The follower knows member a only; the editor knows member b only.
  const follower = openStoreAt(`etcd://${address(a)}/watch`, { env, follow: true });
  stores.push(follower);
  const editor = openStoreAt(`etcd://${address(b)}/watch`, { env });
  stores.push(editor);
  editor.execute('create ltm pool before', new Session());
  expect(await eventually(() => follower.names('ltm pool'), (n) => n.includes('before'))).toContain('before');
  expect(follower.etcd!.fullReads).toBe(0);

  await a.kill();
  for (let i = 0; i < 5; i++) editor.execute(`create ltm pool while_away_${i}`, new Session());
  editor.execute('delete ltm pool before', new Session());
  const revision = /"revision":(\d+)/.exec(etcdctl(b.clientUrl, 'endpoint', 'status', '-w', 'json'))![1];
  etcdctl(b.clientUrl, 'compact', revision, '--physical');
  await a.start();

  const names = await eventually(() => follower.names('ltm pool'), (n) => n.length === 5 && !n.includes('before'), 30_000, 100);
  expect(names).toEqual(['while_away_0', 'while_away_1', 'while_away_2', 'while_away_3', 'while_away_4']);
  expect(follower.generation()).toBe(editor.generation());
  // It got there by reading everything again, not by resuming the watch.
  expect(follower.etcd!.fullReads).toBeGreaterThanOrEqual(1);
}, 90_000);

test('a reader that opened on the cached copy (etcd down) reads it, refuses writes, and returns to the cluster when it answers', async () => {
  const env = { ...process.env, HOME: home, OPENLTM_ETCD_TIMEOUT_MS: '1000' };
  const url = `etcd://${etcd.members.map((m) => m.clientUrl.replace('http://', '')).join(',')}/offline`;
  const cacheFile = etcdCacheFile(url, env);
  mkdirSync(dirname(cacheFile), { recursive: true });
  // A daemon on this host keeps the cached copy.
  const daemon = openStoreAt(url, { env, follow: true, cacheFile });
  daemon.execute('create ltm pool cached_one', new Session());
  daemon.close();

  for (const m of etcd.members) await m.kill();
  const reader = openStoreAt(url, { env });
  stores.push(reader);
  expect(reader.etcd!.offline?.file).toBe(cacheFile);
  expect(reader.names('ltm pool')).toEqual(['cached_one']);
  expect(() => reader.execute('create ltm pool refused', new Session())).toThrow(/^The configuration store etcd:\/\/\S+ cannot be reached \(only the cached copy \S+ can be read\)/);

  await Promise.all(etcd.members.map((m) => m.start()));
  const writer = openStoreAt(url, { env });
  writer.execute('create ltm pool after_return', new Session());
  writer.close();
  const names = await eventually(() => reader.names('ltm pool'), (n) => n.includes('after_return'), 30_000, 500);
  expect(names).toEqual(['after_return', 'cached_one']);
  expect(reader.etcd!.offline).toBeUndefined();
}, 90_000);
