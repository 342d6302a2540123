import type { Completion, CompletionCandidate } from '../executor';

/**
 * Turns a completion answer into readline's `[hits, substring]` for the text before the cursor
 * (`lineStart` is where the current physical line starts in the whole entry). A lone hit gets a
 * trailing space, as tmsh moves on to the next word.
 */
export function toReadline(completion: Completion, entry: string, lineStart: number): [string[], string] {
  const from = Math.max(completion.replaceFrom, lineStart);
  const word = entry.slice(from);
  const hits = [...new Set(completion.candidates.map((c) => c.text))].filter((t) => t.startsWith(word));
  if (hits.length === 1 && !/[/{]$/.test(hits[0])) return [[`${hits[0]} `], word];
  return [hits, word];
}

/**
 * The `?` listing: one candidate a line, with its help, aligned as tmsh prints it; a free-form
 * value is announced as `<what it is>`, as tmsh does for names and numbers.
 */
export function formatChoices(candidates: readonly CompletionCandidate[], expecting?: string): string {
  const hint = expecting ? `  <${expecting}>\n` : '';
  if (candidates.length === 0) return hint || '  <no completions: press Enter to run the command>\n';
  const seen = new Set<string>();
  const unique = candidates.filter((c) => !seen.has(c.text) && seen.add(c.text));
  const width = Math.min(32, Math.max(...unique.map((c) => c.text.length)));
  return hint + unique.map((c) => `  ${c.text.padEnd(width)}  ${c.help ?? ''}`.trimEnd()).join('\n') + '\n';
}
