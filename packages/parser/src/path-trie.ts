/** The schema's type paths as a trie, built once: path walking is on the hot path of every statement. */
import { allPaths } from '@openltm/model';

interface Node {
  next: Map<string, Node>;
}

let root: Node | undefined;

function build(): Node {
  const r: Node = { next: new Map() };
  for (const p of allPaths()) {
    let n = r;
    for (const w of p) {
      let c = n.next.get(w);
      if (!c) n.next.set(w, (c = { next: new Map() }));
      n = c;
    }
  }
  return r;
}

/** How many words at the start of `words` (from `from`) walk the path tree, starting at `prefix`. */
export function walkPath(words: readonly string[], prefix: readonly string[] = [], from = 0): number {
  let n: Node | undefined = root ?? (root = build());
  for (const w of prefix) n = n?.next.get(w);
  let i = from;
  while (n && i < words.length) {
    const c: Node | undefined = n.next.get(words[i]);
    if (!c) break;
    n = c;
    i++;
  }
  return i - from;
}

/** True when `word` may follow `prefix` in a type path (`['ltm']`, `pool`). */
export function isNextPathWord(prefix: readonly string[], word: string): boolean {
  let n: Node | undefined = root ?? (root = build());
  for (const w of prefix) n = n?.next.get(w);
  return n?.next.has(word) ?? false;
}
