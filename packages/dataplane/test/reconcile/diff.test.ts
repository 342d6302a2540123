import { diff, retryDelay, isRetryable } from '@openltm/dataplane';
import type { ActualVirtual, ReconcileAction, VirtualSpec, VirtualFailure } from '@openltm/dataplane';

const vs = (name: string, over: Partial<VirtualSpec> = {}): VirtualSpec => ({
  name: `/Common/${name}`,
  enabled: true,
  address: '127.0.0.1',
  port: 2525,
  smtps: { name: '/Common/smtps', activationMode: 'allow' },
  idleTimeout: 300,
  pool: '/Common/p',
  connectionLimit: 0,
  ...over,
});
const running = (spec: VirtualSpec, failure?: VirtualFailure): ActualVirtual => ({ name: spec.name, running: spec, ...(failure ? { failure } : {}) });
const failed = (spec: VirtualSpec, over: Partial<VirtualFailure> = {}): VirtualFailure => ({
  spec, reason: 'address 127.0.0.1:2525 in use (EADDRINUSE)', retryable: true, attempts: 1, retryAt: 2000, ...over,
});

const NOW = 1000;
const a = vs('a');
const b = vs('b', { port: 2526 });

type Row = [title: string, desired: VirtualSpec[], actual: ActualVirtual[], expected: ReconcileAction[], now?: number];

const rows: Row[] = [
  ['nothing wanted, nothing runs: no action', [], [], []],
  ['unchanged: no action', [a, b], [running(a), running(b)], []],
  ['a new enabled virtual is created', [a], [], [{ kind: 'create', spec: a }]],
  ['a new disabled virtual gets no listener', [vs('a', { enabled: false })], [], []],
  ['enabling a virtual creates its listener', [a], [{ name: a.name }], [{ kind: 'create', spec: a }]],
  ['disabling a running virtual drains it', [vs('a', { enabled: false })], [running(a)], [{ kind: 'drain', name: a.name, why: 'disabled' }]],
  ['deleting a running virtual drains it', [], [running(a)], [{ kind: 'drain', name: a.name, why: 'deleted' }]],
  ['a profile change updates in place', [vs('a', { smtps: { name: '/Common/smtps', activationMode: 'require' } })], [running(a)],
    [{ kind: 'update', spec: vs('a', { smtps: { name: '/Common/smtps', activationMode: 'require' } }) }]],
  ['a pool change updates in place', [vs('a', { pool: '/Common/p2' })], [running(a)], [{ kind: 'update', spec: vs('a', { pool: '/Common/p2' }) }]],
  ['a port change opens the new listener then drains the old (replace)', [vs('a', { port: 2600 })], [running(a)], [{ kind: 'replace', spec: vs('a', { port: 2600 }) }]],
  ['an address change is a replace too', [vs('a', { address: '::1' })], [running(a)], [{ kind: 'replace', spec: vs('a', { address: '::1' }) }]],
  ['a mask change (host to network) is a replace: other sockets, another matcher entry', [vs('a', { address: '127.0.0.0', prefix: 8 })], [running(vs('a', { address: '127.0.0.0' }))],
    [{ kind: 'replace', spec: vs('a', { address: '127.0.0.0', prefix: 8 }) }]],
  ['a source change is a replace', [vs('a', { source: { address: '127.0.0.2', prefix: 32 } })], [running(a)], [{ kind: 'replace', spec: vs('a', { source: { address: '127.0.0.2', prefix: 32 } }) }]],
  ['new network and wildcard virtuals start before host virtuals (the port binds its wildcard once)',
    [vs('a'), vs('b', { address: '127.0.0.0', prefix: 8 }), vs('c', { address: '0.0.0.0', prefix: 0 })], [],
    [{ kind: 'create', spec: vs('c', { address: '0.0.0.0', prefix: 0 }) }, { kind: 'create', spec: vs('b', { address: '127.0.0.0', prefix: 8 }) }, { kind: 'create', spec: vs('a') }]],
  ['a host prefix written out (32) is the same as none', [vs('a', { prefix: 32 })], [running(a)], [{ kind: 'update', spec: vs('a', { prefix: 32 }) }]],
  ['a port-in-use failure waits for its backoff', [a], [{ name: a.name, failure: failed(a) }], [], 1999],
  ['a port-in-use failure is retried once its backoff has passed', [a], [{ name: a.name, failure: failed(a) }], [{ kind: 'create', spec: a }], 2000],
  ['a bad key is not retried while the configuration stays the same', [a], [{ name: a.name, failure: failed(a, { retryable: false, reason: 'bad key' }) }], [], 1e12],
  ['a bad key is retried at once when the configuration changes', [vs('a', { idleTimeout: 60 })], [{ name: a.name, failure: failed(a, { retryable: false }) }],
    [{ kind: 'create', spec: vs('a', { idleTimeout: 60 }) }]],
  ['a failed bad edit leaves the old listener serving: no action', [vs('a', { pool: '/Common/x' })],
    [running(a, failed(vs('a', { pool: '/Common/x' }), { retryable: false }))], []],
  ['a failed bad edit that is undone: the failure is forgotten', [a], [running(a, failed(vs('a', { pool: '/Common/x' }), { retryable: false }))],
    [{ kind: 'forget', name: a.name }]],
  ['a failed move whose port is still in use is retried after backoff, as a replace', [vs('a', { port: 2600 })],
    [running(a, failed(vs('a', { port: 2600 })))], [{ kind: 'replace', spec: vs('a', { port: 2600 }) }], 5000],
  ['a failed virtual that is disabled: the failure is forgotten', [vs('a', { enabled: false })], [{ name: a.name, failure: failed(a) }],
    [{ kind: 'forget', name: a.name }]],
  ['a failed virtual that is deleted: the failure is forgotten', [], [{ name: a.name, failure: failed(a) }], [{ kind: 'forget', name: a.name }]],
  ['drains come before moves, moves before new listeners, updates last', [vs('c', { port: 2525 }), vs('b', { port: 2700 }), vs('d', { pool: '/Common/q' })],
    [running(a), running(b), running(vs('d'))],
    [{ kind: 'drain', name: a.name, why: 'deleted' }, { kind: 'replace', spec: vs('b', { port: 2700 }) }, { kind: 'create', spec: vs('c', { port: 2525 }) },
      { kind: 'update', spec: vs('d', { pool: '/Common/q' }) }]],
];

describe('diff', () => {
  test.each(rows)('%s', (_title, desired, actual, expected, now = NOW) => {
    expect(diff({ virtuals: desired }, actual, now)).toEqual(expected);
  });

  test('specs compare by value, not by identity or key order', () => {
    const copy = JSON.parse(JSON.stringify(a)) as VirtualSpec;
    const reordered = Object.fromEntries(Object.entries(copy).reverse()) as unknown as VirtualSpec;
    expect(diff({ virtuals: [reordered] }, [running(a)], NOW)).toEqual([]);
  });
});

describe('retry decisions', () => {
  test('backoff doubles from 1 s and is capped at 60 s', () => {
    expect([1, 2, 3, 4, 6, 7, 100].map((n) => retryDelay(n))).toEqual([1000, 2000, 4000, 8000, 32000, 60000, 60000]);
  });
  test.each([
    ['EADDRINUSE', true],
    ['EADDRNOTAVAIL', true],
    ['EACCES', false],
    ['ERR_OSSL_PEM_BAD_BASE64_DECODE', false],
    [undefined, false],
  ])('%s retryable: %s', (code, expected) => {
    expect(isRetryable(Object.assign(new Error('x'), { code }))).toBe(expected);
  });
});
