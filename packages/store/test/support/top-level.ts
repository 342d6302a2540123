/**
 * Top-level statements of a bigip.conf file, found without the parser (so tests check the parser
 * and loader against something independent): every statement of a saved file or `list` capture
 * starts in column 1 at brace depth 0; braces are counted the Tcl way (a backslash escapes the
 * next character), which holds for iRule bodies and tmsh values alike.
 */
function scan(text: string, onStart: (line: number) => void): string[] {
  const lines = text.split('\n');
  let depth = 0;
  lines.forEach((line, n) => {
    if (depth === 0 && /^[a-z]/.test(line)) onStart(n);
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (c === '\\') i++;
      else if (c === '{') depth++;
      else if (c === '}') depth--;
    }
  });
  return lines;
}

/** How many top-level objects the file holds. */
export function countTopLevel(text: string): number {
  let n = 0;
  scan(text, () => n++);
  return n;
}

/** The text of each top-level statement, from its first line to the line before the next one (blank lines trimmed). */
export function topLevelBlocks(text: string): string[] {
  const starts: number[] = [];
  const lines = scan(text, (n) => starts.push(n));
  return starts.map((s, i) => {
    const end = i + 1 < starts.length ? starts[i + 1] : lines.length;
    return lines.slice(s, end).join('\n').replace(/\s+$/, '');
  });
}
