import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './built';

export interface BinResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A private HOME and store for one test, removed afterwards. */
export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'openltm-cli-'));
  readonly store = join(this.dir, 'config.db');

  /**
   * A new store costs a second (the built-in default.crt gets a fresh RSA key), so a test file
   * creates one through the CLI once and each test starts from a copy of it.
   */
  static template(): Sandbox {
    const box = new Sandbox();
    const r = box.tmsh('-c', 'list ltm pool');
    if (r.status !== 0 || !existsSync(box.store)) throw new Error(`cannot create a store: ${r.stderr}`);
    return box;
  }

  /** A sandbox whose store starts as a copy of `template`'s. */
  static from(template: Sandbox): Sandbox {
    const box = new Sandbox();
    copyFileSync(template.store, box.store);
    return box;
  }

  get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: this.dir, OPENLTM_STORE: this.store };
    // The bins must behave the same under jest (NODE_ENV=test) as in production.
    delete env.NODE_ENV;
    delete env.OPENLTM_LOG_LEVEL;
    delete env.OPENLTM_LOG_FILE;
    return env;
  }

  /** Runs bin/tmsh or bin/openltm as a user would, and waits for it. */
  run(bin: 'tmsh' | 'openltm', args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): BinResult {
    const r = spawnSync(process.execPath, [join(REPO, 'bin', bin), ...args], {
      env: { ...this.env, ...opts.env },
      input: opts.input ?? '',
      encoding: 'utf8',
      timeout: 20000,
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  tmsh(...args: string[]): BinResult {
    return this.run('tmsh', args);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
