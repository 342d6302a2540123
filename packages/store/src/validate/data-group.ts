/**
 * A data group's records are of its type: ip keys are addresses or address/prefix (a host is
 * stored as /32 or /128, as BIG-IP lists it), integer keys whole numbers. Checked when the group
 * is created or changed, so a bad record is refused before it is stored.
 */
import { errors, parseAddress } from '@openltm/model';
import type { ObjectRecord } from '../object-repository';
import { isProps, type StoredProps } from '../stored-value';
import type { RuleContext } from './rules';
import { canonicalAddress } from './scalar';

const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

/** `10.0.0.0/8` -> `10.0.0.0/8`, `10.1.1.1` -> `10.1.1.1/32`; undefined when not an address or prefix. */
function ipRecord(key: string): string | undefined {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(key);
  if (!m) return undefined;
  const addr = parseAddress(m[1]);
  const canonical = canonicalAddress(m[1]);
  if (!addr || !canonical) return undefined;
  const max = addr.family === 4 ? 32 : 128;
  const prefix = m[2] === undefined ? max : Number(m[2]);
  return prefix <= max ? `${canonical}/${prefix}` : undefined;
}

function integerRecord(key: string): string | undefined {
  if (!/^-?\d{1,19}$/.test(key)) return undefined;
  const n = BigInt(key);
  return n >= INT64.min && n <= INT64.max ? n.toString() : undefined;
}

export function dataGroupRecords(rec: ObjectRecord, ctx: RuleContext): void {
  const type = String(rec.props.type ?? 'string');
  const records = rec.props.records;
  if (type === 'string' || !isProps(records)) return;
  const next: StoredProps = {};
  let changed = false;
  for (const [key, value] of Object.entries(records)) {
    const canonical = type === 'ip' ? ipRecord(key) : integerRecord(key);
    if (canonical === undefined) {
      throw errors.invalidValue('records', key, type === 'ip' ? 'an IP address or address/prefix (data-group type ip)' : 'a whole number (data-group type integer)', ctx.position);
    }
    if (canonical !== key) {
      if (canonical in records || canonical in next) throw errors.configError(`value list (${rec.path}) has the record ${canonical} twice (${key}).`, ctx.position);
      changed = true;
    }
    next[canonical] = value;
  }
  if (changed) ctx.write(rec, { ...rec.props, records: next });
}
