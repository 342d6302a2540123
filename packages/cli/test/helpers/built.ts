import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (bin/tmsh, bin/openltm). */
export const REPO = join(__dirname, '..', '..', '..', '..');

function newest(dir: string, ext: string): number {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, ext));
    else if (e.name.endsWith(ext)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/**
 * The bin scripts run the compiled packages. Tests expect `npm run build` first (CI builds before
 * testing); when dist is missing or older than src, build it here so a local run is not stale.
 */
export function ensureBuilt(): void {
  const packages = ['model', 'parser', 'store', 'cli'];
  const stale = packages.some((p) => {
    const dist = newest(join(REPO, 'packages', p, 'dist'), '.js');
    return dist === 0 || newest(join(REPO, 'packages', p, 'src'), '.ts') > dist;
  });
  if (!stale) return;
  try {
    execFileSync('npx', ['tsc', '-b'], { cwd: REPO, stdio: 'pipe', encoding: 'utf8' });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`the CLI tests run the built bin scripts, and \`npx tsc -b\` failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}
