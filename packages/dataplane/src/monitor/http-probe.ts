import type { MonitorSpec } from '../desired-state';
import { withProbeSocket, type ProbeResult } from './probe-socket';
import { recvPattern, unescapeSend } from './tcp-probe';

/** BIG-IP matches recv against the start of the response; a chatty member cannot make a probe read more. */
const RESPONSE_LIMIT = 5120;

type Verdict = ProbeResult;

/**
 * http and https monitors: connect (TLS for https), send the request, and judge the response:
 * matching `recv` is up; a response that ends (the member closes, or 5120 bytes arrive)
 * matching `recv-disable` but not `recv` takes the member out of service at once; one that ends (the member closes, or 5120 bytes arrive) matching neither is a
 * failure. Without `recv`, any response is up. `reverse`: matching `recv` is a definite down,
 * a response that ends without matching it is up.
 */
export function httpProbe(address: string, port: number, spec: MonitorSpec, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  const recv = spec.recv ? recvPattern(spec.recv) : undefined;
  const disable = spec.recvDisable ? recvPattern(spec.recvDisable) : undefined;
  const tls = spec.type === 'https' ? { ciphers: spec.cipherlist ?? 'DEFAULT' } : undefined;
  return withProbeSocket(
    address,
    port,
    timeoutMs,
    signal,
    async (s): Promise<ProbeResult> => {
      s.write(unescapeSend(spec.send ?? 'GET / HTTP/1.0\r\n\r\n'));
      return s.response((raw, ended): Verdict | undefined => {
        const text = raw.slice(0, RESPONSE_LIMIT);
        const complete = ended || raw.length >= RESPONSE_LIMIT;
        if (!recv) {
          if (text.length > 0) return { ok: true };
          return ended ? { ok: false, error: 'connection closed without a response' } : undefined;
        }
        if (recv.test(text)) {
          return spec.reverse ? { ok: false, down: true, error: `response matched the receive string "${spec.recv}" (reverse)` } : { ok: true };
        }
        // recv takes precedence, so recv-disable is judged on the whole response.
        if (!complete) return undefined;
        if (disable && !spec.reverse && disable.test(text)) {
          return { ok: false, down: true, error: `response matched the receive disable string "${spec.recvDisable}"` };
        }
        if (spec.reverse) return text.length > 0 ? { ok: true } : { ok: false, error: 'connection closed without a response' };
        return { ok: false, error: text.length ? `response did not match the receive string "${spec.recv}"` : 'connection closed without a response' };
      });
    },
    tls,
  );
}

/**
 * tcp-half-open: connect and reset at once, sending nothing. A true half-open check stops after
 * the SYN-ACK with a raw socket; from userspace the kernel completes the handshake first, so the
 * member's service may see (and log) a connection that was reset.
 */
export function tcpHalfOpenProbe(address: string, port: number, _spec: MonitorSpec, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  return withProbeSocket(address, port, timeoutMs, signal, async (s) => {
    s.reset();
    return { ok: true };
  });
}
