/**
 * What the API forgets, on a controlled clock: open transactions after 120 s, tokens after their
 * timeout, a lockout after its minute.
 */
import pino from 'pino';
import { hashPassword, type Store } from '@openltm/store';
import { Authenticator } from '../src/api/auth';
import { TransactionTable } from '../src/api/transactions';

let now = 1_000_000;
const clock = () => now;

test('a transaction left open past 120 s is gone; a younger one is still there', () => {
  const table = new TransactionTable(clock);
  const old = table.create('admin');
  now += 100_000;
  const young = table.create('admin');
  now += 30_000;
  expect(() => table.get(old.transId, 'admin')).toThrow(/was not found/);
  expect(table.get(young.transId, 'admin')).toBe(young);
  expect(() => table.get(young.transId, 'someone-else')).toThrow(/was not found/);
});

test('a token stops working after its timeout; the lockout ends after its window', async () => {
  // A store with one user and a precomputed hash of "pw" is all the authenticator reads.
  const users: Record<string, string> = { admin: hashPassword('pw') };
  const store = { getEffective: (_t: string, name: string) => (users[name] ? { properties: { 'encrypted-password': users[name], role: 'admin' } } : undefined) } as unknown as Store;
  const auth = new Authenticator(store, pino({ level: 'silent' }), { now: clock, maxFailures: 2, lockoutMs: 60_000 });
  const t = auth.issueToken(await auth.login('admin', 'pw', '127.0.0.1'), 10);
  expect(auth.token(t.token)).toBeDefined();
  now += 11_000;
  expect(auth.token(t.token)).toBeUndefined();

  await expect(auth.login('admin', 'x', '127.0.0.2')).rejects.toMatchObject({ status: 401 });
  await expect(auth.login('admin', 'y', '127.0.0.2')).rejects.toMatchObject({ status: 401 });
  await expect(auth.login('admin', 'pw', '127.0.0.2')).rejects.toMatchObject({ status: 429 });
  // Another address is not affected.
  await expect(auth.login('admin', 'pw', '127.0.0.3')).resolves.toMatchObject({ user: 'admin' });
  now += 61_000;
  await expect(auth.login('admin', 'pw', '127.0.0.2')).resolves.toMatchObject({ user: 'admin' });
});
