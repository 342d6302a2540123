import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError } from '@openltm/model';
import { complete, parseCommand, parseScript } from '@openltm/parser';

const dir = join(__dirname, 'fixtures', 'corpus');
const corpus = readdirSync(dir)
  .filter((f) => /\.(conf|txt)$/.test(f))
  .map((f) => readFileSync(join(dir, f), 'utf8'));
/** Pieces of corpus files of at most ~60 lines, so each mutated run stays fast. */
const pieces = corpus.flatMap((text) => {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += 60) out.push(lines.slice(i, i + 60).join('\n'));
  return out;
});
const commands = [
  'create ltm pool p1 members add { 127.0.0.1:2526 { address 127.0.0.1 } } monitor smtp_mon load-balancing-mode ratio-member',
  'create ltm virtual vs destination 192.0.2.10:25 profiles replace-all-with { tcp { } my_cssl { context clientside } } source-address-translation { type automap }',
  'modify ltm pool p monitor min 1 of { smtp tcp }',
  'list ltm virtual vs_* all-properties one-line',
  'load sys config merge file /tmp/x.conf skip-unknown',
  'modify ltm pool p description "two \\"quoted\\" words"',
];

/** Text made of the characters and words that matter to the grammar. */
const tmshish = fc
  .array(fc.constantFrom('{', '}', ' ', '\n', ';', '"', '\\', '#', 'ltm', 'pool', 'rule', 'p1', 'members', 'add', 'none', 'create', 'min', 'of', 'and', 'x', '10.0.0.1:25', '/Common/a', 'monitor', 'tmsh', '*'), { maxLength: 60 })
  .map((parts) => parts.join(''));

type Mutation = { at: number; del: number; insert: string };
const mutation = fc.record({ at: fc.nat(), del: fc.nat({ max: 8 }), insert: fc.oneof(fc.constantFrom('{', '}', '"', '\n', ';', '#', '\\', ' { ', ' } '), fc.string({ maxLength: 6 })) });

function mutate(text: string, muts: Mutation[]): string {
  let t = text;
  for (const m of muts) {
    const at = t.length ? m.at % (t.length + 1) : 0;
    t = t.slice(0, at) + m.insert + t.slice(at + m.del);
  }
  return t;
}

/** parseScript never throws, and reports errors only as positioned SYNTAX ConfigErrors. */
function checkScript(text: string): void {
  const res = parseScript(text, { source: 'fuzz' });
  for (const e of res.errors) {
    expect(ConfigError.is(e)).toBe(true);
    expect(e.code).toBe('SYNTAX');
    expect(e.position?.line).toBeGreaterThanOrEqual(1);
    expect(e.message).not.toContain('internal parser error');
  }
}

/** parseCommand either returns a command or throws a ConfigError. */
function checkCommand(line: string): void {
  try {
    expect(parseCommand(line).kind).toBe('command');
  } catch (e) {
    if (!ConfigError.is(e)) throw e;
    expect(e.message).not.toContain('internal parser error');
  }
}

describe('fuzzing: nothing but ConfigError escapes, nothing hangs', () => {
  it('random tmsh-like text', () => {
    fc.assert(fc.property(tmshish, (text) => { checkScript(text); checkCommand(text); }), { numRuns: 400, seed: 42 });
  });

  it('arbitrary unicode strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => { checkScript(text); checkCommand(text); }), { numRuns: 300, seed: 7 });
  });

  it('mutated corpus files', () => {
    fc.assert(
      fc.property(fc.constantFrom(...pieces), fc.array(mutation, { minLength: 1, maxLength: 4 }), (text, muts) => checkScript(mutate(text, muts))),
      { numRuns: 300, seed: 1 },
    );
  });

  it('mutated commands', () => {
    fc.assert(
      fc.property(fc.constantFrom(...commands), fc.array(mutation, { minLength: 1, maxLength: 3 }), (text, muts) => checkCommand(mutate(text, muts))),
      { numRuns: 500, seed: 3 },
    );
  });

  it('completion never throws, at any cursor, on random and mutated commands', () => {
    const names = (): string[] => ['a', '/Common/b'];
    const text = fc.oneof(tmshish, fc.tuple(fc.constantFrom(...commands), fc.array(mutation, { maxLength: 3 })).map(([c, m]) => mutate(c, m)));
    fc.assert(
      fc.property(text, fc.nat(), fc.constantFrom(undefined, 'ltm'), (t, at, module) => {
        const r = complete(t, at % (t.length + 1), { names, module });
        expect(r.replaceFrom).toBeLessThanOrEqual(t.length);
        for (const c of r.candidates) expect(typeof c.text).toBe('string');
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it('pathological nesting and unclosed input end with errors, not a crash', () => {
    const deep = '{'.repeat(5000) + '}'.repeat(5000);
    expect(parseScript(`ltm pool p ${deep}\nltm pool q { }\n`).errors[0].message).toMatch(/nested deeper/);
    expect(parseScript('ltm pool p { members {\n'.repeat(2000)).errors.length).toBeGreaterThan(0);
    expect(parseScript('"'.repeat(1001)).errors.map((e) => e.message)).toContain('missing closing quote (")');
  });
});
