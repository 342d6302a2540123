import { connect, createServer } from 'node:net';

/** Ports this test process has handed out: the kernel may offer a just-closed port again. */
const handedOut = new Set<number>();

/**
 * A port on 127.0.0.1 that was free a moment ago (a virtual's spec needs a fixed one); never the
 * same number twice in one process, so two ports taken before either is bound cannot collide.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise((r) => s.close(r));
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** Connects and returns the first line the server sends, the connect error code, or `closed`. */
export function firstLine(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (v: string): void => {
      s.destroy();
      resolve(v);
    };
    s.on('data', (d) => {
      buf += d.toString('latin1');
      const i = buf.indexOf('\r\n');
      if (i >= 0) done(buf.slice(0, i));
    });
    s.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    s.on('close', () => done(buf || 'closed'));
  });
}
