import { TicketKeyRotation, TICKET_KEY_BYTES } from '../src/daemon/ticket-keys';

describe('TLS ticket key rotation (daemon)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hands the data plane fresh 48-byte keys once per period, and stops when told', () => {
    const rotation = new TicketKeyRotation(60_000);
    const first = rotation.current;
    expect(first).toHaveLength(TICKET_KEY_BYTES);
    const seen: Buffer[] = [];
    rotation.start((k) => seen.push(k));
    jest.advanceTimersByTime(59_999);
    expect(seen).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toHaveLength(TICKET_KEY_BYTES);
    expect(seen[0].equals(first)).toBe(false);
    expect(rotation.current.equals(seen[0])).toBe(true);
    jest.advanceTimersByTime(60_000);
    expect(seen).toHaveLength(2);
    rotation.stop();
    jest.advanceTimersByTime(600_000);
    expect(seen).toHaveLength(2);
  });

  it('refuses a period that is not positive', () => {
    expect(() => new TicketKeyRotation(0)).toThrow(/positive/);
  });
});
