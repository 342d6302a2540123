import { renderHelp } from '../src/help';

describe('help from the schema', () => {
  it('lists the verbs and modules', () => {
    const text = renderHelp([]);
    expect(text).toMatch(/^ {4}create +Create an object$/m);
    const ltm = /^ {4}ltm +(.*)$/m.exec(text)?.[1].split(', ');
    expect(ltm).toEqual(expect.arrayContaining(['monitor', 'node', 'pool', 'persistence', 'profile', 'rule', 'snatpool', 'virtual']));
    expect(ltm).toEqual([...ltm!].sort());
  });

  it('describes an object type with every property, its values and default', () => {
    const text = renderHelp(['ltm', 'pool']);
    expect(text).toContain('ltm pool - A load-balanced set of SMTP servers');
    expect(text).toMatch(/^ {4}create ltm pool \[name\]/m);
    expect(text).toMatch(/^ {4}load-balancing-mode \[dynamic-ratio-member \| .*round-robin.*\]\n {8}How a member is chosen for each new session; modes openltm does not implement are refused \(default round-robin\)$/m);
    expect(text).toMatch(/^ {4}members \[add \| delete \| modify \| replace-all-with\]/m);
  });

  it('offers show only for the types show prints', () => {
    expect(renderHelp(['ltm', 'snatpool'])).toMatch(/^ {4}show ltm snatpool \[ \[name\] \| \[glob\] \| all \] \[ .*field-fmt/m);
    expect(renderHelp(['ltm', 'rule'])).toMatch(/^ {4}show ltm rule /m);
    expect(renderHelp(['ltm', 'monitor', 'smtp'])).not.toMatch(/^ {4}show /m);
    expect(renderHelp(['ltm', 'monitor', 'smtp'])).toMatch(/^ {4}list ltm monitor smtp /m);
  });

  it('lists the components of a module and the types under a component', () => {
    expect(renderHelp(['ltm', 'profile'])).toMatch(/^ {4}smtps +STARTTLS on the client side/m);
    expect(renderHelp(['ltm', 'profile', 'smtps'])).toMatch(/activation-mode \[none \| allow \| require\]/);
  });

  it('says so when nothing matches', () => {
    expect(renderHelp(['ltm', 'bogus'])).toBe('No help found for "ltm bogus". Type "help" for the list of commands.\n');
  });
});
