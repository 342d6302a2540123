/** Parses a Prometheus scrape with Debian's python3-prometheus-client (its text-format parser). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from './run-process';

export interface Sample {
  family: string;
  type: string;
  name: string;
  labels: Record<string, string>;
  value: number | null;
}

// Debian's python3 (where python3-prometheus-client is installed), not a pyenv shim first on PATH.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

export async function parsePrometheus(text: string): Promise<Sample[]> {
  const r = await runProcess(PYTHON, [join(__dirname, 'prom_parse.py')], { input: text });
  if (r.code !== 0) throw new Error(`prometheus_client could not parse the scrape: ${r.stderr}\n${text.slice(0, 2000)}`);
  return JSON.parse(r.stdout) as Sample[];
}

/** The value of one sample, or undefined. */
export function sample(samples: Sample[], name: string, labels: Record<string, string> = {}): number | null | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
