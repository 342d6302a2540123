/**
 * Real etcd servers for tests: one member or a cluster, each with a temporary data directory,
 * on 127.0.0.1 free ports (or on the addresses given), stopped and removed by stop().
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './ports';

export interface EtcdMember {
  name: string;
  clientUrl: string;
  /** Stops the member at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same data directory and ports. */
  start(): Promise<void>;
  readonly running: boolean;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** `etcd://h1:p1,h2:p2/<prefix>`: the store address openltm takes. */
  url(prefix?: string): string;
  /** Stops every member and removes the data directories. */
  stop(): Promise<void>;
}

/** etcd refuses big transactions by default; a `load` of many objects is one transaction. */
const LIMITS = ['--max-txn-ops', '200000', '--max-request-bytes', String(64 * 1024 * 1024)];

function waitExit(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));
}

/** Client TLS for a member: its certificate and key, and the CA its clients' certificates must chain to. */
export interface EtcdTls {
  certFile: string;
  keyFile: string;
  caFile: string;
  /** A client certificate etcdctl uses for the health check. */
  clientCertFile: string;
  clientKeyFile: string;
}

function tlsArgs(tls: EtcdTls | undefined): string[] {
  return tls ? ['--cacert', tls.caFile, '--cert', tls.clientCertFile, '--key', tls.clientKeyFile] : [];
}

function healthy(endpoints: string[], tls?: EtcdTls): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('etcdctl', ['--endpoints', endpoints.join(','), '--command-timeout=2s', ...tlsArgs(tls), 'endpoint', 'health'], { env: { ...process.env, ETCDCTL_API: '3' } }, (err) => resolve(!err));
  });
}

/** Runs etcdctl against the given endpoints (with the test client certificate when TLS is on). */
export function etcdctl(endpoints: string[], args: readonly string[], tls?: EtcdTls): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('etcdctl', ['--endpoints', endpoints.join(','), ...tlsArgs(tls), ...args], { env: { ...process.env, ETCDCTL_API: '3' } }, (err, stdout, stderr) => (err ? reject(new Error(`etcdctl ${args.join(' ')}: ${stderr}`)) : resolve(stdout)));
  });
}

/** Starts `count` members (on `addresses[i]`, default 127.0.0.1) and waits until every one is healthy. */
export async function startEtcd(options: { members?: number; addresses?: string[]; tls?: EtcdTls } = {}): Promise<EtcdCluster> {
  const tls = options.tls;
  const scheme = tls ? 'https' : 'http';
  const count = options.members ?? 1;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openltm-etcd-'));
  const specs: Array<{ name: string; host: string; client: number; peer: number; dir: string }> = [];
  for (let i = 0; i < count; i++) {
    const host = options.addresses?.[i] ?? '127.0.0.1';
    specs.push({ name: `m${i}`, host, client: await freePort(), peer: await freePort(), dir: path.join(root, `m${i}`) });
  }
  const initial = specs.map((s) => `${s.name}=http://${s.host}:${s.peer}`).join(',');
  const procs = new Map<string, ChildProcess>();
  const log = fs.openSync(path.join(root, 'etcd.log'), 'a');
  const launch = (s: (typeof specs)[number]): void => {
    const p = spawn('etcd', [
      '--name', s.name, '--data-dir', s.dir,
      '--listen-client-urls', `${scheme}://${s.host}:${s.client}`, '--advertise-client-urls', `${scheme}://${s.host}:${s.client}`,
      ...(tls ? ['--cert-file', tls.certFile, '--key-file', tls.keyFile, '--client-cert-auth', '--trusted-ca-file', tls.caFile] : []),
      '--listen-peer-urls', `http://${s.host}:${s.peer}`, '--initial-advertise-peer-urls', `http://${s.host}:${s.peer}`,
      '--initial-cluster', initial, '--initial-cluster-state', 'new', '--initial-cluster-token', path.basename(root),
      '--log-level', 'warn', ...LIMITS,
    ], { stdio: ['ignore', log, log] });
    procs.set(s.name, p);
  };
  for (const s of specs) launch(s);
  const endpoints = specs.map((s) => `${scheme}://${s.host}:${s.client}`);
  const waitHealthy = async (eps: string[]): Promise<void> => {
    for (let i = 0; !(await healthy(eps, tls)); i++) {
      if (i > 150) throw new Error(`etcd did not become healthy: ${fs.readFileSync(path.join(root, 'etcd.log'), 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await waitHealthy(endpoints);
  const members: EtcdMember[] = specs.map((s, i) => ({
    name: s.name,
    clientUrl: endpoints[i],
    get running() {
      const p = procs.get(s.name);
      return !!p && p.exitCode === null && p.signalCode === null;
    },
    async kill() {
      const p = procs.get(s.name);
      if (!p) return;
      p.kill('SIGKILL');
      await waitExit(p);
    },
    async start() {
      launch(s);
      await waitHealthy([endpoints[i]]);
    },
  }));
  return {
    members,
    url: (prefix = '/openltm') => `${tls ? 'etcds' : 'etcd'}://${specs.map((s) => `${s.host}:${s.client}`).join(',')}${prefix}`,
    async stop() {
      await Promise.all(members.map((m) => m.kill()));
      fs.closeSync(log);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
