/**
 * How answers and failures become the project's errors (issue 16, mutation testing):
 * error bodies in every shape, request ids, the refusal classes a caller branches on,
 * the error a failed try ends in, Retry-After, and the values refused before sending.
 */
import { apiPath, segmentProblem } from '../../lib/dataarts/api-path';
import { errorFromResponse, parseErrorBody, requestIdOf } from '../../lib/dataarts/error-body';
import {
  abortedError,
  certainlyNotSent,
  type Failure,
  isSocketError,
  mayHaveBeenProcessed,
  transientError,
} from '../../lib/dataarts/failure';
import { assertHeaderSafe, isHeaderSafe } from '../../lib/dataarts/header-values';
import { interpretRestart, readFailure } from '../../lib/dataarts/refusals';
import { parseRetryAfter } from '../../lib/dataarts/retry-after';
import { canonicalQuery } from '../../lib/dataarts/signer';
import {
  AuthenticationError,
  AuthorizationError,
  ConfigError,
  GatewayRefusedError,
  InstanceNotFoundError,
  MalformedResponseError,
  RequestRejectedError,
  RestartRejectedError,
  TransientError,
} from '../../lib/errors';

const context = { method: 'POST', path: '/v1/p/jobs/j/instances/7/restart' };
const answer = (status: number, body: unknown = '', headers: Record<string, string> = {}) => ({
  status,
  headers: new Headers(headers),
  text: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('parseErrorBody', () => {
  it.each([
    [
      'error_code/error_msg',
      { error_code: 'DLF.0137', error_msg: 'gone' },
      { code: 'DLF.0137', message: 'gone' },
    ],
    ['code/message', { code: 'DLF.0137', message: 'gone' }, { code: 'DLF.0137', message: 'gone' }],
    [
      'nested',
      { error: { code: 'APIGW.0101', message: 'no route' } },
      { code: 'APIGW.0101', message: 'no route' },
    ],
    ['nested error_code', { error: { error_code: 'X.1', error_msg: 'm' } }, { code: 'X.1', message: 'm' }],
    ['a nested message alone', { error: { message: 'only words' } }, { message: 'only words' }],
    ['a nested code alone', { error: { error_code: 'APIGW.0101' } }, { code: 'APIGW.0101' }],
    [
      'error_code first',
      { error_code: 'A.1', code: 'B.2', error_msg: 'a', message: 'b' },
      { code: 'A.1', message: 'a' },
    ],
    ['an empty error_code falls back to code', { error_code: '', code: 'B.2' }, { code: 'B.2' }],
    ['a non-string code is absent', { error_code: 137, error_msg: 'm' }, { message: 'm' }],
    [
      'a top-level code wins over a nested one',
      { error_code: 'T.1', error: { code: 'N.1' } },
      { code: 'T.1' },
    ],
    [
      'a top message is kept when the nested error says nothing',
      { error_msg: 'top', error: {} },
      { message: 'top' },
    ],
    ['a top message when error is not an object', { error_msg: 'top', error: 'x' }, { message: 'top' }],
    ['an array', [{ error_code: 'A.1' }], {}],
    ['null', null, {}],
    ['a string', 'plain', {}],
  ])('reads %s', (_, body, expected) => {
    expect(parseErrorBody(JSON.stringify(body))).toEqual(expected);
  });

  it('is empty for a body that is not JSON', () => {
    expect(parseErrorBody('<html>502 Bad Gateway</html>')).toEqual({});
    expect(parseErrorBody('')).toEqual({});
  });

  it('keeps at most 300 characters of the message', () => {
    const long = `${'x'.repeat(299)}yz`;
    expect(parseErrorBody(JSON.stringify({ error_msg: long })).message).toBe(`${'x'.repeat(299)}y`);
  });
});

describe('requestIdOf', () => {
  it.each([
    ['abc-123_x.y:z', 'abc-123_x.y:z'],
    ['  padded  ', 'padded'],
    ['a'.repeat(128), 'a'.repeat(128)],
    ['a'.repeat(129), undefined],
    ['has space', undefined],
    ['x<script>', undefined],
    ['ok\u00e9', undefined],
    ['', undefined],
  ])('%p is kept as %p', (value, expected) => {
    expect(requestIdOf(new Headers({ 'X-Request-Id': value }))).toBe(expected);
  });

  it('is undefined without the header', () => {
    expect(requestIdOf(new Headers())).toBeUndefined();
  });
});

describe('errorFromResponse', () => {
  it('names the request, the status and the service message, with code and request id', () => {
    const error = errorFromResponse(
      RequestRejectedError,
      'REQUEST_REJECTED',
      answer(400, { error_code: 'DLF.1', error_msg: 'bad' }, { 'X-Request-Id': 'r-1' }),
      context,
    );
    expect(error).toBeInstanceOf(RequestRejectedError);
    expect(error).toMatchObject({
      message: 'POST /v1/p/jobs/j/instances/7/restart answered 400: bad',
      code: 'REQUEST_REJECTED',
      request: context,
      status: 400,
      dlfCode: 'DLF.1',
      requestId: 'r-1',
    });
  });

  it('says only the status when the answer has no message', () => {
    const error = errorFromResponse(RequestRejectedError, 'REQUEST_REJECTED', answer(400, 'nope'), context);
    expect(error.message).toBe('POST /v1/p/jobs/j/instances/7/restart answered 400');
    expect(error.dlfCode).toBeUndefined();
    expect(error.requestId).toBeUndefined();
  });
});

describe('readFailure: the class a caller branches on', () => {
  it.each([
    [500, {}, TransientError, 'SERVER_ERROR'],
    [501, { error_code: 'DLF.0137' }, TransientError, 'SERVER_ERROR'],
    [400, { error_code: 'APIGW.0106' }, GatewayRefusedError, 'GATEWAY_REFUSED'],
    [401, { error_code: 'APIG.0301' }, GatewayRefusedError, 'GATEWAY_REFUSED'],
    [499, { error_code: 'APIGW.0999' }, GatewayRefusedError, 'GATEWAY_REFUSED'],
    [404, {}, GatewayRefusedError, 'GATEWAY_REFUSED'],
    [404, { error_code: 'XYZ.1' }, GatewayRefusedError, 'GATEWAY_REFUSED'],
    [404, { error_code: 'DLF.0137' }, InstanceNotFoundError, 'INSTANCE_NOT_FOUND'],
    [400, { error_code: 'DLF.30137' }, InstanceNotFoundError, 'INSTANCE_NOT_FOUND'],
    [404, { error_code: 'DLF.9999' }, RequestRejectedError, 'REQUEST_REJECTED'],
    [400, { error_code: 'DLF.6888' }, AuthorizationError, 'NOT_AUTHORIZED'],
    [400, { error_code: 'APIGWX.1' }, RequestRejectedError, 'REQUEST_REJECTED'],
    [400, { error_code: 'xAPIGW.1' }, RequestRejectedError, 'REQUEST_REJECTED'],
    [400, {}, RequestRejectedError, 'REQUEST_REJECTED'],
    [409, { error_code: 'DLF.1' }, RequestRejectedError, 'REQUEST_REJECTED'],
    [302, { error_code: 'APIGW.0101' }, RequestRejectedError, 'REQUEST_REJECTED'],
  ] as const)('%s %j is %p %s', (status, body, ErrorClass, code) => {
    const error = readFailure(answer(status, body, { 'X-Request-Id': 'rid' }), context);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.requestId).toBe('rid');
    expect(error.dlfCode).toBe((body as { error_code?: string }).error_code);
  });

  it('a 5xx is a TransientError that may have been processed', () => {
    const error = readFailure(answer(500, { error_code: 'DLF.5' }), context);
    expect(error).toMatchObject({
      name: 'TransientError',
      message: 'POST /v1/p/jobs/j/instances/7/restart answered 500',
      sent: true,
      request: context,
    });
  });
});

describe('interpretRestart', () => {
  it.each([200, 204])('%s is done', (status) => {
    expect(() => interpretRestart(answer(status), context)).not.toThrow();
  });

  it.each([
    [
      400,
      { error_code: 'DLF.3000', error_msg: 'status does not allow rerun' },
      RestartRejectedError,
      'RESTART_REJECTED',
    ],
    [404, { error_code: 'DLF.9999' }, RestartRejectedError, 'RESTART_REJECTED'],
    [409, { error_code: 'DLF.3000' }, RequestRejectedError, 'REQUEST_REJECTED'],
    [404, { error_code: 'DLF.0137' }, InstanceNotFoundError, 'INSTANCE_NOT_FOUND'],
    [400, { error_code: 'DLF.6888' }, AuthorizationError, 'NOT_AUTHORIZED'],
    [404, {}, GatewayRefusedError, 'GATEWAY_REFUSED'],
    [201, {}, RequestRejectedError, 'REQUEST_REJECTED'],
    [502, {}, TransientError, 'SERVER_ERROR'],
  ] as const)('%s %j throws %p %s', (status, body, ErrorClass, code) => {
    const error = (() => {
      try {
        interpretRestart(answer(status, body), context);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({ code, status });
    // A RestartRejected is the refusal of a restart, not any other rejection.
    expect(error instanceof RestartRejectedError).toBe(code === 'RESTART_REJECTED');
  });

  it('a refused restart carries the service message', () => {
    expect(() =>
      interpretRestart(answer(400, { error_code: 'DLF.3000', error_msg: 'manual instance' }), context),
    ).toThrow('POST /v1/p/jobs/j/instances/7/restart answered 400: manual instance');
  });
});

describe('mayHaveBeenProcessed', () => {
  const response = (status: number): Failure => ({ kind: 'response', response: answer(status) });
  it.each([
    [response(401), false],
    [response(429), false],
    [response(503), false],
    [response(502), true],
    [response(504), true],
    [{ kind: 'timeout' } as Failure, true],
    [{ kind: 'network', notSent: true, cause: undefined } as Failure, false],
    [{ kind: 'network', notSent: false, cause: undefined } as Failure, true],
    [{ kind: 'aborted', onWire: true, cause: undefined } as Failure, true],
    [{ kind: 'aborted', onWire: false, cause: undefined } as Failure, false],
  ])('%j: %s', (outcome, expected) => {
    expect(mayHaveBeenProcessed(outcome)).toBe(expected);
  });
});

describe('socket errors', () => {
  const socket = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code });
  const wrapped = (cause: unknown) => new TypeError('fetch failed', { cause });

  it.each(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ETIMEDOUT', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])(
    '%s, bare or beneath fetch, is a socket error',
    (code) => {
      expect(isSocketError(socket(code))).toBe(true);
      expect(isSocketError(new Error('outer', { cause: socket(code) }))).toBe(true);
    },
  );

  it("fetch's own 'fetch failed' is a socket error even without a code; other TypeErrors are not", () => {
    expect(isSocketError(wrapped(undefined))).toBe(true);
    expect(isSocketError(new TypeError('Request with GET/HEAD method cannot have body.'))).toBe(false);
    expect(isSocketError(new Error('fetch failed'))).toBe(false);
    expect(isSocketError(socket('EACCES'))).toBe(false);
    expect(isSocketError(undefined)).toBe(false);
  });

  it('looks for the code at most 6 causes deep', () => {
    let deep: unknown = socket('ECONNREFUSED');
    for (let i = 0; i < 5; i++) deep = new Error(`level ${i}`, { cause: deep });
    expect(certainlyNotSent(deep)).toBe(true);
    expect(certainlyNotSent(new Error('one more', { cause: deep }))).toBe(false);
  });
});

describe('transientError: the failure that survived the retries', () => {
  it.each([
    [429, 'THROTTLED'],
    [503, 'UNAVAILABLE'],
    [502, 'SERVER_ERROR'],
    [504, 'SERVER_ERROR'],
  ])('an answer %s is %s, with its service code and request id', (status, code) => {
    const error = transientError(
      { kind: 'response', response: answer(status, { error_code: 'APIGW.0429' }, { 'X-Request-Id': 'r-7' }) },
      context,
      false,
    );
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({
      message: `POST /v1/p/jobs/j/instances/7/restart answered ${status}`,
      code,
      status,
      sent: false,
      dlfCode: 'APIGW.0429',
      requestId: 'r-7',
      request: context,
    });
  });

  it('a timeout says so, with a cause that names no request detail', () => {
    const error = transientError({ kind: 'timeout' }, context, true);
    expect(error).toMatchObject({
      message: 'POST /v1/p/jobs/j/instances/7/restart timed out',
      code: 'TIMEOUT',
      sent: true,
      request: context,
    });
    expect(error.cause).toEqual(new Error('no complete answer within the timeout'));
  });

  it('a network failure says what happened and keeps only the socket error, as a plain Error', () => {
    const socketError = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), {
      code: 'ECONNREFUSED',
      address: '10.0.0.1',
    });
    const cause = new TypeError('fetch failed', { cause: new Error('middle', { cause: socketError }) });
    const error = transientError({ kind: 'network', notSent: true, cause }, context, false);
    expect(error).toMatchObject({
      name: 'TransientError',
      code: 'NETWORK',
      sent: false,
      request: context,
      message: 'POST /v1/p/jobs/j/instances/7/restart: connection refused',
    });
    const plain = error.cause as Error & Record<string, unknown>;
    expect(Object.getPrototypeOf(plain)).toBe(Error.prototype);
    expect(plain.message).toBe('connect ECONNREFUSED 10.0.0.1:443');
    expect(plain.code).toBe('ECONNREFUSED');
    expect(plain.address).toBeUndefined();
    expect(plain.cause).toBeUndefined();
  });

  it('a name that did not resolve is "host not found"; a broken connection "connection failed"', () => {
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND dlf.example'), { code: 'ENOTFOUND' });
    const notFound = transientError({ kind: 'network', notSent: true, cause: dns }, context, false);
    expect(notFound.message).toBe('POST /v1/p/jobs/j/instances/7/restart: host not found');
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const failed = transientError({ kind: 'network', notSent: false, cause: reset }, context, true);
    expect(failed.message).toBe('POST /v1/p/jobs/j/instances/7/restart: connection failed');
    expect(failed.sent).toBe(true);
  });

  it('a socket error without a code, or a cause that is not an Error, keeps its text only', () => {
    const bare = transientError(
      { kind: 'network', notSent: false, cause: new Error('other side closed') },
      context,
      true,
    );
    expect(bare.cause).toEqual(new Error('other side closed'));
    expect((bare.cause as { code?: unknown }).code).toBeUndefined();
    const odd = transientError({ kind: 'network', notSent: false, cause: 'weird' }, context, true);
    expect((odd.cause as Error).message).toBe('weird');
    const numeric = transientError(
      { kind: 'network', notSent: false, cause: Object.assign(new Error('n'), { code: 42 }) },
      context,
      true,
    );
    expect(numeric.cause).not.toHaveProperty('code');
  });

  it('an aborted try is ABORTED with the reason as its cause', () => {
    const reason = new Error('deadline');
    const error = transientError({ kind: 'aborted', onWire: true, cause: reason }, context, true);
    expect(error).toMatchObject({
      code: 'ABORTED',
      sent: true,
      message: 'POST /v1/p/jobs/j/instances/7/restart aborted',
    });
    expect(error.cause).toBe(reason);
    expect((abortedError(context, false, 'stop').cause as Error).message).toBe('stop');
    expect(abortedError(context, false, 'stop').sent).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['12', 12_000],
    [' 7 ', 7_000],
    ['0', 0],
    ['a5', undefined],
    ['5a', undefined],
    ['', undefined],
    // Date.parse reads these as dates in 2001: never a wait of 0 ms, the backoff applies.
    ['1.5', undefined],
    ['-1', undefined],
    ['2026-11-26', undefined],
  ])('%p is %p ms', (value, expected) => {
    expect(parseRetryAfter(value, 0)).toBe(expected);
  });

  it('an HTTP date is the time until it, never negative', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
  });
});

describe('header values', () => {
  it.each([
    ['AKIAEXAMPLE', true],
    ['!', true],
    ['~', true],
    ['a b', false],
    ['tab\there', false],
    ['', false],
    ['é', false],
    ['\x7f', false],
  ])('%p is header-safe: %s', (value, safe) => {
    expect(isHeaderSafe(value)).toBe(safe);
  });

  it.each([
    ['', 'is empty'],
    ['secret\n', 'contains whitespace or a line break (check for a trailing newline)'],
    ['sec ret', 'contains whitespace or a line break (check for a trailing newline)'],
    ['sécret', 'contains characters an HTTP header cannot carry (only visible ASCII is allowed)'],
  ])('refuses %p: %s, never showing the value', (value, problem) => {
    let error: unknown;
    try {
      assertHeaderSafe('targets[3].workspace', value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      field: 'targets[3].workspace',
      problem: `${problem}; the value is not shown`,
    });
  });

  it('accepts a safe value', () => {
    expect(() => assertHeaderSafe('f', 'ok-value')).not.toThrow();
  });
});

describe('apiPath', () => {
  it('puts each parameter in as exactly one encoded segment', () => {
    expect(apiPath('v1', 'p', 'jobs', 'a/../b', '作业 1', 'x.y')).toBe(
      '/v1/p/jobs/a%2F..%2Fb/%E4%BD%9C%E4%B8%9A%201/x.y',
    );
    expect(apiPath('...')).toBe('/...');
  });

  it.each([
    ['', 'is empty'],
    ['.', 'is a dot segment'],
    ['..', 'is a dot segment'],
    ['job\u0000', 'contains control characters'],
    ['job\u007f', 'contains control characters'],
    ['job\u0085', 'contains control characters'],
    ['line\nbreak', 'contains control characters'],
  ])('refuses %p (%s) before sending, naming the parameter', (value, problem) => {
    expect(segmentProblem(value)).toBe(problem);
    let error: unknown;
    try {
      apiPath('v1', value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error).toMatchObject({
      code: 'UNSAFE_PATH',
      message: `path parameter 2 ${problem}: request not sent`,
      request: { method: '-', path: '(refused before sending)' },
    });
  });

  it.each(['a', '.a', 'a..', '作业'])('accepts %p', (value) => {
    expect(segmentProblem(value)).toBeUndefined();
  });
});

describe('authentication errors are not turned into transient ones', () => {
  it('a 401 answer read as a failure is a gateway refusal when the gateway says so', () => {
    const error = readFailure(answer(401, { error_code: 'APIGW.0301' }), context);
    expect(error).toBeInstanceOf(GatewayRefusedError);
    expect(error).not.toBeInstanceOf(AuthenticationError);
  });
});

describe('canonicalQuery', () => {
  it('a parameter without a value is signed (and sent) as `name=`', () => {
    const query = { b: undefined, a: 'x' } as unknown as Record<string, string>;
    expect(canonicalQuery(query)).toBe('a=x&b=');
  });
});
