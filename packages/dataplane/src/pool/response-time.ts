/**
 * A member's application response time for fastest-app-response: how long it takes to greet a
 * new session (connect to the 220), smoothed so one slow greeting does not exile a member.
 */
export interface ResponseTime {
  ms: number;
  at: number;
}

/** Weight of a new sample in the moving average. */
const ALPHA = 0.3;

/**
 * A sample older than this no longer counts: the member is tried again and re-measured, so a
 * member that was slow once is not starved of sessions (and of new samples) for ever.
 */
export const RESPONSE_SAMPLE_TTL_MS = 10_000;

export function sampleResponse(prev: ResponseTime | undefined, ms: number, now: number): ResponseTime {
  const fresh = prev && now - prev.at <= RESPONSE_SAMPLE_TTL_MS;
  return { ms: fresh ? prev.ms + ALPHA * (ms - prev.ms) : ms, at: now };
}

export function recentResponse(r: ResponseTime | undefined, now: number): number | undefined {
  return r && now - r.at <= RESPONSE_SAMPLE_TTL_MS ? r.ms : undefined;
}
