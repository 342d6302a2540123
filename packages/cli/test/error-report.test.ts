import { errors } from '@openltm/model';
import { describeError, exitCodeFor } from '../src/error-report';

describe('describeError', () => {
  it('prints a single-line command error exactly as BIG-IP does', () => {
    expect(describeError(errors.notFound('Pool', '/Common/p9'), 'modify ltm pool p9 description x')).toBe(
      '01020036:3: The requested Pool (/Common/p9) was not found.\n',
    );
  });

  it('points at the line and column in a file, with the line and a caret', () => {
    const text = 'create ltm pool p1\ncreate ltm pool p2 bogus 1\n';
    const err = errors.syntax('"bogus" unknown property', { line: 2, column: 20, offset: 38 });
    expect(describeError(err, text, 'pools.tmsh')).toBe(
      'Syntax Error: "bogus" unknown property (pools.tmsh, line 2, column 20)\ncreate ltm pool p2 bogus 1\n                   ^\n',
    );
  });

  it('separates bad input (1) from bugs (70)', () => {
    expect(exitCodeFor(errors.notFound('Pool', '/Common/p'))).toBe(1);
    expect(exitCodeFor(new TypeError('x'))).toBe(70);
    expect(describeError(new TypeError('x'))).toBe('openltm: internal error: x\n');
  });
});
