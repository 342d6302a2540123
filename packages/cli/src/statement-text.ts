/**
 * Lexical facts about raw tmsh input that the shell needs before parsing: whether braces or quotes
 * are still open (multi-line entry), and where one statement ends (`;` or a newline at depth 0).
 * Mirrors tmsh's rules: `"..."` quotes with backslash escapes, `{ }` nesting, `#` comments.
 */

interface Scan {
  depth: number;
  inQuote: boolean;
  /** Offsets of statement separators (`;` or newline) outside quotes and braces. */
  separators: number[];
}

function scan(text: string): Scan {
  let depth = 0;
  let inQuote = false;
  let inComment = false;
  let atWordStart = true;
  const separators: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inComment) {
      if (c === '\n') {
        inComment = false;
        if (depth === 0) separators.push(i);
      }
      continue;
    }
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
      continue;
    }
    if (c === '\\') {
      i++;
      atWordStart = false;
      continue;
    }
    if (c === '"') inQuote = true;
    else if (c === '#' && atWordStart) inComment = true;
    else if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if ((c === ';' || c === '\n') && depth === 0) separators.push(i);
    atWordStart = c === ' ' || c === '\t' || c === '\n' || c === ';';
  }
  return { depth, inQuote, separators };
}

/** True when the input cannot be complete yet: a brace or quote is open, or the line ends in `\`. */
export function needsContinuation(text: string): boolean {
  const s = scan(text);
  return s.depth > 0 || s.inQuote || /(^|[^\\])\\$/.test(text);
}

/** True when the cursor position sits inside a quoted string (a `?` there is just a character). */
export function insideQuotes(text: string): boolean {
  return scan(text).inQuote;
}

/** One statement's text and where it starts in the whole input. */
export interface StatementText {
  text: string;
  offset: number;
}

/** Splits input at `;` and newlines outside quotes and braces; drops blank pieces and comments. */
export function splitStatements(text: string): StatementText[] {
  const { separators } = scan(text);
  const out: StatementText[] = [];
  let start = 0;
  for (const end of [...separators, text.length]) {
    const piece = text.slice(start, end);
    const lead = piece.length - piece.trimStart().length;
    const trimmed = piece.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) out.push({ text: trimmed, offset: start + lead });
    start = end + 1;
  }
  return out;
}

/** The first word of a statement (`help`, `quit`, `cd`...). */
export function firstWord(text: string): string {
  return text.trimStart().split(/\s+/, 1)[0] ?? '';
}
