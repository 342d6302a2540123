/**
 * Stored values as tmsh prints them: `list` uses names relative to the folder and service names
 * for ports (`10.0.0.11:smtp`); saved files use full paths and numeric ports.
 */
import { SERVICE_PORTS } from '@openltm/model';
import { relativeName } from '../names';

const PORT_NAMES: Record<number, string> = Object.fromEntries(Object.entries(SERVICE_PORTS).map(([n, p]) => [p, n]));

export interface NameStyle {
  /** `list` (relative names, service ports) or `save` (full paths, numeric ports). */
  mode: 'list' | 'save';
  folder: string;
}

export function formatName(path: string, style: NameStyle): string {
  return style.mode === 'save' ? path : relativeName(path, style.folder);
}

function splitHostPort(stored: string): { host: string; sep: string; port: number } {
  const m = /^(.*)([:.])(\d+)$/.exec(stored)!;
  return { host: m[1], sep: m[2], port: Number(m[3]) };
}

/** `/Common/10.0.0.1:25` -> `10.0.0.1:smtp` (list) or `/Common/10.0.0.1:25` (save). */
export function formatHostPort(stored: string, style: NameStyle): string {
  if (style.mode === 'save') return stored;
  const { host, sep, port } = splitHostPort(stored);
  return `${relativeName(host, style.folder)}${sep}${PORT_NAMES[port] ?? port}`;
}

/** `/Common/10.0.0.1:25` -> `10.0.0.1:25` (show prints numeric ports without the partition). */
export function formatDestinationForShow(stored: string): string {
  return stored.replace(/^\/[^/]+\//, '');
}

/** The parser's quoting, so what `list` and `save` print parses back to the same value. */
export { quote } from '@openltm/parser';
