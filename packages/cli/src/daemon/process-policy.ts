/**
 * What a process does with an exception nobody caught: log it with its stack (pino's `err`
 * serializer), then a defined action. Continuing after an unknown throw would serve from
 * state nobody can vouch for, so both an uncaught exception and an unhandled rejection are
 * fatal: a worker exits at once (the primary replaces it), a primary or single-process daemon
 * stops accepting, drains for a bounded time, and exits 1 for its supervisor to restart it.
 */
import type { Logger } from 'pino';

export function installProcessPolicy(logger: Logger, role: 'primary' | 'worker' | 'daemon', fatal: () => void): void {
  let handled = false;
  const onFatal = (err: unknown, origin: string): void => {
    logger.fatal({ err, origin, role }, `${origin} in the ${role}: ${role === 'worker' ? 'worker exits; the primary replaces it' : 'stopping (drain), then exit 1'}`);
    if (handled) return;
    handled = true;
    fatal();
  };
  process.on('uncaughtException', (err) => onFatal(err, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => onFatal(reason, 'unhandled rejection'));
}
