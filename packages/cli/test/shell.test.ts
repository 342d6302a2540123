import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { errors } from '@openltm/model';
import type { Completion, Executor, ScriptReport } from '../src/executor';
import { BufferedOutput } from '../src/output';
import { Shell } from '../src/shell/shell';

/** A stand-in for the parser and store: records what the shell sends, answers completion from a table. */
class FakeExecutor implements Executor {
  folder = '/Common';
  module?: string;
  executed: string[] = [];
  closed = 0;
  constructor(private readonly completions: Record<string, Completion> = {}) {}
  async execute(text: string, write: (out: string) => void): Promise<void> {
    this.executed.push(text);
    if (text === 'ltm') this.module = 'ltm';
    else if (text === 'exit') this.module = undefined;
    else if (text.startsWith('cd ')) this.folder = text.slice(3).trim();
    else if (text.includes('missing')) throw errors.notFound('Pool', '/Common/missing');
    else if (text === 'boom') throw new Error('bug');
    else write(`ran: ${text}`);
  }
  async loadScript(): Promise<ScriptReport> {
    throw new Error('the shell never loads scripts');
  }
  complete(text: string, cursor: number): Completion {
    const answer = this.completions[text.slice(0, cursor)];
    return answer ?? { candidates: [], replaceFrom: cursor };
  }
  close(): void {
    this.closed++;
  }
}

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g');

interface Harness {
  shell: Shell;
  input: PassThrough;
  screen: () => string;
  out: BufferedOutput;
  exec: FakeExecutor;
  done: Promise<number>;
}

function start(exec: FakeExecutor, opts: { interactive?: boolean; historyFile?: string } = {}): Harness {
  const input = new PassThrough();
  const terminal = new PassThrough();
  let screen = '';
  terminal.on('data', (d: Buffer) => (screen += d.toString()));
  Object.assign(terminal, { columns: 200, rows: 50 });
  const out = new BufferedOutput();
  const shell = new Shell({
    executor: exec,
    input,
    terminal,
    output: out,
    identity: { user: 'root', host: 'testhost' },
    interactive: opts.interactive ?? true,
    historyFile: opts.historyFile,
  });
  const done = shell.run();
  return { shell, input, screen: () => screen.replace(ANSI, ''), out, exec, done };
}

/** Lets readline and the shell's queue process what was typed. */
const settle = () => new Promise((r) => setTimeout(r, 20));

async function type(h: Harness, keys: string): Promise<void> {
  h.input.write(keys);
  await settle();
}

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'openltm-shell-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('interactive shell', () => {
  it('shows the BIG-IP prompt with the current folder and follows cd', async () => {
    const h = start(new FakeExecutor());
    await settle();
    expect(h.screen()).toContain('root@(testhost)(/Common)(tmos)# ');
    await type(h, 'cd /Tenant\r');
    expect(h.screen()).toContain('root@(testhost)(/Tenant)(tmos)# ');
    await type(h, 'quit\r');
    await expect(h.done).resolves.toBe(0);
    expect(h.exec.closed).toBe(1);
  });

  it('shows the module in the prompt; exit leaves the module, then the shell', async () => {
    const h = start(new FakeExecutor());
    await type(h, 'ltm\r');
    expect(h.screen()).toMatch(/root@\(testhost\)\(\/Common\)\(tmos\.ltm\)# $/);
    await type(h, 'exit\r');
    expect(h.screen()).toMatch(/root@\(testhost\)\(\/Common\)\(tmos\)# $/);
    expect(h.exec.closed).toBe(0);
    await type(h, 'exit\r');
    await expect(h.done).resolves.toBe(0);
    expect(h.exec.executed).toEqual(['ltm', 'exit']);
  });

  it('runs a line, prints its output, and keeps going after an error', async () => {
    const h = start(new FakeExecutor());
    await type(h, 'list ltm pool missing\r');
    await type(h, 'list ltm pool p1\r');
    expect(h.out.err).toBe('01020036:3: The requested Pool (/Common/missing) was not found.\n');
    expect(h.out.out).toBe('ran: list ltm pool p1\n');
    await type(h, 'exit\r');
    await expect(h.done).resolves.toBe(0);
  });

  it('reports an unexpected failure without leaving', async () => {
    const h = start(new FakeExecutor());
    await type(h, 'boom\r');
    await type(h, 'list\r');
    expect(h.out.err).toContain('internal error: bug');
    expect(h.exec.executed).toEqual(['boom', 'list']);
    await type(h, 'quit\r');
    await h.done;
  });

  it('keeps reading while braces are open and runs the whole entry once', async () => {
    const h = start(new FakeExecutor());
    await type(h, 'create ltm pool p1 members add {\r');
    expect(h.exec.executed).toEqual([]);
    expect(h.screen()).toMatch(/\n> $/);
    await type(h, '127.0.0.1:2526 { description "a { b" }\r');
    await type(h, '}\r');
    expect(h.exec.executed).toEqual(['create ltm pool p1 members add {\n127.0.0.1:2526 { description "a { b" }\n}']);
    await type(h, 'quit\r');
    await h.done;
  });

  it('lists what may come next on ? without Enter, and keeps the line', async () => {
    const exec = new FakeExecutor({
      'create ltm pool p1 ': {
        candidates: [
          { text: 'description', help: 'User-defined description' },
          { text: 'members', help: 'Pool members, named address:port' },
        ],
        replaceFrom: 19,
      },
    });
    const h = start(exec);
    await type(h, 'create ltm pool p1 ?');
    expect(exec.executed).toEqual([]);
    expect(h.screen()).toMatch(/\n {2}description +User-defined description\n {2}members +Pool members, named address:port\n/);
    await type(h, 'description "why?"\r');
    expect(exec.executed).toEqual(['create ltm pool p1 description "why?"']);
    await type(h, 'quit\r');
    await h.done;
  });

  it('announces a free-form value on ?', async () => {
    const exec = new FakeExecutor({ 'create ltm pool ': { candidates: [], replaceFrom: 16, expecting: 'name of the new pool' } });
    const h = start(exec);
    await type(h, 'create ltm pool ?');
    expect(h.screen()).toMatch(/\n {2}<name of the new pool>\n/);
    await type(h, '\x03quit\r');
    await h.done;
  });

  it('completes a word on Tab and moves on to the next one', async () => {
    const exec = new FakeExecutor({
      'create ltm profile sm': { candidates: [{ text: 'smtps', help: 'SMTPS' }], replaceFrom: 19 },
    });
    const h = start(exec);
    await type(h, 'create ltm profile sm\t');
    await type(h, 's1\r');
    expect(exec.executed).toEqual(['create ltm profile smtps s1']);
    await type(h, 'quit\r');
    await h.done;
  });

  it('completes with the lines already entered as context while braces are open', async () => {
    const exec = new FakeExecutor({
      'create ltm pool p1 members add {\n127.0.0.1:2526 { se': { candidates: [{ text: 'session' }], replaceFrom: 50 },
    });
    const h = start(exec);
    await type(h, 'create ltm pool p1 members add {\r');
    await type(h, '127.0.0.1:2526 { se\t');
    await type(h, 'user-disabled }\r}\r');
    expect(exec.executed).toEqual(['create ltm pool p1 members add {\n127.0.0.1:2526 { session user-disabled }\n}']);
    await type(h, 'quit\r');
    await h.done;
  });

  it('abandons the current line on Ctrl-C and leaves on Ctrl-D', async () => {
    const h = start(new FakeExecutor());
    await type(h, 'create ltm pool half {');
    await type(h, '\x03');
    await type(h, 'list\r');
    expect(h.exec.executed).toEqual(['list']);
    await type(h, '\x04');
    await expect(h.done).resolves.toBe(0);
    expect(h.exec.closed).toBe(1);
  });

  it('keeps history across runs, one entry per multi-line command', async () => {
    const historyFile = join(dir, 'history');
    const first = start(new FakeExecutor(), { historyFile });
    await type(first, 'list ltm pool\r');
    await type(first, 'create ltm pool p2 members {\r127.0.0.1:2527\r}\r');
    await type(first, 'quit\r');
    await first.done;
    expect(readFileSync(historyFile, 'utf8')).toBe('list ltm pool\ncreate ltm pool p2 members { 127.0.0.1:2527 }\nquit\n');

    const second = start(new FakeExecutor(), { historyFile });
    await type(second, `${ESC}[A${ESC}[A\r`);
    expect(second.exec.executed).toEqual(['create ltm pool p2 members { 127.0.0.1:2527 }']);
    await type(second, 'quit\r');
    await second.done;
  });
  it('keeps no password or passphrase in its history file; this session still recalls them', async () => {
    const historyFile = join(dir, 'history');
    const h = start(new FakeExecutor(), { historyFile });
    await type(h, 'create auth user bob password "s3cret word" role guest\r');
    await type(h, 'create auth user carol {\rpassword hunter2\r}\r');
    await type(h, 'modify ltm profile client-ssl c cert-key-chain replace-all-with { k { cert c.crt key c.key passphrase pa55 } }\r');
    await type(h, 'list auth user password\r');
    await type(h, `${ESC}[A${ESC}[A${ESC}[A${ESC}[A\r`);
    await type(h, 'quit\r');
    await h.done;
    expect(h.exec.executed[4]).toBe('create auth user bob password "s3cret word" role guest');
    const saved = readFileSync(historyFile, 'utf8');
    expect(saved).not.toMatch(/s3cret|hunter2|pa55/);
    // Naming a secret property without a value (listing it) keeps the entry.
    expect(saved).toBe('list auth user password\nquit\n');
  });
});

describe('shell on piped input', () => {
  it('runs every line, prints no prompt, and exits 1 when a line failed', async () => {
    const h = start(new FakeExecutor(), { interactive: false });
    h.input.end('list ltm pool missing\nlist ltm pool p1\n');
    await expect(h.done).resolves.toBe(1);
    expect(h.exec.executed).toEqual(['list ltm pool missing', 'list ltm pool p1']);
    expect(h.screen()).toBe('');
    expect(h.out.out).toBe('ran: list ltm pool p1\n');
  });

  it('exits 0 when every line succeeded', async () => {
    const h = start(new FakeExecutor(), { interactive: false });
    h.input.end('list ltm pool p1\n');
    await expect(h.done).resolves.toBe(0);
  });
});

