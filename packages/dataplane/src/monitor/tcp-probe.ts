import type { MonitorSpec } from '../desired-state';
import { withProbeSocket } from './probe-socket';
import type { ProbeResult } from './probe-socket';

/** BIG-IP send strings carry `\r\n` as escapes. */
export function unescapeSend(text: string): string {
  return text.replace(/\\(r|n|t|\\)/g, (_m, c: string) => ({ r: '\r', n: '\n', t: '\t', '\\': '\\' })[c]!);
}

/** BIG-IP `recv` is a regular expression; a string that is not one is matched literally. */
export function recvPattern(recv: string): RegExp {
  try {
    return new RegExp(recv);
  } catch {
    return new RegExp(recv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
}

/**
 * tcp monitor: connect; with `send`/`recv`, send the string and expect a reply matching `recv`.
 * `reverse`: a reply matching `recv` is a definite down (the member says it is out of service);
 * a reply that does not match is up. No reply at all is a failure either way.
 */
export function tcpProbe(address: string, port: number, spec: MonitorSpec, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  return withProbeSocket(address, port, timeoutMs, signal, async (s): Promise<ProbeResult> => {
    if (spec.send) s.write(unescapeSend(spec.send));
    if (!spec.recv) return { ok: true };
    if (!spec.reverse) {
      await s.receive(recvPattern(spec.recv));
      return { ok: true };
    }
    if (await s.replyMatches(recvPattern(spec.recv))) return { ok: false, down: true, error: `reply matched the receive string "${spec.recv}" (reverse)` };
    return { ok: true };
  });
}
