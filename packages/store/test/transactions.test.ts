import { ConfigError, ErrorCodes } from '@openltm/model';
import { Session } from '@openltm/store';
import { openTestStore, type TestStore } from './helpers';

let t: TestStore;
beforeEach(() => (t = openTestStore()));
afterEach(() => t.cleanup());

describe('cli transactions', () => {
  it('queue commands, list them, and apply them atomically on submit', () => {
    t.run('create cli transaction');
    const r = t.store.execute('create ltm pool p1 members add { 10.0.0.1:25 }', t.session);
    expect(r.queued).toBe(true);
    t.run('create ltm virtual v destination 10.1.1.1:25 pool p1');
    expect(t.store.names('ltm pool')).toEqual([]);
    expect(t.run('list cli transaction')).toBe('1: create ltm pool p1 members add { 10.0.0.1:25 }\n2: create ltm virtual v destination 10.1.1.1:25 pool p1\n');
    const g = t.store.generation();
    t.run('submit cli transaction');
    expect(t.store.generation()).toBe(g + 1);
    expect(t.store.names('ltm virtual')).toEqual(['v']);
    expect(t.fail('list cli transaction').code).toBe(ErrorCodes.CONFIG_ERROR);
  });

  it('a failing command in submit applies nothing and reports where', () => {
    t.run('create cli transaction');
    t.run('create ltm pool p1');
    t.run('create ltm virtual v destination 10.1.1.1:25 pool missing');
    const err = t.fail('submit cli transaction');
    expect(err.code).toBe(ErrorCodes.NOT_FOUND);
    expect(err.message).toContain('transaction failed');
    expect(t.store.names('ltm pool')).toEqual([]);
    expect(t.session.transaction).toBeUndefined();
  });

  it('delete discards the queue; one open transaction at a time', () => {
    t.run('create cli transaction');
    expect(t.fail('create cli transaction').code).toBe(ErrorCodes.CONFIG_ERROR);
    t.run('create ltm pool p1');
    t.run('delete cli transaction');
    expect(t.fail('submit cli transaction').code).toBe(ErrorCodes.CONFIG_ERROR);
    expect(t.store.names('ltm pool')).toEqual([]);
  });

  it('each session has its own transaction', () => {
    const other = new Session();
    t.run('create cli transaction');
    t.store.execute('create ltm pool direct', other);
    expect(t.store.names('ltm pool')).toEqual(['direct']);
  });
});

describe('executeScript', () => {
  it('applies a whole script in one transaction and returns what it printed', () => {
    const g = t.store.generation();
    const r = t.store.executeScript('# a comment\ncreate ltm pool p1\ncreate ltm pool p2 {\n    description "two"\n}\nlist ltm pool p2\n');
    expect(r.output).toBe('ltm pool p2 {\n    description two\n}\n');
    expect(r.statements).toBe(3);
    expect(t.store.generation()).toBe(g + 1);
  });

  it('a failing statement rolls back everything and reports line:column', () => {
    const script = 'create ltm pool p1\n\n  create ltm pool p1\ncreate ltm pool p3\n';
    let err: ConfigError | undefined;
    try {
      t.store.executeScript(script, new Session(), { source: 'batch.tmsh' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.code).toBe(ErrorCodes.ALREADY_EXISTS);
    expect(err?.position).toMatchObject({ line: 3, column: 3 });
    expect(t.store.names('ltm pool')).toEqual([]);
  });

  it('a syntax error anywhere applies nothing, and every syntax error is reported', () => {
    let err: ConfigError | undefined;
    try {
      t.store.executeScript('create ltm pool p1\ncreate ltm pool p2 colour blue\ncreate ltm pool p3 {\n');
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err?.code).toBe(ErrorCodes.SYNTAX);
    expect(err?.position?.line).toBe(2);
    expect(err?.related.length).toBeGreaterThanOrEqual(1);
    expect(t.store.names('ltm pool')).toEqual([]);
  });

  it('cli transactions inside a script queue and submit as in the shell', () => {
    const r = t.store.executeScript('create cli transaction\ncreate ltm pool p1\nlist cli transaction\nsubmit cli transaction\ncreate cli transaction\ncreate ltm pool dropped\ndelete cli transaction\n');
    expect(r.output).toBe('1: create ltm pool p1\n');
    expect(t.store.names('ltm pool')).toEqual(['p1']);
  });

  it('dry-run checks everything and changes nothing', () => {
    const r = t.store.executeScript('create ltm pool p1\nlist ltm pool p1\n', new Session(), { dryRun: true });
    expect(r.output).toBe('ltm pool p1 { }\n');
    expect(r.changed).toBe(false);
    expect(t.store.names('ltm pool')).toEqual([]);
    expect(() => t.store.executeScript('create ltm pool p1 monitor nope\n', new Session(), { dryRun: true })).toThrow(/Monitor/);
  });

  it('statements later in a script see earlier ones; cd applies to the rest of the script', () => {
    const s = new Session();
    t.store.executeScript('create ltm pool p1\ncreate ltm virtual v destination 10.0.0.1:25 pool p1\ncd /\n', s);
    expect(s.folder).toBe('/');
    expect(t.store.execute('list ltm pool recursive', s).output).toBe('ltm pool Common/p1 { }\n');
  });
});
