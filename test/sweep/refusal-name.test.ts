/**
 * How a systemic refusal is named in the report (lib/sweep/restart-one.ts): the code an
 * operator quotes to Huawei support, with the HTTP status and request id when known.
 */
import { AuthorizationError, GatewayRefusedError } from '../../lib/errors';
import { refusalName } from '../../lib/sweep/restart-one';

const request = { method: 'POST', path: '/v1/p/jobs/j/instances/1/restart' };

describe('refusalName', () => {
  it.each([
    {
      name: 'code, status and request id',
      error: new GatewayRefusedError({
        message: 'no route',
        code: 'GATEWAY_REFUSED',
        request,
        status: 404,
        dlfCode: 'APIGW.0101',
        requestId: 'abc123',
      }),
      expected: 'APIGW.0101 (HTTP 404, request id abc123)',
    },
    {
      name: 'no request id',
      error: new AuthorizationError({
        message: 'no',
        code: 'NOT_AUTHORIZED',
        request,
        status: 403,
        dlfCode: 'DLF.6888',
      }),
      expected: 'DLF.6888 (HTTP 403)',
    },
    {
      name: 'no status (no answer): the request id alone',
      error: new AuthorizationError({ message: 'no', code: 'NOT_AUTHORIZED', request, requestId: 'r1' }),
      expected: 'NOT_AUTHORIZED (request id r1)',
    },
    {
      name: 'neither: the code alone, no empty brackets',
      error: new AuthorizationError({ message: 'no', code: 'NOT_AUTHORIZED', request, requestId: '' }),
      expected: 'NOT_AUTHORIZED',
    },
  ])('$name', ({ error, expected }) => {
    expect(refusalName(error)).toBe(expected);
  });
});
