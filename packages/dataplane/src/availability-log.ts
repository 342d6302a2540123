import type { Logger } from 'pino';
import type { StatusReport } from '@openltm/model';

/** BIG-IP's `Virtual /Common/vs has become unavailable` (and available) lines, once per change. */
export class AvailabilityLog {
  private readonly last = new Map<string, string>();
  /** The list last observed: the same array again (the primary reuses it) changed nothing. */
  private lastList?: StatusReport['virtuals'];

  constructor(private readonly logger: Logger) {}

  observe(report: StatusReport): void {
    if (report.virtuals === this.lastList) return;
    this.lastList = report.virtuals;
    const seen = new Set<string>();
    for (const v of report.virtuals) {
      seen.add(v.name);
      const prev = this.last.get(v.name);
      this.last.set(v.name, v.availability);
      if (v.availability === 'offline' && prev !== 'offline') {
        this.logger.warn({ virtual: v.name, reason: v.reason }, `01071682:5: SNMP_TRAP: Virtual ${v.name} has become unavailable`);
      } else if (prev === 'offline' && v.availability !== 'offline') {
        this.logger.info({ virtual: v.name }, `01071681:5: SNMP_TRAP: Virtual ${v.name} has become available`);
      }
    }
    for (const name of this.last.keys()) if (!seen.has(name)) this.last.delete(name);
  }
}
