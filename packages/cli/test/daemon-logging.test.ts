/**
 * The daemon's log lines as an operator's log shipper reads them: the CLI's root logger (JSON
 * lines to a file) with the daemon's `component`, the data plane under it, a real listener and a
 * member that refuses connections.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataPlane } from '@openltm/dataplane';
import type { DesiredState } from '@openltm/dataplane';
import { RootLogger } from '../src/logger';
import { freePort } from '../../../test/support/ports';

function firstLine(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = '';
    s.on('data', (d) => (buf += d.toString('latin1')));
    s.on('error', () => undefined);
    s.setTimeout(5000, () => s.destroy());
    s.on('close', () => resolve(buf.split('\r\n')[0]));
  });
}

let dir: string;
let plane: DataPlane | undefined;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'openltm-daemon-log-'))));
afterEach(async () => {
  await plane?.stop();
  plane = undefined;
  rmSync(dir, { recursive: true, force: true });
});

test('every line names its component and subsystem once; errors keep their stack and code', async () => {
  const file = join(dir, 'daemon.log');
  const logger = new RootLogger({ level: 'debug', file }, {}).pino.child({ component: 'daemon' });
  const [port, dead] = [await freePort(), await freePort()];
  const state: DesiredState = {
    generation: 1,
    virtuals: [{ name: '/Common/vs', enabled: true, address: '127.0.0.1', port, idleTimeout: 300, pool: '/Common/p', connectionLimit: 0 }],
    pools: [{
      name: '/Common/p', loadBalancingMode: 'round-robin', minActiveMembers: 0, monitor: { monitors: [], minimum: 'all' },
      members: [{ name: `/Common/127.0.0.1:${dead}`, address: '127.0.0.1', port: dead, ratio: 1, priorityGroup: 0, connectionLimit: 0, state: 'user-up', session: 'user-enabled' }],
    }],
    monitors: [],
  };
  plane = new DataPlane({ source: { generation: () => 1, read: () => state }, sink: { write: () => undefined }, logger, drainTimeoutMs: 100 });
  await plane.start();
  expect(await firstLine(port)).toMatch(/^421 4\.3\.2 /);
  await plane.stop();
  plane = undefined;

  const raw = readFileSync(file, 'utf8').trim().split('\n');
  expect(raw.length).toBeGreaterThan(3);
  // JSON.parse keeps the last of two equal keys; the raw text shows both.
  const count = (line: string, key: string): number => line.split(`"${key}":`).length - 1;
  for (const line of raw) expect({ line, component: count(line, 'component'), subsystem: count(line, 'subsystem') }).toEqual({ line, component: 1, subsystem: 1 });
  const lines = raw.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(new Set(lines.map((l) => l.subsystem))).toEqual(new Set(['dataplane', 'listener', 'pool', 'reconciler']));
  const failed = lines.find((l) => l.msg === 'backend connection failed') as { err?: { code?: string; stack?: string; message?: string } };
  expect(failed.err).toMatchObject({ code: 'ECONNREFUSED', message: expect.stringContaining(`127.0.0.1:${dead}`) });
  expect(failed.err?.stack).toMatch(/^Error: connect ECONNREFUSED[\s\S]*\n\s+at /);
});
