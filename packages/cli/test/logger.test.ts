import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RootLogger } from '../src/logger';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'openltm-log-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

describe('root logger', () => {
  it('writes JSON lines to the log file and never key material', () => {
    const file = join(dir, 'openltm.log');
    const log = new RootLogger({ level: 'info', file }, {});
    log.info({ key: '-----BEGIN PRIVATE KEY-----x', file: { passphrase: 'hunter2', name: '/Common/mail.key' } }, 'imported');
    const [line] = lines(file);
    expect(line).toMatchObject({ level: 30, msg: 'imported', key: '[redacted]', file: { passphrase: '[redacted]', name: '/Common/mail.key' } });
    expect(readFileSync(file, 'utf8')).not.toMatch(/hunter2|PRIVATE KEY/);
  });

  it('writes nothing below its level, and takes the level from OPENLTM_LOG_LEVEL', () => {
    const file = join(dir, 'quiet.log');
    const quiet = new RootLogger({ file }, {});
    expect(quiet.enabled('info')).toBe(false);
    quiet.info({}, 'not written');
    quiet.error({}, 'written');
    expect(lines(file).map((l) => l.msg)).toEqual(['written']);
    expect(new RootLogger({}, { OPENLTM_LOG_LEVEL: 'debug' }).enabled('debug')).toBe(true);
    expect(new RootLogger({}, { OPENLTM_LOG_LEVEL: 'silent' }).enabled('fatal')).toBe(false);
  });
});
