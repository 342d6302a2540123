/**
 * The primary's side of the shared listening sockets, with workers as plain names and the
 * messages they would send fed back by hand (e2e-workers.test.ts runs the real processes).
 */
import pino from 'pino';
import { SocketHandOutToWorkers } from '../../src/cluster/socket-handout';
import type { PrimaryMessage } from '../../src/cluster/messages';
import type { ServerHandle } from '../../src/listener/port-sockets';

const handle = { fd: 42, getsockname: () => 0, close: () => undefined } as ServerHandle;

function setup(workers: string[]) {
  const sent: Array<[string, PrimaryMessage, ServerHandle | undefined]> = [];
  const h = new SocketHandOutToWorkers<string>(() => workers, (w, m, hd) => (sent.push([w, m, hd]), true), pino({ level: 'silent' }));
  for (const w of workers) h.workerReady(w);
  return { h, sent };
}

const settled = async (p: Promise<unknown>): Promise<string> => {
  let state = 'pending';
  p.then(() => (state = 'resolved'), (e: Error) => (state = `rejected: ${e.message}`));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return state;
};

describe('listening sockets handed to workers', () => {
  it('a socket counts as listening once one worker accepts on it, and every worker is sent it with its handle', async () => {
    const { h, sent } = setup(['a', 'b']);
    const opened = h.opened('127.0.0.1|25', handle);
    expect(sent.map(([w, m, hd]) => [w, m.type, hd === handle])).toEqual([['a', 'socket', true], ['b', 'socket', true]]);
    expect(await settled(opened)).toBe('pending');
    h.message('b', { type: 'socket-open', key: '127.0.0.1|25', error: 'EADDRINUSE' });
    expect(await settled(opened)).toBe('pending');
    h.message('a', { type: 'socket-open', key: '127.0.0.1|25' });
    expect(await settled(opened)).toBe('resolved');
  });

  it('fails with the errno when no worker can accept on it', async () => {
    const { h } = setup(['a', 'b']);
    const opened = h.opened('127.0.0.1|25', handle);
    h.message('a', { type: 'socket-open', key: '127.0.0.1|25', error: 'EADDRINUSE' });
    h.workerGone('b');
    expect(await settled(opened)).toBe('rejected: cannot listen on 127.0.0.1:25: address already in use');
  });

  it('closes only once every worker accepting on it has stopped (or exited)', async () => {
    const { h, sent } = setup(['a', 'b', 'c']);
    const opened = h.opened('127.0.0.1|25', handle);
    h.message('a', { type: 'socket-open', key: '127.0.0.1|25' });
    h.message('b', { type: 'socket-open', key: '127.0.0.1|25' });
    h.message('c', { type: 'socket-open', key: '127.0.0.1|25', error: 'EMFILE' });
    await opened;
    sent.length = 0;
    const closing = h.closing('127.0.0.1|25');
    expect(sent.map(([w, m]) => [w, m.type])).toEqual([['a', 'socket-close'], ['b', 'socket-close']]);
    h.message('a', { type: 'socket-closed', key: '127.0.0.1|25' });
    expect(await settled(closing)).toBe('pending');
    h.workerGone('b');
    expect(await settled(closing)).toBe('resolved');
  });

  it('a new worker gets every open socket; one that opens a socket closed meanwhile is told to close it', async () => {
    const { h, sent } = setup([]);
    await h.opened('127.0.0.1|25', handle);
    await h.opened('0.0.0.0|587', handle);
    h.workerReady('late');
    expect(sent.filter(([w]) => w === 'late').map(([, m]) => m)).toEqual([{ type: 'socket', key: '127.0.0.1|25' }, { type: 'socket', key: '0.0.0.0|587' }]);
    await h.closing('0.0.0.0|587');
    sent.length = 0;
    h.message('late', { type: 'socket-open', key: '0.0.0.0|587' });
    expect(sent.map(([w, m]) => [w, m])).toEqual([['late', { type: 'socket-close', key: '0.0.0.0|587' }]]);
  });
});
