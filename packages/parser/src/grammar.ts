/**
 * The syntax layer: statements are runs of items (words, quoted strings, `{ }` blocks) ended by
 * a newline or `;`; newlines inside braces do not end a statement. No meaning is given to any
 * word here: the shaper does that from the schema. Built with embedded actions (no CST) for speed.
 */
import { EmbeddedActionsParser, type IToken } from 'chevrotain';
import type { BlockNode, SyntaxNode } from './ast';
import { allTokens, LCurly, Newline, QuotedString, RCurly, Semicolon, TclBody, Word } from './tokens';
import { tokenPos } from './lexer';

/** One statement as written: its items and its first and last tokens. */
export interface SyntaxStatement {
  items: SyntaxNode[];
  first: IToken;
  last: IToken;
}

/** Groups block items by the source line each starts on. */
function groupLines(items: SyntaxNode[]): SyntaxNode[][] {
  const lines: SyntaxNode[][] = [];
  let line = -1;
  let current: SyntaxNode[] = [];
  for (const item of items) {
    if (item.pos.line !== line) {
      current = [];
      lines.push(current);
      line = item.pos.line;
    }
    current.push(item);
  }
  return lines;
}

class TmshGrammar extends EmbeddedActionsParser {
  /** The full text being parsed (for `raw` block bodies) and its source name. */
  text = '';
  source: string | undefined = undefined;
  /** Statements completed so far: kept when a later statement fails. */
  collected: SyntaxStatement[] = [];
  /** First token of the statement being parsed (to resynchronise after an error). */
  statementStart: IToken | undefined = undefined;

  constructor() {
    super(allTokens, { recoveryEnabled: false, maxLookahead: 1 });
    this.performSelfAnalysis();
  }

  public script = this.RULE('script', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => { this.CONSUME(Newline); } },
        { ALT: () => { this.CONSUME(Semicolon); } },
        { ALT: () => { this.SUBRULE(this.statement); } },
      ]);
    });
  });

  private statement = this.RULE('statement', () => {
    const items: SyntaxNode[] = [];
    this.ACTION(() => { this.statementStart = this.LA(1); });
    this.AT_LEAST_ONE(() => { items.push(this.SUBRULE(this.item)); });
    this.ACTION(() => {
      this.collected.push({ items, first: this.statementStart as IToken, last: this.LA(0) });
    });
  });

  /** The alternatives of `item`, built once (they only close over `this`): no allocation per item. */
  private itemAlts: { ALT: () => SyntaxNode }[] | undefined;

  private item = this.RULE('item', (): SyntaxNode =>
    this.OR(
      this.itemAlts ??
        (this.itemAlts = [
          {
            ALT: () => {
              const t = this.CONSUME(Word);
              return { kind: 'word', text: t.image, pos: tokenPos(t, this.source) };
            },
          },
          {
            ALT: () => {
              const t = this.CONSUME(QuotedString);
              return { kind: 'string', text: t.image.slice(1, -1), pos: tokenPos(t, this.source) };
            },
          },
          {
            ALT: () => {
              const t = this.CONSUME(TclBody);
              return { kind: 'block', items: [], lines: [], pos: tokenPos(t, this.source), raw: t.image.slice(1, -1) };
            },
          },
          { ALT: () => this.SUBRULE(this.block) },
        ]),
    ),
  );

  private block = this.RULE('block', (): BlockNode => {
    const open = this.CONSUME(LCurly);
    const items: SyntaxNode[] = [];
    this.MANY(() => { items.push(this.SUBRULE(this.item)); });
    const close = this.CONSUME(RCurly);
    return this.ACTION(
      (): BlockNode => ({
        kind: 'block',
        items,
        lines: groupLines(items),
        pos: tokenPos(open, this.source),
        raw: this.text.slice(open.startOffset + 1, close.startOffset),
      }),
    );
  });
}

/** The one grammar instance (chevrotain parsers are built once and reused). */
export const grammar = new TmshGrammar();
