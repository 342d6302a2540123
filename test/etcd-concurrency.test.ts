/**
 * Two administrators editing one object at once on etcd: two processes each add members to the
 * same pool in a tight loop (a read-modify-write of one key every time). Every edit is either
 * applied or answered with the retryable conflict error, and the final pool holds exactly the
 * members whose edits were reported applied: no update is lost, none appears unreported.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStoreAt } from '../packages/cli/src/open-store';
import { startEtcd, type EtcdCluster } from './support/etcd';

const RUNNER = join(__dirname, '..', 'packages', 'store', 'test', 'fixtures', 'ts-child.js');
const EDITOR = join(__dirname, 'support', 'etcd-editor.ts');
const EDITS = 40;

interface Outcome {
  applied: string[];
  conflicts: string[];
  other: string[];
}

let etcd: EtcdCluster;
let home: string;
beforeAll(async () => {
  etcd = await startEtcd();
  home = mkdtempSync(join(tmpdir(), 'openltm-etcd-race-'));
}, 60_000);
afterAll(async () => {
  await etcd?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** Both editors start their loops together, once both have opened the store. */
function starter(): (p: import('node:child_process').ChildProcess) => void {
  const waiting: Array<import('node:child_process').ChildProcess> = [];
  return (p) => {
    waiting.push(p);
    if (waiting.length === 2) for (const w of waiting) w.stdin!.end('go\n');
  };
}

function editor(env: NodeJS.ProcessEnv, tag: number, ready: (p: import('node:child_process').ChildProcess) => void): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [RUNNER, EDITOR, String(tag), String(EDITS)], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out === 'ready\n') {
        out = '';
        ready(p);
      }
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Outcome) : reject(new Error(`editor ${tag} exited ${code}: ${err}`))));
  });
}

async function race(prefix: string, attempts: string): Promise<{ outcomes: Outcome[]; members: string[] }> {
  const env = { ...process.env, HOME: home, OPENLTM_STORE: etcd.url(prefix), OPENLTM_ETCD_ATTEMPTS: attempts };
  const setup = openStoreAt(env.OPENLTM_STORE, { env });
  setup.execute('create ltm pool shared');
  setup.close();
  const go = starter();
  const outcomes = await Promise.all([editor(env, 1, go), editor(env, 2, go)]);
  const check = openStoreAt(env.OPENLTM_STORE, { env });
  try {
    const pool = check.getEffective('ltm pool', 'shared')!;
    return { outcomes, members: Object.keys((pool.properties.members ?? {}) as object).map((m) => m.replace('/Common/', '')).sort() };
  } finally {
    check.close();
  }
}

test('without retries: every edit is applied or refused as a conflict, and the pool holds exactly the applied ones', async () => {
  const { outcomes, members } = await race('/race-once', '1');
  for (const o of outcomes) {
    expect(o.other).toEqual([]);
    expect(o.applied.length + o.conflicts.length).toBe(EDITS);
    for (const c of o.conflicts) expect(c).toMatch(/^01070995:3: The configuration changed while this command ran: another administrator committed first, and this command is not retried\. Nothing was changed; try again\.$/);
  }
  expect(members).toEqual(outcomes.flatMap((o) => o.applied).sort());
}, 120_000);

test('with the default retries every edit lands: nothing lost, nothing refused', async () => {
  const { outcomes, members } = await race('/race-retry', '8');
  for (const o of outcomes) {
    expect(o.other).toEqual([]);
    expect(o.conflicts).toEqual([]);
    expect(o.applied).toHaveLength(EDITS);
  }
  expect(members).toHaveLength(2 * EDITS);
  expect(members).toEqual(outcomes.flatMap((o) => o.applied).sort());
}, 120_000);
