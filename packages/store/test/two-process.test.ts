/** Two processes writing one store: they take turns, or one gets a clear busy error; never corruption. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCodes } from '@openltm/model';
import { Store } from '@openltm/store';
import { itSqlite, openTestStore, type TestStore } from './helpers';

const runner = path.join(__dirname, 'fixtures/ts-child.js');
const children: ChildProcess[] = [];

function child(script: string, args: string[]): { proc: ChildProcess; done: Promise<string>; firstLine: Promise<string> } {
  const proc = spawn(process.execPath, [runner, path.join(__dirname, 'fixtures', script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  let err = '';
  let resolveLine: (l: string) => void = () => undefined;
  const firstLine = new Promise<string>((r) => (resolveLine = r));
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('\n')) resolveLine(out.split('\n')[0]);
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<string>((resolve, reject) => {
    proc.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`))));
  });
  done.catch(() => undefined); // a child killed in afterEach is not a test failure by itself
  return { proc, done, firstLine };
}

let t: TestStore;
beforeEach(() => (t = openTestStore()));
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill();
  t.cleanup();
});

itSqlite('two writers at once both succeed in turn and the store stays intact', async () => {
  t.store.close();
  const [a, b] = [child('writer.ts', [t.file, 'a', '40', '10000']), child('writer.ts', [t.file, 'b', '40', '10000'])];
  const results = (await Promise.all([a.done, b.done])).map((o) => JSON.parse(o) as { ok: number; busy: number; other: string[] });
  expect(results.map((r) => r.other)).toEqual([[], []]);
  expect(results.map((r) => r.ok)).toEqual([40, 40]);
  const db = new Database(t.file, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    db.close();
  }
  const s = Store.open(t.file);
  try {
    expect(s.names('ltm pool')).toHaveLength(80);
    expect(s.names('ltm node')).toHaveLength(80);
    expect(s.generation()).toBeGreaterThanOrEqual(80);
  } finally {
    s.close();
  }
}, 60000);

itSqlite('a writer blocked past its busy timeout gets a clear busy error and changes nothing', async () => {
  // The holder keeps the write lock until its stdin is closed below.
  const holder = child('lock-holder.ts', [t.file]);
  expect(await holder.firstLine).toBe('locked');
  const blocked = Store.open(t.file, { busyTimeoutMs: 200 });
  try {
    let code: string | undefined;
    let message = '';
    try {
      blocked.execute('create ltm pool late');
    } catch (err) {
      code = (err as { code?: string }).code;
      message = String(err);
    }
    expect(code).toBe(ErrorCodes.BUSY);
    expect(message).toMatch(/busy.*Nothing was changed/);
    expect(blocked.names('ltm pool')).toEqual([]); // readers are not blocked by the writer (WAL)
  } finally {
    blocked.close();
  }
  // A status report does not wait for the writer (still holding the lock): it is dropped, and the next one will do.
  expect(t.store.writeStatus({ generation: 0, at: Date.now(), virtuals: [], members: [] }, { busyTimeoutMs: 50 })).toBe(false);
  expect(holder.proc.exitCode).toBeNull();
  holder.proc.stdin!.end();
  await holder.done;
  expect(t.store.writeStatus({ generation: 0, at: Date.now(), virtuals: [], members: [] })).toBe(true);
  t.run('create ltm pool after');
  expect(t.store.names('ltm pool')).toEqual(['after']);
}, 30000);
