/** A cursor over the items of a statement or block, for the shapers. */
import type { SyntaxNode, WordNode } from './ast';

export class ItemCursor {
  constructor(
    readonly items: readonly SyntaxNode[],
    public i = 0,
  ) {}

  /** The next item without consuming it. */
  peek(ahead = 0): SyntaxNode | undefined {
    return this.items[this.i + ahead];
  }

  /** The next item if it is a word with this text (or any word when `text` is omitted). */
  peekWord(text?: string): WordNode | undefined {
    const it = this.items[this.i];
    return it && it.kind === 'word' && (text === undefined || it.text === text) ? it : undefined;
  }

  next(): SyntaxNode | undefined {
    return this.items[this.i++];
  }

  atEnd(): boolean {
    return this.i >= this.items.length;
  }
}

/** How an item reads in an error message: the word, `"..."` for strings, `{` for blocks. */
export function describe(item: SyntaxNode): string {
  if (item.kind === 'block') return '{';
  return item.text;
}
