/**
 * `show` layouts (tmsh.md section 5): a dashed title, a Status block of `Label : value` lines,
 * and counter tables whose cells auto-scale (`1.8K`, `3.2M`) unless `raw`.
 */
import type { ShowBlock } from '../show-data';
import { relativeName } from '../names';

/** `960`, `1.8K`, `45.1K`, `3.2M`; exact with `raw`. */
export function scaled(n: number, raw = false): string {
  if (raw || n < 1000) return String(Math.round(n));
  const units = ['K', 'M', 'G', 'T', 'P', 'E'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(1)}${units[i]}`;
}

export function title(kind: string, name: string, width: number): string[] {
  const line = '-'.repeat(width);
  return [line, `${kind}: ${name}`, line];
}

/** `  Label   : value` lines with the colons aligned. */
export function statusBlock(heading: string, rows: [string, string][], prefix = '', minWidth = 0): string[] {
  const w = Math.max(minWidth, ...rows.map(([k]) => k.length));
  return [`${prefix}${heading}`, ...rows.map(([k, v]) => `${prefix}  ${k.padEnd(w)} : ${v}`)];
}

/** A counter table: heading with column names, then right-aligned cells. */
export function counterTable(heading: string, columns: string[], rows: [string, ...(string | number)[]][], opts: { raw?: boolean; labelWidth?: number; prefix?: string } = {}): string[] {
  const lw = opts.labelWidth ?? 36;
  const prefix = opts.prefix ?? '';
  const widths = columns.map((c, i) => (i === 0 ? c.length : c.length + 2));
  const head = `${prefix}${heading.padEnd(lw)}${columns.map((c, i) => (i === 0 ? c : `  ${c}`)).join('')}`;
  const lines = [head.trimEnd()];
  for (const [label, ...cells] of rows) {
    const text = cells.map((c, i) => (typeof c === 'number' ? scaled(c, opts.raw) : c).padStart(widths[i])).join('');
    lines.push(`${prefix}  ${label.padEnd(lw - 2)}${text}`);
  }
  return lines;
}

/** The text layout of one structured show block (show-data.ts). `prefix` indents member blocks. */
export function renderBlock(block: ShowBlock, raw: boolean, prefix = ''): string[] {
  const lines: string[] = prefix
    ? ['  -------------------------------------------', `  | ${block.title}`, '  -------------------------------------------']
    : title(block.title.slice(0, block.title.indexOf(': ')), block.title.slice(block.title.indexOf(': ') + 2), block.titleWidth);
  lines.push(...statusBlock('Status', block.status.map((r) => [r.label, String(r.value)]), prefix, block.statusWidth ?? 0));
  if (block.summary) {
    const w = Math.max(...block.summary.map((r) => r.label.length));
    lines.push(...block.summary.map((r) => `  ${r.label.padStart(w)} : ${r.value}`));
  }
  for (const section of block.sections ?? []) {
    lines.push(prefix ? prefix.trimEnd() : '');
    lines.push(...statusBlock(section.heading, section.rows.map((r) => [r.label, String(r.value)]), prefix));
  }
  for (const t of block.tables) {
    lines.push(prefix ? prefix.trimEnd() : '');
    lines.push(...counterTable(t.heading, t.columns, t.rows.map((r) => [r.label, ...r.cells.map((c) => (c ? c.value : '-'))]), { raw, labelWidth: t.labelWidth, prefix }));
  }
  if (block.storedOnly) {
    lines.push('', 'Stored-only Settings (kept for BIG-IP compatibility; no effect in openltm)');
    if (!block.storedOnly.length) lines.push('  none');
    for (const s of block.storedOnly) lines.push(`  ${s.object}: ${s.property} ${s.value}`);
  }
  return lines;
}

/** Every field of a block, as `show ... field-fmt` and json name them (`-` cells are not counted, so absent). */
function fields(block: ShowBlock): Array<[string, string | number]> {
  const out = new Map<string, string | number>();
  for (const r of [...block.status, ...(block.summary ?? []), ...(block.sections ?? []).flatMap((x) => x.rows)]) out.set(r.field, r.value);
  for (const t of block.tables) for (const row of t.rows) for (const c of row.cells) if (c) out.set(c.field, c.value);
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * tmsh's `field-fmt`: `ltm virtual NAME {`, one `field value` line per field sorted by name,
 * counters exact, then `}`; a pool's members nested in `members { }` (what scripts grep and awk).
 */
export function renderFieldFmt(block: ShowBlock, folder: string): string[] {
  const body = (b: ShowBlock, indent: string) => fields(b).map(([k, v]) => `${indent}${k} ${v}`);
  const lines = [`${block.type} ${relativeName(block.name, folder)} {`, ...body(block, '    ')];
  if (block.members) {
    lines.push('    members {');
    for (const m of block.members) lines.push(`        ${relativeName(m.name, folder)} {`, ...body(m, '            '), '        }');
    lines.push('    }');
  }
  lines.push('}');
  return lines;
}
