/** The REST API's statuses for the etcd store's errors: a conflict is 409 (retry), an unreachable cluster 503. */
import { ConfigError, ErrorCodes } from '@openltm/model';
import { errorResponse } from '../src/api/rest-error';

test('etcd conflict -> 409, etcd unreachable -> 503, with the BIG-IP line as the message', () => {
  const conflict = errorResponse(new ConfigError(ErrorCodes.CONFLICT, 'The configuration changed while this command ran: another administrator committed first, 8 times in a row. Nothing was changed; try again.'));
  expect(conflict.status).toBe(409);
  expect(conflict.body.message).toMatch(/^01070995:3: The configuration changed while this command ran/);
  const down = errorResponse(new ConfigError(ErrorCodes.STORE_UNREACHABLE, 'The configuration store etcd://h:2379/openltm cannot be reached (timeout). Nothing was changed; try again.'));
  expect(down.status).toBe(503);
  expect(down.body.message).toMatch(/^01070994:3: The configuration store etcd:\/\/h:2379\/openltm cannot be reached/);
});
