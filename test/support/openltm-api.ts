/**
 * Runs the real `openltm api` (HTTPS, port from freePort) on an OpenltmInstance's store as a
 * child process, and calls it like a REST client would (the self-signed default certificate is
 * not verified here; the cli package's tests pin it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { join } from 'node:path';
import { eventually, type OpenltmInstance } from './openltm';
import { freePort } from './ports';

export interface ApiProcess {
  port: number;
  log(): string;
  get(path: string, auth: string): Promise<{ status: number; text: string; contentType: string }>;
  stop(): Promise<void>;
}

export async function startApiProcess(ltm: OpenltmInstance, extraArgs: readonly string[] = []): Promise<ApiProcess> {
  const port = await freePort();
  let log = '';
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'openltm'), 'api', '--port', String(port), ...extraArgs], {
    env: { ...process.env, OPENLTM_STORE: ltm.storePath, HOME: ltm.dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  await eventually(() => log, (l) => l.includes('iControl REST API listening') || child.exitCode !== null, 15_000);
  if (!log.includes('iControl REST API listening')) throw new Error(`openltm api did not start: ${log}`);
  return {
    port,
    log: () => log,
    get: (path, auth) =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false, agent: false, headers: { Authorization: `Basic ${Buffer.from(auth).toString('base64')}` } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? '') }));
        });
        req.on('error', reject);
        req.end();
      }),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
