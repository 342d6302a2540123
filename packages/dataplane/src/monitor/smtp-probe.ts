import type { MonitorSpec } from '../desired-state';
import { withProbeSocket } from './probe-socket';
import type { ProbeResult } from './probe-socket';

/** smtp monitor: connect, expect a 2xx greeting, `HELO <domain>`, expect 250, `QUIT`. */
export function smtpProbe(address: string, port: number, spec: MonitorSpec, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  return withProbeSocket(address, port, timeoutMs, signal, async (s) => {
    const greeting = await s.reply();
    if (greeting.code < 200 || greeting.code > 299) throw new Error(`greeting: ${greeting.text}`);
    // BIG-IP requires a domain on smtp monitors; without one we still say something valid.
    s.write(`HELO ${spec.domain && spec.domain !== 'none' ? spec.domain : 'localhost'}\r\n`);
    const helo = await s.reply();
    if (helo.code !== 250) throw new Error(`HELO: ${helo.text}`);
    s.write('QUIT\r\n');
  });
}
