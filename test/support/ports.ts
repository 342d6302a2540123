import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

/** Ports this test process has handed out: the kernel may offer a just-closed port again. */
const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: the OS picks it (port 0), we close the probe
 * socket and hand the number to a program that cannot be told to use port 0 (Postfix, smtp-sink).
 * Another process may take it in between; callers that start external servers retry on bind errors.
 * Never the same number twice in one process: two calls before either port is bound (two virtuals
 * created in a row) would otherwise collide when the kernel offers the closed port again.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/**
 * Resolves true when a TCP connection to 127.0.0.1:port is accepted, false when refused: what a
 * client of a virtual server sees (unlike isListening, it does connect).
 */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** True when a socket on host:port (default 127.0.0.1) is in LISTEN state (Linux /proc/net/tcp; no connection made). */
export function isListening(port: number, host = '127.0.0.1'): boolean {
  // Probing with connect() would show up in the server under test (smtp-sink counts it as a
  // session, Postfix logs it), so read the kernel's socket table instead.
  const ip = host.split('.').map((o) => Number(o).toString(16).toUpperCase().padStart(2, '0')).reverse().join('');
  const wanted = `${ip}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const table = readFileSync('/proc/net/tcp', 'utf8');
  return table.split('\n').some((line) => {
    const cols = line.trim().split(/\s+/);
    return cols[1] === wanted && cols[3] === '0A';
  });
}

/** Resolves once 127.0.0.1:port is listening; rejects after timeoutMs, or early when `alive()` says the server died. */
export async function waitForListen(port: number, options: { timeoutMs?: number; alive?: () => boolean; host?: string } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  while (!isListening(port, options.host)) {
    if (options.alive && !options.alive()) throw new Error(`the server meant for 127.0.0.1:${port} exited before listening`);
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${options.timeoutMs ?? 5000} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
