import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from './run-process';

/** One testssl.sh finding, as in its --jsonfile output. */
export interface TestsslFinding {
  /** `SSLv3`, `TLS1`, `TLS1_1`, `TLS1_2`, `TLS1_3`, `cipherlist_NULL`, ... */
  id: string;
  /** `OK`, `INFO`, `LOW`, `MEDIUM`, `HIGH`, `CRITICAL`, `WARN`, `DEBUG`, `FATAL`. */
  severity: string;
  finding: string;
}

export interface TestsslOptions {
  port: number;
  host?: string;
  /** Speak SMTP and STARTTLS first (`--starttls smtp`); false for implicit TLS. Default true. */
  starttls?: boolean;
  /**
   * What to check: default `['-p']` (protocols only, ~6-10 s). `['-p', '-s', '-E']` adds
   * cipher categories and per-protocol ciphers (much slower).
   */
  checks?: readonly string[];
  /** testssl pipelines EHLO and STARTTLS; false sets FAST_STARTTLS=false for strict servers. */
  fastStarttls?: boolean;
  timeoutMs?: number;
}

export interface TestsslResult {
  code: number | null;
  findings: TestsslFinding[];
  /** testssl's screen output (for failure messages). */
  output: string;
  ms: number;
}

/**
 * Runs testssl.sh (Debian's `testssl`, 3.0.x) against 127.0.0.1:port and returns its findings.
 * It takes several seconds: give the calling test a long timeout (60 s). testssl's exit code is
 * not a verdict (it counts problems in some versions), so the findings are what to assert on.
 * `--warnings batch` stops it from asking questions on a terminal.
 */
export async function runTestssl(options: TestsslOptions): Promise<TestsslResult> {
  const dir = mkdtempSync(join(tmpdir(), 'openltm-testssl-'));
  const jsonFile = join(dir, 'out.json'); // must not exist yet: testssl refuses to overwrite
  try {
    const args = ['--quiet', '--color', '0', '--nodns', 'none', '--warnings', 'batch', '--jsonfile', jsonFile];
    if (options.starttls ?? true) args.push('--starttls', 'smtp');
    args.push(...(options.checks ?? ['-p']), `${options.host ?? '127.0.0.1'}:${options.port}`);
    const env = { ...process.env, ...(options.fastStarttls === false ? { FAST_STARTTLS: 'false' } : {}) };
    const r = await runProcess('testssl', args, { env, timeoutMs: options.timeoutMs ?? 120_000 });
    let findings: TestsslFinding[] = [];
    try {
      const raw = JSON.parse(readFileSync(jsonFile, 'utf8')) as { id: string; severity: string; finding: string }[];
      findings = raw.map(({ id, severity, finding }) => ({ id, severity, finding }));
    } catch (e) {
      throw new Error(`testssl wrote no readable JSON (exit ${r.code}${r.timedOut ? ', timed out' : ''}): ${(e as Error).message}\n${r.stdout}${r.stderr}`);
    }
    return { code: r.code, findings, output: r.stdout + r.stderr, ms: r.ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The finding with this id, or undefined. */
export function findingFor(findings: readonly TestsslFinding[], id: string): TestsslFinding | undefined {
  return findings.find((f) => f.id === id);
}
