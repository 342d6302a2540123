import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { errors } from '@openltm/model';
import { loadScriptFile } from '../src/batch';
import type { Executor, ScriptOptions, ScriptReport } from '../src/executor';
import { BufferedOutput } from '../src/output';

/** Applies nothing; reports progress statement by statement, as a store that supports it would. */
class ProgressExecutor implements Partial<Executor> {
  seen?: ScriptOptions;
  async loadScript(text: string, options: ScriptOptions): Promise<ScriptReport> {
    this.seen = options;
    const total = text.split('\n').filter(Boolean).length;
    for (let i = 1; i <= total; i++) options.onProgress?.(i, total);
    if (text.includes('bad')) throw errors.notFound('Pool', '/Common/bad', { line: 2, column: 1, offset: 0, source: options.source });
    return { statements: total, output: '' };
  }
}

function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'openltm-batch-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadScriptFile', () => {
  const big = Array.from({ length: 600 }, (_, i) => `create ltm pool p${i}`).join('\n');

  it('draws a progress bar on a terminal for a large file', async () => {
    const file = join(dir, 'big.tmsh');
    writeFileSync(file, big);
    const tty = terminal();
    const out = new BufferedOutput();
    const code = await loadScriptFile(new ProgressExecutor() as Executor, file, { dryRun: false, quiet: false, output: out, progressStream: tty.stream });
    expect(code).toBe(0);
    expect(tty.text()).toMatch(/Applying \[.*\] \d+\/600 statements/);
    expect(out.err).toBe(`Loaded 600 statements from ${file}\n`);
  });

  it('draws no bar for a small file, when quiet, or when stderr is not a terminal', async () => {
    const small = join(dir, 'small.tmsh');
    writeFileSync(small, 'create ltm pool p1\n');
    const large = join(dir, 'big.tmsh');
    writeFileSync(large, big);
    for (const [file, quiet, tty] of [[small, false, true], [large, true, true], [large, false, false]] as const) {
      const term = terminal();
      if (!tty) Object.assign(term.stream, { isTTY: false });
      await loadScriptFile(new ProgressExecutor() as Executor, file, { dryRun: false, quiet, output: new BufferedOutput(), progressStream: term.stream });
      expect(term.text()).toBe('');
    }
  });

  it('reports a failure with where it happened and says nothing changed', async () => {
    const file = join(dir, 'bad.tmsh');
    writeFileSync(file, 'create ltm pool p1\ncreate ltm pool bad\n');
    const out = new BufferedOutput();
    const code = await loadScriptFile(new ProgressExecutor() as Executor, file, { dryRun: true, quiet: false, output: out });
    expect(code).toBe(1);
    expect(out.err).toBe(
      `01020036:3: The requested Pool (/Common/bad) was not found. (${file}, line 2, column 1)\ncreate ltm pool bad\n^\nNothing was changed: ${file} was not applied.\n`,
    );
  });

  it('says so when the file cannot be read', async () => {
    const out = new BufferedOutput();
    expect(await loadScriptFile(new ProgressExecutor() as Executor, join(dir, 'missing.tmsh'), { dryRun: false, quiet: false, output: out })).toBe(1);
    expect(out.err).toMatch(/^01070711:3: Cannot read .*missing\.tmsh: ENOENT/);
  });
});
