import { type RequestContext, TransientError } from '../errors';
import { parseErrorBody, requestIdOf } from './error-body';

/** An answer as the transport hands it on: status, headers and the whole body text. */
export interface TransportResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** What one try of a request came to, when it was not an answer the caller takes. */
export type Failure =
  | { kind: 'response'; response: TransportResponse }
  | { kind: 'timeout' }
  | { kind: 'network'; notSent: boolean; cause: unknown }
  /** `onWire`: the request had been handed to the socket when the signal fired. */
  | { kind: 'aborted'; onWire: boolean; cause: unknown };

/**
 * Statuses that prove the request was not processed: 429 and 503 (so even a restart
 * may be resent) and 401 (refused at the gateway; resent once, with a fresh token).
 */
const NOT_PROCESSED_STATUS = new Set([401, 429, 503]);
/** Socket errors that prove nothing reached the server: refused, or the name did not resolve. */
const NOT_SENT_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'];
const SOCKET_CODES = ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ETIMEDOUT', ...NOT_SENT_CODES];

export function mayHaveBeenProcessed(outcome: Failure): boolean {
  if (outcome.kind === 'response') return !NOT_PROCESSED_STATUS.has(outcome.response.status);
  if (outcome.kind === 'network') return !outcome.notSent;
  if (outcome.kind === 'aborted') return outcome.onWire;
  return true;
}

/** A socket error that proves the request never reached the server (refused, name not resolved). */
export function certainlyNotSent(error: unknown): boolean {
  return NOT_SENT_CODES.some((code) => hasCode(error, code));
}

/** fetch's "fetch failed" with a socket error beneath, or a socket error itself. */
export function isSocketError(error: unknown): boolean {
  return (
    SOCKET_CODES.some((code) => hasCode(error, code)) ||
    (error instanceof TypeError && error.message === 'fetch failed')
  );
}

function hasCode(error: unknown, code: string): boolean {
  for (let current = error, depth = 0; current && depth < 6; depth++) {
    if ((current as { code?: unknown }).code === code) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The socket error beneath fetch's TypeError, as a plain Error carrying only its
 * message and code: fetch's own wrappers stay in this module, and nothing else of
 * the request (headers, URL) rides along.
 */
function plainCause(error: unknown): Error {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const message = current instanceof Error ? current.message : String(current);
  const code = (current as { code?: unknown } | undefined)?.code;
  return Object.assign(new Error(message), typeof code === 'string' ? { code } : {});
}

/** The failure that survived the retries, as the project's TransientError. */
export function transientError(outcome: Failure, context: RequestContext, sent: boolean): TransientError {
  const where = `${context.method} ${context.path}`;
  if (outcome.kind === 'response') {
    const { status, headers, text } = outcome.response;
    const code = status === 429 ? 'THROTTLED' : status === 503 ? 'UNAVAILABLE' : 'SERVER_ERROR';
    return new TransientError({
      message: `${where} answered ${status}`,
      code,
      request: context,
      sent,
      status,
      dlfCode: parseErrorBody(text).code,
      requestId: requestIdOf(headers),
    });
  }
  if (outcome.kind === 'timeout') {
    return new TransientError({
      message: `${where} timed out`,
      code: 'TIMEOUT',
      request: context,
      sent,
      cause: new Error('no complete answer within the timeout'),
    });
  }
  if (outcome.kind === 'aborted') return abortedError(context, sent, outcome.cause);
  const what = hasCode(outcome.cause, 'ECONNREFUSED')
    ? 'connection refused'
    : outcome.notSent
      ? 'host not found'
      : 'connection failed';
  return new TransientError({
    message: `${where}: ${what}`,
    code: 'NETWORK',
    request: context,
    sent,
    cause: plainCause(outcome.cause),
  });
}

/** The caller's signal fired; `sent`: some try may have reached the server (outcome unknown). */
export function abortedError(context: RequestContext, sent: boolean, reason: unknown): TransientError {
  return new TransientError({
    message: `${context.method} ${context.path} aborted`,
    code: 'ABORTED',
    request: context,
    sent,
    cause: reason instanceof Error ? reason : new Error(String(reason)),
  });
}
