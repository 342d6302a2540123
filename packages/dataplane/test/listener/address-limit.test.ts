/**
 * A virtual address's connection-limit is one count across every virtual on the address: the
 * virtuals' admissions share a table, a refusal takes no slot, and a release frees one for any of
 * them. (The daemon's enforcement over real sockets: test/e2e-virtual-address.test.ts.)
 */
import { Admission, type AdmissionPolicy, type Ticket } from '../../src/listener/admission';
import { RateWindows } from '../../src/listener/rate-windows';

const policy = (virtual: string, over: Partial<AdmissionPolicy> = {}): AdmissionPolicy => ({
  virtual,
  connectionLimit: 0,
  sourceLimit: 0,
  addressLimit: { name: '/Common/192.0.2.1', limit: 2 },
  ...over,
});
const peer = { remoteAddress: '198.51.100.7', localAddress: '192.0.2.1' };

test('two virtuals on one address share its limit; a release lets either admit again', () => {
  const counts = new Map<string, number>();
  const rates = new RateWindows();
  const a = new Admission(policy('/Common/vs25'), rates, Date.now, counts);
  const b = new Admission(policy('/Common/vs587'), rates, Date.now, counts);
  const first = a.admit(peer) as Ticket;
  const second = b.admit(peer) as Ticket;
  expect(typeof first).toBe('object');
  expect(typeof second).toBe('object');
  expect(a.admit(peer)).toBe('connection-limit');
  expect(b.admit(peer)).toBe('connection-limit');
  expect(counts.get('/Common/192.0.2.1')).toBe(2);
  first.release();
  first.release(); // a second release frees nothing more
  expect(counts.get('/Common/192.0.2.1')).toBe(1);
  const third = b.admit(peer) as Ticket;
  expect(typeof third).toBe('object');
  expect(a.admit(peer)).toBe('connection-limit');
  second.release();
  third.release();
  expect(counts.has('/Common/192.0.2.1')).toBe(false);
});

test('the virtual\'s own limit still applies below the address\'s, and a limit of 0 counts nothing', () => {
  const counts = new Map<string, number>();
  const a = new Admission(policy('/Common/vs', { connectionLimit: 1 }), new RateWindows(), Date.now, counts);
  expect(typeof a.admit(peer)).toBe('object');
  expect(a.admit(peer)).toBe('connection-limit');
  expect(counts.get('/Common/192.0.2.1')).toBe(1);
  const free = new Admission(policy('/Common/vs2', { addressLimit: { name: '/Common/192.0.2.1', limit: 0 } }), new RateWindows(), Date.now, counts);
  for (let i = 0; i < 5; i++) expect(typeof free.admit(peer)).toBe('object');
  expect(counts.get('/Common/192.0.2.1')).toBe(1);
});

test('a worker\'s empty share of the address limit (-1) admits nothing', () => {
  const a = new Admission(policy('/Common/vs', { addressLimit: { name: '/Common/192.0.2.1', limit: -1 } }), new RateWindows());
  expect(a.admit(peer)).toBe('connection-limit');
});
