/**
 * The syntax layer: statements are runs of items (words, quoted strings, `{ }` blocks) ended by
 * a line break or `;`; line breaks inside braces do not end a statement. No meaning is given to
 * any word here: the shaper does that from the schema. Built with embedded actions (no CST) for
 * speed; newlines are not tokens, a gate on token lines ends statements (see statement-bounds.ts).
 */
import { EmbeddedActionsParser, type IToken } from 'chevrotain';
import type { BlockNode, SyntaxNode } from './ast';
import { allTokens, LCurly, QuotedString, RCurly, Semicolon, TclBody, Word } from './tokens';
import { tokenPos } from './lexer';
import { lineBreakBetween } from './statement-bounds';

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
  /** The full text being parsed (for `raw` block bodies and line-break checks) and its source name. */
  text = '';
  source: string | undefined = undefined;
  /** Receives each statement as soon as it is complete (so it can be shaped while its nodes are young). */
  sink: (statement: SyntaxStatement) => void = () => undefined;
  /** First token of the statement being parsed (to resynchronise after an error). */
  statementStart: IToken | undefined = undefined;

  constructor() {
    super(allTokens, { recoveryEnabled: false, maxLookahead: 1 });
    this.performSelfAnalysis();
  }

  /** The statement goes on: the next token is not `;` and no line break comes before it. */
  private continues = (): boolean => {
    const next = this.LA(1);
    return next.tokenType !== Semicolon && !lineBreakBetween(this.text, this.LA(0), next);
  };

  public script = this.RULE('script', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => { this.CONSUME(Semicolon); } },
        { ALT: () => { this.SUBRULE(this.statement); } },
      ]);
    });
  });

  private statement = this.RULE('statement', () => {
    const items: SyntaxNode[] = [];
    this.ACTION(() => { this.statementStart = this.LA(1); });
    items.push(this.SUBRULE(this.item));
    this.MANY({ GATE: this.continues, DEF: () => { items.push(this.SUBRULE2(this.item)); } });
    this.ACTION(() => {
      this.sink({ items, first: this.statementStart as IToken, last: this.LA(0) });
    });
  });

  private readonly wordAlt = { ALT: (): SyntaxNode => {
    const t = this.CONSUME(Word);
    return { kind: 'word', text: t.image, pos: tokenPos(t, this.source) };
  } };

  private readonly stringAlt = { ALT: (): SyntaxNode => {
    const t = this.CONSUME(QuotedString);
    return { kind: 'string', text: t.image.slice(1, -1), pos: tokenPos(t, this.source) };
  } };

  private readonly tclAlt = { ALT: (): SyntaxNode => {
    const t = this.CONSUME(TclBody);
    return { kind: 'block', items: [], lines: [], pos: tokenPos(t, this.source), raw: t.image.slice(1, -1) };
  } };

  private readonly blockAlt = { ALT: (): SyntaxNode => this.SUBRULE(this.block) };

  /** Inside braces `;` is only a separator. */
  private readonly semicolonAlt = { ALT: (): undefined => {
    this.CONSUME(Semicolon);
    return undefined;
  } };

  /** The alternatives, built once (they only close over `this`): no allocation per item. */
  private readonly itemAlts = [this.wordAlt, this.stringAlt, this.tclAlt, this.blockAlt];
  private readonly blockItemAlts = [this.wordAlt, this.stringAlt, this.tclAlt, this.blockAlt, this.semicolonAlt];

  /** A word, a quoted string, a Tcl body or a block. */
  private item = this.RULE('item', (): SyntaxNode => this.OR(this.itemAlts));

  /** An item inside braces, where `;` is skipped (undefined). */
  private blockItem = this.RULE('blockItem', (): SyntaxNode | undefined => this.OR(this.blockItemAlts));

  private block = this.RULE('block', (): BlockNode => {
    const open = this.CONSUME(LCurly);
    const items: SyntaxNode[] = [];
    this.MANY(() => {
      const it = this.SUBRULE(this.blockItem);
      if (it !== undefined) items.push(it);
    });
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
