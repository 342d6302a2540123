/**
 * `show sys version` in tmsh's layout (`Sys::Version`, then `Main Package` with name/value
 * columns), so scripts that read BIG-IP's output find the same lines.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecuteResult } from './session';

/** The version of the installed openltm (the store package ships with it). */
function version(): string {
  try {
    return String((JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

export function showSysVersion(): ExecuteResult {
  const v = version();
  const rows: [string, string][] = [
    ['Product', 'openltm'],
    ['Version', v],
    ['Edition', 'Final'],
    ['Node', process.versions.node],
  ];
  const output = ['', 'Sys::Version', 'Main Package', ...rows.map(([k, val]) => `  ${k.padEnd(12)}${val}`), '', ''].join('\n');
  return { output, data: { product: 'openltm', version: v, edition: 'Final', node: process.versions.node } };
}
