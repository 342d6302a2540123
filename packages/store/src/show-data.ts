/**
 * `show` has one structured form: numbers and status words, each with its tmsh field name
 * (`clientside.bits-in`, `status.availability-state`, as `show ... field-fmt` names them). The
 * text layout (format/show-format.ts) and `--json` (toJson) are both renderings of it.
 */
import type { StoredOnlySetting } from './stored-only';

/** `  Availability : available` in the text; `status.availability-state` in json. */
export interface ShowStatusRow {
  label: string;
  field: string;
  value: string | number;
}

/** One cell of a counter table; `null` is printed `-` (not counted on that side) and left out of json. */
export type ShowCell = { field: string; value: number } | null;

export interface ShowCounterRow {
  label: string;
  cells: ShowCell[];
}

export interface ShowTable {
  heading: string;
  columns: string[];
  rows: ShowCounterRow[];
  /** Text layout only: where the first column starts. */
  labelWidth?: number;
}

/** Stored-only settings in effect on an object it depends on (`show ltm virtual`). */
export interface StoredOnlyInEffect extends StoredOnlySetting {
  /** `ltm virtual /Common/vs`, `ltm profile tcp /Common/t1`, ... */
  object: string;
}

export interface ShowSection {
  heading: string;
  rows: ShowStatusRow[];
}

export interface ShowBlock {
  /** Object type key (`ltm virtual`) and full path. */
  type: string;
  name: string;
  /** Text layout: `Ltm::Virtual Server: vs_smtp` and the width of its dashed rules. */
  title: string;
  titleWidth: number;
  status: ShowStatusRow[];
  /** Text layout: minimum width of the status labels. */
  statusWidth?: number;
  /** Pool summary lines (`Current Active Members : 1`), right-aligned labels in the text. */
  summary?: ShowStatusRow[];
  /** More `Label : value` blocks after Status (an iRule's events), each under its heading. */
  sections?: ShowSection[];
  tables: ShowTable[];
  /** Pool members (`show ltm pool ... members`). */
  members?: ShowBlock[];
  /** `show ltm virtual`: stored-only settings in effect on the virtual, its profiles and its pool. */
  storedOnly?: StoredOnlyInEffect[];
}

export interface ShowJson {
  type: string;
  name: string;
  status: Record<string, string | number>;
  stats: Record<string, number>;
  members?: ShowJson[];
  storedOnly?: StoredOnlyInEffect[];
}

/** The json form: status words and counters keyed by their tmsh field names, numbers as numbers. */
export function toJson(block: ShowBlock): ShowJson {
  const status: Record<string, string | number> = {};
  for (const r of [...block.status, ...(block.summary ?? []), ...(block.sections ?? []).flatMap((x) => x.rows)]) status[r.field] = r.value;
  const stats: Record<string, number> = {};
  for (const t of block.tables) for (const row of t.rows) for (const c of row.cells) if (c) stats[c.field] = c.value;
  return {
    type: block.type,
    name: block.name,
    status,
    stats,
    ...(block.members ? { members: block.members.map(toJson) } : {}),
    ...(block.storedOnly ? { storedOnly: block.storedOnly } : {}),
  };
}
