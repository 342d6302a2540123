/**
 * Errors in iControl REST's JSON shape: `{ code, message, errorStack, apiError }`, the message
 * the same BIG-IP text tmsh prints, the HTTP status from the error code.
 */
import { ConfigError, ErrorCodes } from '@openltm/model';

export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface RestErrorBody {
  code: number;
  message: string;
  errorStack: string[];
  apiError: number;
}

// A missing object named in the URL is a 404 (checked before the write); a missing object a
// body refers to is a bad request, as on BIG-IP.
const STATUS: Partial<Record<string, number>> = {
  [ErrorCodes.ALREADY_EXISTS]: 409,
  [ErrorCodes.BUSY]: 503,
  // On etcd: another writer kept committing first (retry), or the cluster cannot be reached.
  [ErrorCodes.CONFLICT]: 409,
  [ErrorCodes.STORE_UNREACHABLE]: 503,
};

/** HTTP status and body for anything a handler threw; `internal` is true for bugs (logged, not shown). */
export function errorResponse(err: unknown): { status: number; body: RestErrorBody; headers: Record<string, string>; internal: boolean } {
  if (err instanceof RestError) {
    return { status: err.status, body: { code: err.status, message: err.message, errorStack: [], apiError: 1 }, headers: err.headers, internal: false };
  }
  if (ConfigError.is(err)) {
    const status = STATUS[err.code] ?? 400;
    const related = err.related.map((r) => r.toString());
    return { status, body: { code: status, message: err.toString(), errorStack: related, apiError: 3 }, headers: {}, internal: false };
  }
  return { status: 500, body: { code: 500, message: 'Internal error: see the openltm log.', errorStack: [], apiError: 1 }, headers: {}, internal: true };
}
