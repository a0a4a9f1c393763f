import type { DataArtsError, DataArtsErrorCode, DataArtsErrorOptions, RequestContext } from '../errors';

/** What an error answer says about itself: the service's code, its message, the request id. */
export interface ErrorBody {
  code?: string;
  message?: string;
}

/** The longest `error_msg` kept: a report line, not a dump of whatever the server sent. */
const MAX_MESSAGE = 300;

/**
 * The error body in each shape Huawei's SDK core reads: `{error_code, error_msg}` (DLF
 * and the gateway), `{code, message}`, and either of them one level down
 * (`{"error": {...}}`). A missing or mistyped field is simply absent.
 */
export function parseErrorBody(text: string): ErrorBody {
  let body: unknown;
  // Stryker disable BlockStatement: an empty catch is equivalent, an unparsed body stays undefined and reads as {} below.
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  // Stryker restore BlockStatement
  const top = readShape(body);
  if (top.code !== undefined) return top;
  const nested = isObject(body) ? readShape(body.error) : {};
  return nested.code !== undefined || nested.message !== undefined ? nested : top;
}

function readShape(value: unknown): ErrorBody {
  if (!isObject(value)) return {};
  const code = firstString(value.error_code, value.code);
  const message = firstString(value.error_msg, value.message);
  return {
    ...(code === undefined ? {} : { code }),
    ...(message === undefined ? {} : { message: message.slice(0, MAX_MESSAGE) }),
  };
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v !== '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `X-Request-Id` of an answer, when it has a plausible one (what Huawei support asks for). */
export function requestIdOf(headers: Headers): string | undefined {
  // Stryker disable next-line MethodExpression: equivalent for fetch's Headers, which strip a value's outer whitespace.
  const id = headers.get('x-request-id')?.trim();
  return id && /^[\w.:-]{1,128}$/.test(id) ? id : undefined;
}

/** An answer as one of the project's errors, with its status, service code and request id. */
export function errorFromResponse<E extends DataArtsError>(
  ErrorClass: new (options: DataArtsErrorOptions) => E,
  code: DataArtsErrorCode,
  response: { status: number; headers: Headers; text: string },
  context: RequestContext,
): E {
  const body = parseErrorBody(response.text);
  const message = `${context.method} ${context.path} answered ${response.status}${body.message ? `: ${body.message}` : ''}`;
  return new ErrorClass({
    message,
    code,
    request: context,
    status: response.status,
    dlfCode: body.code,
    requestId: requestIdOf(response.headers),
  });
}
