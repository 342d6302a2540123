/**
 * The change log: a second handle on the store (the daemon, another tmsh) learns which objects
 * another process changed, and its cached records follow those changes.
 */
import { Session, Store } from '../src';
import { openStoreAt, openTestStore, type TestStore } from './helpers';

let t: TestStore;
let other: Store;
beforeEach(() => {
  t = openTestStore();
  other = openStoreAt(t.file);
});
afterEach(() => {
  other.close();
  t.cleanup();
});

test('changesSince names what each later generation created, modified or deleted', () => {
  t.run('create ltm pool p1');
  t.run('create ltm pool p2');
  const g = t.store.generation();
  t.run('modify ltm pool p1 description one');
  t.run('delete ltm pool p2');
  t.run('create ltm node 10.0.0.9 address 10.0.0.9');
  const changes = other.changesSince(g)!.map((c) => `${c.type} ${c.path}`).sort();
  expect(changes).toEqual(['ltm node /Common/10.0.0.9', 'ltm pool /Common/p1', 'ltm pool /Common/p2']);
  expect(other.changesSince(t.store.generation())).toEqual([]);
});

test('a reader that cached a type sees another process\'s create, modify and delete', () => {
  t.run('create ltm pool p1');
  t.run('create ltm pool p2');
  const names = () => other.effective('ltm pool').map((p) => p.name);
  expect(names()).toEqual(['/Common/p1', '/Common/p2']);
  t.run('modify ltm pool p1 description changed');
  t.run('delete ltm pool p2');
  t.run('create ltm pool p3');
  expect(names()).toEqual(['/Common/p1', '/Common/p3']);
  expect(other.getEffective('ltm pool', 'p1')!.properties.description).toBe('changed');
  expect(other.execute('list ltm pool p1 description', new Session()).output).toContain('description changed');
});

test('a generation older than the log answers undefined (read everything)', () => {
  expect(other.changesSince(-5)).toBeUndefined();
});
