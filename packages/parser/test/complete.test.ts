import { complete, helpFor, type CompletionContext } from '@openltm/parser';

const NAMES: Record<string, string[]> = {
  'ltm pool': ['smtp_pool', 'web_pool'],
  'ltm monitor smtp': ['smtp_mon'],
  'ltm profile smtps': ['my_smtps'],
  'ltm profile client-ssl': ['my_cssl'],
  'ltm profile tcp': ['tcp'],
};
const ctx: CompletionContext = { names: (k) => NAMES[k] ?? [] };

/** Completion at the `<|>` marker: the candidate texts. */
function at(marked: string, context: CompletionContext = ctx): string[] {
  const cursor = marked.indexOf('<|>');
  const text = marked.replace('<|>', '');
  return complete(text, cursor, context).candidates.map((c) => c.text);
}

describe('complete', () => {
  it('completes verbs, with their help', () => {
    const r = complete('cr', 2);
    expect(r).toMatchObject({ replaceFrom: 0, candidates: [{ text: 'create', help: 'Create an object' }] });
    expect(at('<|>')).toEqual(expect.arrayContaining(['create', 'modify', 'delete', 'list', 'show', 'save', 'load', 'cd', 'help']));
  });

  it('completes modules and components of the type path', () => {
    expect(at('create ltm po<|>')).toEqual(['pool']);
    expect(at('create ltm profile sm<|>')).toEqual(['smtps']);
    expect(at('create ltm <|>')).toEqual(expect.arrayContaining(['data-group', 'monitor', 'node', 'persistence', 'pool', 'profile', 'rule', 'snatpool', 'virtual', 'virtual-address']));
    expect(at('save <|>')).toEqual(['sys']);
    expect(at('save sys <|>')).toEqual(['config']);
    expect(at('submit <|>')).toEqual(['cli']);
    expect(complete('create ltm pool', 13).replaceFrom).toBe(11);
  });

  it('lists property names of the type with their help, skipping read-only ones', () => {
    const r = complete('create ltm pool p1 ', 19, ctx);
    const names = r.candidates.map((c) => c.text);
    expect(names).toEqual(expect.arrayContaining(['members', 'monitor', 'load-balancing-mode', 'description']));
    expect(r.candidates.find((c) => c.text === 'members')?.help).toBe('Pool members, named address:port');
    expect(at('create ltm virtual v <|>')).not.toContain('creation-time');
    expect(at('create ltm virtual v <|>')).toEqual(expect.arrayContaining(['enabled', 'disabled', 'vlans-enabled', 'vlans-disabled', 'destination']));
  });

  it('offers enum values after a property name', () => {
    expect(at('create ltm profile smtps s1 activation-mode <|>')).toEqual(['none', 'allow', 'require']);
    expect(at('create ltm profile smtps s1 activation-mode re<|>')).toEqual(['require']);
    expect(at('create ltm pool p1 load-balancing-mode round<|>')).toEqual(['round-robin']);
  });

  it('offers existing names from the callback', () => {
    expect(at('modify ltm pool <|>')).toEqual(['smtp_pool', 'web_pool', 'all']);
    expect(at('delete ltm pool sm<|>')).toEqual(['smtp_pool']);
    expect(at('create ltm virtual v pool <|>')).toEqual(['smtp_pool', 'web_pool', 'none']);
    expect(at('modify ltm pool p monitor <|>')).toEqual(['smtp_mon', 'none', 'min']);
  });

  it('offers list operators after collections and lists, and names inside collections', () => {
    expect(at('modify ltm pool p members <|>')).toEqual(['add', 'delete', 'modify', 'replace-all-with', 'none']);
    expect(at('create ltm virtual v profiles add { <|>')).toEqual(['tcp', 'my_smtps', 'my_cssl']);
    expect(at('create ltm virtual v profiles add { my_cssl { <|>')).toEqual(['context']);
    expect(at('create ltm virtual v profiles add { my_cssl { context <|>')).toEqual(['all', 'clientside', 'serverside']);
    expect(at('create ltm virtual v profiles add { tcp { } } <|>')).toContain('destination');
    expect(at('create ltm virtual v source-address-translation { type <|>')).toEqual(['automap', 'snat', 'lsn', 'none']);
    expect(at('modify ltm profile client-ssl c options { no-tls<|>')).toEqual(['no-tlsv1', 'no-tlsv1.1', 'no-tlsv1.2', 'no-tlsv1.3']);
    expect(at('modify ltm pool p members add { 10.0.0.1:25 { ses<|>')).toEqual(['session']);
  });

  it('offers `and` and the next properties after a monitor name', () => {
    const c = at('create ltm pool p monitor smtp_mon <|>');
    expect(c[0]).toBe('and');
    expect(c).toContain('members');
  });

  it('offers list / show options, projections and sys config options', () => {
    expect(at('list ltm pool <|>')).toEqual(expect.arrayContaining(['smtp_pool', 'all', 'all-properties', 'one-line', 'recursive']));
    expect(at('list ltm pool smtp_pool <|>')).toContain('members');
    expect(at('show ltm pool smtp_pool <|>')).toEqual(expect.arrayContaining(['detail', 'members', 'field-fmt']));
    expect(at('load sys config <|>')).toEqual(['file', 'merge', 'verify', 'skip-unknown', 'default']);
    expect(at('load sys config merge <|>')).not.toContain('merge');
    expect(at('save sys config file <|>')).toEqual([]);
  });

  it('offers show and reset-stats only the types that have them', () => {
    const show = at('show ltm <|>');
    expect(show).toEqual(expect.arrayContaining(['data-group', 'node', 'persistence', 'pool', 'rule', 'snat', 'snat-translation', 'snatpool', 'virtual', 'virtual-address']));
    // Monitors and profiles have no show: offering them would lead to a Syntax Error.
    expect(show).not.toContain('monitor');
    expect(show).not.toContain('profile');
    expect(at('show ltm persistence <|>')).toEqual(['persist-records']);
    expect(at('delete ltm persistence <|>')).toEqual(expect.arrayContaining(['persist-records', 'source-addr']));
    expect(at('delete ltm persistence persist-records <|>')).toEqual(['client-addr', 'node-addr', 'node-port', 'pool', 'virtual', 'mode']);
    expect(at('show ltm persistence persist-records <|>')).toContain('all-properties');
    expect(at('reset-stats ltm <|>')).toEqual(['pool', 'virtual', 'virtual-address']);
    expect(at('list ltm <|>')).toEqual(expect.arrayContaining(['monitor', 'profile']));
  });

  it('completes inside the shell module and the last statement of a line', () => {
    expect(at('create po<|>', { ...ctx, module: 'ltm' })).toEqual(['pool']);
    expect(at('create ltm pool a; modify ltm pool <|>')).toEqual(['smtp_pool', 'web_pool', 'all']);
    expect(at('tmsh list ltm vir<|>')).toEqual(['virtual', 'virtual-address']);
  });

  it('completes type paths after help', () => {
    expect(at('help ltm po<|>')).toEqual(['pool']);
    expect(at('help ltm profile <|>')).toEqual(['client-ssl', 'server-ssl', 'smtps', 'tcp']);
  });

  it('completes a statement spread over lines inside braces', () => {
    expect(at('create ltm pool p members add {\n  10.0.0.1:25 {\n    ses<|>')).toEqual(['session']);
    expect(at('create ltm pool p\nmod<|>')).toEqual(['modify']);
  });

  it('completes with the cursor in the middle of a line', () => {
    const text = 'create ltm po p1 monitor tcp';
    expect(complete(text, 13, ctx)).toMatchObject({ replaceFrom: 11, candidates: [{ text: 'pool' }] });
  });

  it('offers nothing inside quotes, comments or for unknown input', () => {
    expect(at('modify ltm pool p description "two <|>')).toEqual([]);
    expect(at('bogus <|>')).toEqual([]);
    expect(at('create ltm pool p1 bogus <|>')).toEqual([]);
  });
});

describe('helpFor', () => {
  it('says what free-form value comes next', () => {
    expect(helpFor('create ltm pool p1 description ').expecting).toBe('description: string - User-defined description');
    expect(helpFor('create ltm pool p1 slow-ramp-time ').expecting).toMatch(/^slow-ramp-time: integer 0..65535/);
    expect(helpFor('create ltm pool ').expecting).toBe('name of the new pool');
  });

  it('lists what may come next with help', () => {
    const h = helpFor('create ltm profile smtps s1 ');
    expect(h.candidates).toContainEqual({ text: 'activation-mode', help: expect.stringContaining('STARTTLS activation') });
  });
});
