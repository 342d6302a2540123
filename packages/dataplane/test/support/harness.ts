/** Start a proxy listener in front of mock backends, and tear everything down afterwards. */
import pino from 'pino';
import type { ActivationMode, VirtualSpec } from '../../src/desired-state';
import { VirtualListener, type ListenerOptions } from '../../src/listener/virtual-listener';
import { FixedSelector } from './fixed-selector';
import { MockBackend, type MockBackendOptions } from './mock-backend';
import { TestClient } from './smtp-client';
import type { TestCert } from './tls-fixture';

export type Mode = ActivationMode | 'implicit' | 'plain';

export interface ProxyFixture {
  listener: VirtualListener;
  backend: MockBackend;
  selector: FixedSelector;
  port: number;
  connect(): Promise<TestClient>;
}

export const silentLogger = pino({ level: 'silent' });

export function virtualSpec(mode: Mode, cert: TestCert | undefined, over: Partial<VirtualSpec> = {}): VirtualSpec {
  const clientSsl = cert && mode !== 'plain'
    ? { name: '/Common/cssl', certKeyChain: [cert], ciphers: 'DEFAULT', options: ['no-tlsv1', 'no-tlsv1.1'], handshakeTimeout: 2 }
    : undefined;
  return {
    name: '/Common/vs_test',
    enabled: true,
    address: '127.0.0.1',
    port: 0,
    smtps: mode === 'implicit' || mode === 'plain' ? undefined : { name: '/Common/smtps', activationMode: mode },
    clientSsl,
    idleTimeout: 5,
    pool: '/Common/pool',
    connectionLimit: 0,
    ...over,
  };
}

/** Tracks what a test file starts so afterEach can stop it all. */
export class Harness {
  private readonly listeners: VirtualListener[] = [];
  private readonly backends: MockBackend[] = [];
  private readonly clients: TestClient[] = [];

  async backend(opts: MockBackendOptions = {}): Promise<MockBackend> {
    const b = await new MockBackend(opts).start();
    this.backends.push(b);
    return b;
  }

  async proxy(spec: VirtualSpec, members: Array<{ address: string; port: number }>, opts: Partial<ListenerOptions> = {}): Promise<{ listener: VirtualListener; selector: FixedSelector; port: number }> {
    const selector = new FixedSelector(members);
    const listener = new VirtualListener(spec, { selector, logger: silentLogger, hostname: 'proxy.test', timeouts: { backendConnect: 1000, backendGreeting: 500 }, ...opts });
    await listener.listen();
    this.listeners.push(listener);
    return { listener, selector, port: listener.address().port };
  }

  /** The usual setup: one B0-style backend (with options) behind a proxy in `mode`. */
  async start(mode: Mode, cert: TestCert | undefined, backendOpts: MockBackendOptions = {}, over: Partial<VirtualSpec> = {}, opts: Partial<ListenerOptions> = {}): Promise<ProxyFixture> {
    const backend = await this.backend(backendOpts);
    const { listener, selector, port } = await this.proxy(virtualSpec(mode, cert, over), [{ address: '127.0.0.1', port: backend.port }], opts);
    return { listener, backend, selector, port, connect: () => this.client(port) };
  }

  async client(port: number): Promise<TestClient> {
    const c = await TestClient.connect(port);
    this.clients.push(c);
    return c;
  }

  track(c: TestClient): TestClient {
    this.clients.push(c);
    return c;
  }

  async stop(): Promise<void> {
    for (const c of this.clients.splice(0)) c.destroy();
    await Promise.all(this.listeners.splice(0).map((l) => l.drain(0)));
    await Promise.all(this.backends.splice(0).map((b) => b.stop()));
  }
}

/** Poll until `fn` is true (for asynchronous effects such as counters and closes). */
export async function until(fn: () => boolean, timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
