/**
 * Seamless restart (nginx's binary upgrade, with systemd-style descriptor passing). On SIGUSR2
 * the running primary starts a new daemon with the same command line and its listening sockets
 * as inherited descriptors (fd 4, 5, ... named in OPENLTM_LISTEN_FDS). The new daemon listens
 * on those descriptors instead of binding, so the kernel's accept queue never closes; when it
 * says it is ready, the old daemon stops accepting and drains its sessions, then exits. If the
 * new daemon fails to start, the old one keeps serving.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { INHERITED_ENV } from '@openltm/dataplane';
import type { RunningDaemon } from './run-daemon';

/** Set in the new daemon: the pid of the daemon it replaces. */
export const TAKEOVER_ENV = 'OPENLTM_TAKEOVER_FROM';

interface ReadyMessage {
  type: 'takeover-ready';
  pid: number;
}

/** Starts the replacement; resolves when it is serving (true) or failed to start (false). */
export function startReplacement(daemon: RunningDaemon, logger: Logger): Promise<boolean> {
  const sockets = daemon.listeningSockets();
  const first = 4; // 0-2 stdio, 3 the IPC channel
  const env = {
    ...process.env,
    [INHERITED_ENV]: JSON.stringify(sockets.map((s, i) => ({ address: s.address, port: s.port, fd: first + i }))),
    [TAKEOVER_ENV]: String(process.pid),
  };
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      detached: true,
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc', ...sockets.map((s) => s.fd)],
    });
  } catch (err) {
    logger.error({ err }, 'restart: cannot start the new daemon; this one keeps serving');
    return Promise.resolve(false);
  }
  logger.info({ newPid: child.pid, sockets: sockets.length }, 'restart: new daemon starting with the listening sockets');
  return new Promise((resolve) => {
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      logger.error({ newPid: child.pid, code, signal }, 'restart: the new daemon exited before it was ready; this one keeps serving');
      resolve(false);
    };
    child.once('exit', onExit);
    child.on('message', (m: ReadyMessage) => {
      if (m?.type !== 'takeover-ready') return;
      child.removeListener('exit', onExit);
      child.disconnect();
      child.unref();
      logger.info({ newPid: m.pid }, 'restart: the new daemon is serving; this one stops accepting and drains');
      resolve(true);
    });
  });
}

/** In the new daemon, once it listens: tell the old one to step down. */
export function announceTakeover(logger: Logger): void {
  const from = process.env[TAKEOVER_ENV];
  delete process.env[TAKEOVER_ENV];
  if (!from || !process.send) return;
  const message: ReadyMessage = { type: 'takeover-ready', pid: process.pid };
  process.send(message, () => process.disconnect());
  logger.info({ oldPid: Number(from) }, 'restart: took over the listening sockets');
}
