import { fastTmshArgs } from '../src/tmsh-invocation';

describe('tmsh fast path arguments', () => {
  it('takes -c, -q and the store and log flags before the command', () => {
    expect(fastTmshArgs(['-q', '--store', '/tmp/x.db', '-c', 'list ltm pool p1; list ltm virtual'])).toEqual({
      command: 'list ltm pool p1; list ltm virtual',
      words: [],
      quiet: true,
      store: '/tmp/x.db',
    });
    expect(fastTmshArgs(['--log-level=debug', 'create', 'ltm', 'pool', 'p1', 'members', 'add', '{', '127.0.0.1:2526', '}'])).toEqual({
      words: ['create', 'ltm', 'pool', 'p1', 'members', 'add', '{', '127.0.0.1:2526', '}'],
      quiet: false,
      logLevel: 'debug',
    });
  });

  it('leaves words after the command alone, even when they look like flags', () => {
    expect(fastTmshArgs(['modify', 'ltm', 'pool', 'p1', 'description', '-c'])?.words).toEqual(['modify', 'ltm', 'pool', 'p1', 'description', '-c']);
  });

  it('hands everything else to oclif: the shell, help, unknown or incomplete flags, -c with words', () => {
    expect(fastTmshArgs([])).toBeUndefined();
    expect(fastTmshArgs(['-q'])).toBeUndefined();
    expect(fastTmshArgs(['--help'])).toBeUndefined();
    expect(fastTmshArgs(['--bogus', 'list'])).toBeUndefined();
    expect(fastTmshArgs(['-c'])).toBeUndefined();
    expect(fastTmshArgs(['-c', 'list ltm pool', 'extra'])).toBeUndefined();
  });
});
