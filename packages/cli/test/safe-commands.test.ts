/**
 * "Make these safe", through the real bins: only verbs change the configuration; stored-only
 * settings warn (rc 0); `exec --json` gives show statistics and list values as numbers; a store
 * path that cannot be used is one clear line with status 1 and never hangs; one daemon per store.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt } from './helpers/built';
import { Sandbox } from './helpers/run-bin';

const REPO = join(__dirname, '..', '..', '..');

let template: Sandbox;
let box: Sandbox;
beforeAll(() => {
  ensureBuilt();
  template = Sandbox.template();
}, 120000);
afterAll(() => template?.remove());
beforeEach(() => (box = Sandbox.from(template)));
afterEach(() => box.remove());

const POOL = 'create ltm pool p1 monitor tcp members add { 127.0.0.1:2526 { address 127.0.0.1 } }';

describe('only verbs change the configuration', () => {
  it.each([
    ['tmsh words', ['ltm', 'pool', 'p1']],
    ['tmsh words with a block', ['ltm', 'pool', 'p1', '{', 'monitor', 'tcp', '}']],
    ['tmsh -c', ['-c', 'ltm pool p1']],
    ['tmsh -c with a block', ['-c', 'ltm pool p1 { description wiped }']],
  ])('a bare declaration (%s) is a syntax error and the pool keeps its members and monitor', (_label, args) => {
    expect(box.tmsh('-c', POOL).status).toBe(0);
    const before = box.tmsh('-c', 'list ltm pool p1').stdout;
    const r = box.tmsh(...args);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Syntax Error: "ltm" unknown command: an object declaration is not a command; use create or modify/);
    expect(box.tmsh('-c', 'list ltm pool p1').stdout).toBe(before);
    expect(before).toMatch(/members \{[\s\S]*127\.0\.0\.1:2526[\s\S]*monitor tcp/);
  });

  it('also from openltm exec, with and without --json', () => {
    expect(box.tmsh('-c', POOL).status).toBe(0);
    const plain = box.run('openltm', ['exec', 'ltm pool p1']);
    expect(plain.status).toBe(1);
    expect(plain.stderr).toMatch(/^Syntax Error: "ltm" unknown command/);
    const json = box.run('openltm', ['exec', '--json', 'ltm pool p1 { }']);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'SYNTAX' } });
    expect(box.tmsh('-c', 'list ltm pool p1').stdout).toContain('127.0.0.1:2526');
  });
});

describe('load sys config ... skip-unknown', () => {
  it('exits non-zero and changes nothing when an object fails for a real reason (a bad value)', () => {
    const file = box.path('bigip.conf');
    writeFileSync(file, 'ltm rule /Common/r1 {\n  when HTTP_REQUEST { }\n}\nltm pool /Common/p { }\nltm virtual /Common/v { destination /Common/10.0.0.1:25 connection-limit lots }\n');
    const r = box.tmsh('-c', `load sys config merge file ${file} skip-unknown`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('01070712:3: Invalid value "lots" for property "connection-limit"');
    expect(box.tmsh('-c', 'list ltm pool').stdout).toBe('');
  });

  it('a reference the file does not resolve is kept by name: the load succeeds and warns with BIG-IP\'s line', () => {
    const file = box.path('fragment.conf');
    writeFileSync(file, 'ltm virtual /Common/v { destination /Common/10.0.0.1:25 pool /Common/nothere }\n');
    const r = box.tmsh('-c', `load sys config merge file ${file}`);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('  01020036:3: The requested Pool (/Common/nothere) was not found. Kept: ltm virtual /Common/v (pool) is not acted on until it exists.');
    expect(box.tmsh('-c', 'list ltm virtual v').stdout).toContain('    pool nothere\n');
  });
});

describe('stored-only settings', () => {
  it('warn on stderr in tmsh style; the command succeeds and the value is kept', () => {
    expect(box.tmsh('-c', POOL).status).toBe(0);
    const r = box.tmsh('-c', 'modify ltm pool p1 slow-ramp-time 20');
    expect(r).toEqual({
      status: 0,
      stdout: '',
      stderr: '01070998:4: Pool (/Common/p1): "slow-ramp-time" is stored only: openltm keeps it for BIG-IP compatibility and does not act on it.\n',
    });
    expect(box.tmsh('-c', 'list ltm pool p1 slow-ramp-time').stdout).toContain('slow-ramp-time 20');
    const json = JSON.parse(box.run('openltm', ['exec', '--json', 'modify ltm pool p1 allow-nat no']).stdout);
    expect(json).toMatchObject({ ok: true, warnings: [expect.stringMatching(/^01070998:4: Pool \(\/Common\/p1\): "allow-nat" is stored only/)] });
  });
});

describe('exec --json', () => {
  it('returns show statistics as numbers under their tmsh field names', () => {
    expect(box.tmsh('-c', `${POOL}; create ltm virtual vs1 destination 127.0.0.1:2525 pool p1`).status).toBe(0);
    const r = box.run('openltm', ['exec', '--json', 'show ltm virtual vs1']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    // One entry per statement; show's entry lists the objects shown.
    expect(out.data).toHaveLength(1);
    expect(out.data[0]).toHaveLength(1);
    expect(out.data[0][0]).toMatchObject({
      type: 'ltm virtual',
      name: '/Common/vs1',
      status: { 'status.availability-state': 'unknown', 'status.enabled-state': 'enabled', destination: '127.0.0.1:2525' },
      stats: { 'clientside.bits-in': 0, 'clientside.tot-conns': 0, 'total-requests': 0 },
    });
  });

  it('returns list values that are numbers as numbers', () => {
    expect(box.tmsh('-c', `${POOL}; modify ltm pool p1 min-active-members 2 members modify { 127.0.0.1:2526 { ratio 3 } }`).status).toBe(0);
    const out = JSON.parse(box.run('openltm', ['exec', '--json', 'list ltm pool p1']).stdout);
    const props = out.data[0][0].properties;
    expect(props['min-active-members']).toBe(2);
    expect(props.members['/Common/127.0.0.1:2526'].ratio).toBe(3);
    expect(props['load-balancing-mode']).toBe('round-robin');
  });
});

describe('store paths that cannot be used', () => {
  const bins: Array<[string, 'tmsh' | 'openltm', string[]]> = [
    ['tmsh -c', 'tmsh', ['-c', 'list ltm pool']],
    ['openltm exec', 'openltm', ['exec', 'list ltm pool']],
    ['openltm daemon', 'openltm', ['daemon']],
  ];

  // oclif takes a subcommand's flags after the subcommand's name.
  const withStore = (bin: string, args: string[], store: string) =>
    bin === 'tmsh' ? ['--store', store, ...args] : [args[0], '--store', store, ...args.slice(1)];

  it.each(bins)('a path under /proc: %s fails at once with one line and status 1', (_label, bin, args) => {
    const r = box.run(bin, withStore(bin, args, '/proc/openltm-nope/config.db'));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('01070711:3: Cannot use the configuration store /proc/openltm-nope/config.db: cannot create directory /proc/openltm-nope: no such file or directory.\n');
  });

  it.each(bins)('a path through a regular file: %s says so in one line', (_label, bin, args) => {
    const file = box.path('plain-file');
    writeFileSync(file, 'x');
    const r = box.run(bin, withStore(bin, args, join(file, 'config.db')));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`01070711:3: Cannot use the configuration store ${join(file, 'config.db')}: cannot use directory ${file}: a component of the path is not a directory.\n`);
  });

  it('an unwritable directory is "permission denied", not an internal error', () => {
    const ro = box.path('read-only');
    mkdirSync(ro);
    chmodSync(box.dir, 0o755);
    chmodSync(ro, 0o555);
    // As an unprivileged user (the tests may run as root, who may write anywhere).
    const asNobody = (args: string[]) => spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(REPO, 'bin', 'tmsh'), ...args], {
      env: box.env, encoding: 'utf8', timeout: 30_000,
    });
    const sub = asNobody(['--store', join(ro, 'sub', 'config.db'), '-c', 'list ltm pool']);
    expect(sub.status).toBe(1);
    expect(sub.stderr).toBe(`01070711:3: Cannot use the configuration store ${join(ro, 'sub', 'config.db')}: cannot create directory ${join(ro, 'sub')}: permission denied.\n`);
    const direct = asNobody(['--store', join(ro, 'config.db'), '-c', 'list ltm pool']);
    expect(direct.status).toBe(1);
    expect(direct.stderr).toBe(`01070711:3: Cannot open the configuration store ${join(ro, 'config.db')}: permission denied\n`);
  });
});

describe('one daemon per store', () => {
  let first: ChildProcess | undefined;
  afterEach(async () => {
    if (first && first.exitCode === null) {
      const exited = new Promise((r) => first!.once('exit', r));
      first.kill('SIGTERM');
      await exited;
    }
    first = undefined;
  });

  /** Starts `openltm daemon` and resolves once it says it is running. */
  async function startDaemon(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'openltm'), 'daemon', '--drain-timeout', '1'], { env: { ...box.env, OPENLTM_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('openltm daemon running')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`daemon exited ${code}: ${log}`)));
    });
    return child;
  }

  it('refuses a second daemon on the same store, naming the running one; the lock goes when the first stops', async () => {
    first = await startDaemon();
    const second = box.run('openltm', ['daemon']);
    expect(second.status).toBe(1);
    expect(second.stderr).toBe(
      `01070999:3: Another openltm daemon (pid ${first.pid}) is running on the configuration store ${box.store}: stop it first (lock ${box.store}.daemon.lock).\n`,
    );
    const exited = new Promise((r) => first!.once('exit', r));
    first.kill('SIGTERM');
    await exited;
    expect(existsSync(`${box.store}.daemon.lock`)).toBe(false);
  }, 60_000);

  it('takes over a stale lock left by a process that is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${box.store}.daemon.lock`, `${gone.stdout}\n`);
    first = await startDaemon();
    expect(readFileSync(`${box.store}.daemon.lock`, 'utf8').trim()).toBe(String(first.pid));
  }, 60_000);

  it('takes over the lock of a killed daemon not yet reaped (a zombie), as a supervisor restarting it at once needs', async () => {
    // `sleep 0` becomes the child of `sleep 30`, which never reaps it: a zombie for 30 s.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number((await new Promise<Buffer>((r) => parent.stdout!.once('data', r))).toString().trim());
      while (!/\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'utf8'))) await new Promise((r) => setTimeout(r, 10));
      writeFileSync(`${box.store}.daemon.lock`, `${zombie}\n`);
      first = await startDaemon();
      expect(readFileSync(`${box.store}.daemon.lock`, 'utf8').trim()).toBe(String(first.pid));
    } finally {
      parent.kill('SIGKILL');
    }
  }, 60_000);
});
