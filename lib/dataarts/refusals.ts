import {
  AuthorizationError,
  type DataArtsError,
  GatewayRefusedError,
  InstanceNotFoundError,
  type RequestContext,
  RequestRejectedError,
  RestartRejectedError,
  TransientError,
} from '../errors';
import { errorFromResponse, parseErrorBody, requestIdOf } from './error-body';
import type { TransportResponse } from './failure';

/** Codes DLF uses for "job instance does not exist" across editions. */
const NOT_FOUND_CODES = new Set(['DLF.0137', 'DLF.30137']);
/** DLF's "the account permissions do not allow this": about the account, not the instance. */
const ACCOUNT_PERMISSION_CODES = new Set(['DLF.6888']);

/**
 * A non-success answer as one of the project's errors. Systemic refusals come first:
 * a gateway code (`APIGW.*`, older pages `APIG.*`) on a 4xx, or a 404 without a DLF
 * code (no such route on this host), is a GatewayRefusedError; DLF.6888 is an
 * AuthorizationError. Neither says anything about the instance.
 */
export function readFailure(response: TransportResponse, context: RequestContext): DataArtsError {
  const { status } = response;
  const { code } = parseErrorBody(response.text);
  if (status >= 500) {
    return new TransientError({
      message: `${context.method} ${context.path} answered ${status}`,
      code: 'SERVER_ERROR',
      request: context,
      sent: true,
      status,
      dlfCode: code,
      requestId: requestIdOf(response.headers),
    });
  }
  if (isGatewayRefusal(status, code)) {
    return errorFromResponse(GatewayRefusedError, 'GATEWAY_REFUSED', response, context);
  }
  if (code && ACCOUNT_PERMISSION_CODES.has(code)) {
    return errorFromResponse(AuthorizationError, 'NOT_AUTHORIZED', response, context);
  }
  if (code && NOT_FOUND_CODES.has(code)) {
    return errorFromResponse(InstanceNotFoundError, 'INSTANCE_NOT_FOUND', response, context);
  }
  return errorFromResponse(RequestRejectedError, 'REQUEST_REJECTED', response, context);
}

/** The restart's answer: 204 (or 200) is done; a DLF refusal of this instance is RestartRejected. */
export function interpretRestart(response: TransportResponse, context: RequestContext): void {
  if (response.status === 204 || response.status === 200) return;
  const failure = readFailure(response, context);
  // A refused restart (the status does not allow it, a manual instance...) is its own error.
  if (failure instanceof RequestRejectedError && (response.status === 400 || response.status === 404)) {
    throw errorFromResponse(RestartRejectedError, 'RESTART_REJECTED', response, context);
  }
  throw failure;
}

function isGatewayRefusal(status: number, code: string | undefined): boolean {
  if (status < 400) return false;
  // Stryker disable next-line all: unreachable, readFailure answers every 5xx before asking (a guard for other callers).
  if (status >= 500) return false;
  if (code !== undefined && /^APIGW?\./.test(code)) return true;
  return status === 404 && !code?.startsWith('DLF.');
}
