/**
 * The daemon's process policy, in real child processes: an uncaught exception or an unhandled
 * rejection is logged with its stack through pino's `err`, then the defined action runs; a
 * stop() that rejects is logged and gives exit code 1 instead of hanging.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { Writable } from 'node:stream';
import { stopAll, type RunningDaemon } from '../src/daemon/run-daemon';

const DIST = join(__dirname, '..', 'dist', 'daemon', 'process-policy.js');

function runWithPolicy(fault: string): { status: number | null; lines: Array<Record<string, unknown>> } {
  const script = `
    const pino = require('pino');
    const { installProcessPolicy } = require(${JSON.stringify(DIST)});
    const logger = pino(pino.destination({ dest: 2, sync: true }));
    installProcessPolicy(logger, 'primary', () => { logger.info('defined action ran'); process.exit(3); });
    setTimeout(() => { ${fault} }, 1);
    setTimeout(() => {}, 10000);
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
  const lines = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: r.status, lines };
}

describe('fatal-exception policy', () => {
  it('an uncaught exception is logged with its stack and code, then the defined action runs', () => {
    const { status, lines } = runWithPolicy("const e = new Error('boom in accept'); e.code = 'EBOOM'; throw e;");
    expect(status).toBe(3);
    const fatal = lines.find((l) => l.level === 60)!;
    expect(fatal.msg).toMatch(/^uncaught exception in the primary/);
    const err = fatal.err as { message: string; stack: string; code: string };
    expect(err.message).toBe('boom in accept');
    expect(err.code).toBe('EBOOM');
    expect(err.stack).toMatch(/at Timeout/);
    expect(lines.map((l) => l.msg)).toContain('defined action ran');
  });

  it('an unhandled rejection is fatal the same way', () => {
    const { status, lines } = runWithPolicy("Promise.reject(new Error('lost promise'));");
    expect(status).toBe(3);
    const fatal = lines.find((l) => l.level === 60)!;
    expect(fatal.msg).toMatch(/^unhandled rejection in the primary/);
    expect((fatal.err as { stack: string }).stack).toMatch(/lost promise/);
  });
});

describe('stopping', () => {
  it('a stop() that rejects is logged and gives exit code 1; the rest still stops', async () => {
    const out: string[] = [];
    const logger = pino(new Writable({ write: (c, _e, cb) => (out.push(String(c)), cb()) }));
    let extraStopped = false;
    const daemon = { stop: () => Promise.reject(new Error('drain failed')) } as unknown as RunningDaemon;
    const code = await stopAll(daemon, logger, async () => {
      extraStopped = true;
    });
    expect(code).toBe(1);
    expect(extraStopped).toBe(true);
    const line = JSON.parse(out.find((l) => l.includes('stopping failed'))!) as { err: { message: string; stack: string } };
    expect(line.err.message).toBe('drain failed');
    expect(line.err.stack).toContain('drain failed');
  });

  it('a clean stop gives exit code 0', async () => {
    const logger = pino({ level: 'silent' });
    expect(await stopAll({ stop: async () => undefined } as unknown as RunningDaemon, logger)).toBe(0);
  });
});
