import { ConfigError, ErrorCodes } from '@openltm/model';
import type { DesiredState, DesiredStateSource, ListenerDeps, StatusReport, StatusSink, VirtualListenerApi, VirtualSpec, VirtualStats } from '@openltm/dataplane';
import { zeroVirtualStats } from '@openltm/dataplane';

/** A desired-state source a test edits; every edit bumps the generation, as a store commit does. */
export class FakeSource implements DesiredStateSource {
  reads = 0;
  constructor(public state: DesiredState = { generation: 1, virtuals: [], pools: [], monitors: [] }) {}
  generation(): number {
    return this.state.generation;
  }
  read(): DesiredState {
    this.reads++;
    return structuredClone(this.state);
  }
  edit(fn: (s: DesiredState) => void): void {
    fn(this.state);
    this.state.generation++;
  }
}

export class CaptureSink implements StatusSink {
  reports: StatusReport[] = [];
  write(report: StatusReport): void {
    this.reports.push(report);
  }
  get last(): StatusReport | undefined {
    return this.reports[this.reports.length - 1];
  }
}

/** A stand-in host for fake listeners: which ports are taken, and what happened in which order. */
export class FakeWorld {
  busy = new Set<number>();
  events: string[] = [];
  listeners: FakeListener[] = [];
  factory = (spec: VirtualSpec, deps: ListenerDeps): VirtualListenerApi => {
    const l = new FakeListener(spec, deps, this);
    this.listeners.push(l);
    return l;
  };
  /** Listeners that accept now, by virtual name. */
  listening(name: string): FakeListener[] {
    return this.listeners.filter((l) => l.name === name && l.state === 'listening');
  }
}

/** Fails like the real listener: EADDRINUSE on a busy port, ConfigError on a cipher string `BAD`. */
export class FakeListener implements VirtualListenerApi {
  stats: VirtualStats = zeroVirtualStats();
  activeSessions = 0;
  state: 'new' | 'listening' | 'draining' | 'closed' = 'new';
  updates = 0;
  constructor(
    public spec: VirtualSpec,
    readonly deps: ListenerDeps,
    private readonly world: FakeWorld,
  ) {}
  get name(): string {
    return this.spec.name;
  }
  async listen(): Promise<void> {
    this.world.events.push(`listen ${this.spec.name} ${this.spec.port}`);
    checkTls(this.spec);
    if (this.world.busy.has(this.spec.port)) {
      throw Object.assign(new Error(`Virtual server (${this.spec.name}) cannot listen on 127.0.0.1:${this.spec.port}: address already in use.`), { code: 'EADDRINUSE' });
    }
    this.world.busy.add(this.spec.port);
    this.state = 'listening';
  }
  update(spec: VirtualSpec): void {
    this.updates++;
    checkTls(spec);
    this.spec = spec;
    this.world.events.push(`update ${spec.name}`);
  }
  async drain(timeoutMs: number): Promise<void> {
    this.world.events.push(`drain ${this.spec.name} ${this.spec.port} ${timeoutMs}`);
    this.state = 'draining';
    this.world.busy.delete(this.spec.port);
    await new Promise((r) => setTimeout(r, 5));
    this.state = 'closed';
  }
}

function checkTls(spec: VirtualSpec): void {
  if (spec.clientSsl?.ciphers === 'BAD') {
    throw new ConfigError(ErrorCodes.SSL_FILE, `Client SSL profile (${spec.clientSsl.name}) cannot be loaded: the cipher string matches no cipher OpenSSL supports.`);
  }
}

export function virtual(name: string, port: number, over: Partial<VirtualSpec> = {}): VirtualSpec {
  return { name: `/Common/${name}`, enabled: true, address: '127.0.0.1', port, idleTimeout: 300, pool: '/Common/p', connectionLimit: 0, ...over };
}
