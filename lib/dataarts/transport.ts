import ky, { NetworkError, TimeoutError } from 'ky';
import {
  AuthenticationError,
  AuthorizationError,
  type DataArtsError,
  type DataArtsErrorCode,
  type DataArtsErrorOptions,
  MalformedResponseError,
  type RequestContext,
  TransientError,
} from '../errors';
import { realSleep, type Sleep } from '../util/time';
import { Account } from './account';
import type { Authenticator } from './auth';
import { canonicalQuery, encodePath } from './signer';

/** How the transport behaves; every field has a default in `DEFAULT_TRANSPORT`. */
export interface TransportOptions {
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** Retries after the first attempt, for retryable failures. */
  retries: number;
  /** Exponential backoff: full jitter over min(maxDelayMs, baseDelayMs * 2^n). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server's Retry-After is honoured up to this cap. */
  maxRetryAfterMs: number;
  /** Client-side rate limit per credential (account), requests per second. */
  ratePerSecond: number;
  /** Requests in flight at once per credential (account). */
  concurrency: number;
  /** Larger answers are refused (the gateway's own limit is 12 MB). */
  maxResponseBytes: number;
}

export const DEFAULT_TRANSPORT: TransportOptions = {
  timeoutMs: 10_000,
  retries: 3,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 30_000,
  ratePerSecond: 10,
  concurrency: 4,
  maxResponseBytes: 16 * 1024 * 1024,
};

/**
 * `idempotent`: retried on 429, 502, 503, 504, timeouts and network errors.
 * `once`: a request that must not run twice (restart): resent only while no try of
 * it may have been processed (429, 503, connection refused, DNS failure); any other
 * failure is a TransientError with `sent: true`, and the caller must not resend.
 */
export type RetryMode = 'idempotent' | 'once';

export interface TransportRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  retryMode: RetryMode;
  /** Stops waiting, retrying and the request on the wire: a TransientError `ABORTED`. */
  signal?: AbortSignal | undefined;
}

export interface TransportResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Counters per transport (per target), for reports and benchmarks. */
export interface TransportStats {
  requests: number;
  retries: number;
  throttled: number;
  failures: number;
}

export interface TransportDeps {
  baseUrl: string;
  authenticator?: Authenticator;
  /**
   * Shared by every target of one credential: its rate limit and concurrency apply, not
   * `options.ratePerSecond`/`concurrency`. A transport without one gets its own from those.
   */
  account?: Account;
  options?: Partial<TransportOptions>;
  random?: () => number;
  sleep?: Sleep;
}

type Failure =
  | { kind: 'response'; response: TransportResponse }
  | { kind: 'timeout'; cause: unknown }
  | { kind: 'network'; notSent: boolean; cause: unknown }
  /** `onWire`: the request had been handed to the socket when the signal fired. */
  | { kind: 'aborted'; onWire: boolean; cause: unknown };

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/**
 * Statuses that prove the request was not processed: 429 and 503 (so even a restart
 * may be resent) and 401 (refused at the gateway; resent once, with a fresh token).
 */
const NOT_PROCESSED_STATUS = new Set([401, 429, 503]);
/** Socket errors that prove nothing reached the server: refused, or the name did not resolve. */
const NOT_SENT_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'];

/** One HTTP target (endpoint + credentials): signing, the account's limits, retries. */
export class Transport {
  readonly options: TransportOptions;
  readonly stats: TransportStats = { requests: 0, retries: 0, throttled: 0, failures: 0 };
  readonly account: Account;
  private readonly base: URL;
  private readonly random: () => number;
  private readonly sleep: Sleep;

  constructor(private readonly deps: TransportDeps) {
    this.options = { ...DEFAULT_TRANSPORT, ...deps.options };
    this.base = new URL(deps.baseUrl);
    this.random = deps.random ?? Math.random;
    this.sleep = deps.sleep ?? realSleep;
    this.account = deps.account ?? new Account(this.base.host, this.options, { sleep: this.sleep });
  }

  /**
   * Sends the request, retrying as its mode allows. Returns any answer that is not
   * retryable (2xx, 3xx, 4xx other than 401/403/429) for the caller to interpret;
   * throws the project's errors otherwise.
   */
  async send(request: TransportRequest): Promise<TransportResponse> {
    const context: RequestContext = { method: request.method, path: request.path };
    let release: () => void;
    try {
      // Never hammer on 401: the gateway locks an AK after 5 failed signatures.
      release = await this.account.admit(request.signal);
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      throw abortedError(context, false, error);
    }
    try {
      return await this.exchange(request, context);
    } finally {
      release();
    }
  }

  /** The retry loop of one call. `processedMaybe` covers every try so far, not just the last. */
  private async exchange(request: TransportRequest, context: RequestContext): Promise<TransportResponse> {
    let processedMaybe = false;
    let refreshedAuth = false;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(request, context);
      if (outcome.kind === 'aborted') {
        this.stats.failures++;
        throw abortedError(context, processedMaybe || outcome.onWire, outcome.cause);
      }
      processedMaybe ||= mayHaveBeenProcessed(outcome);
      if (outcome.kind === 'response') {
        const { response } = outcome;
        if (provesCredential(response)) this.account.markVerified();
        if (response.status === 401) {
          if (!refreshedAuth && this.deps.authenticator?.invalidate()) {
            refreshedAuth = true;
            continue;
          }
          throw this.account.stop(
            errorFromResponse(AuthenticationError, 'AUTHENTICATION_FAILED', response, context),
          );
        }
        if (response.status === 403) {
          throw errorFromResponse(AuthorizationError, 'NOT_AUTHORIZED', response, context);
        }
        if (!RETRYABLE_STATUS.has(response.status)) return response;
        if (response.status === 429) this.stats.throttled++;
      }
      const mayResend = request.retryMode === 'idempotent' || !processedMaybe;
      if (!mayResend || attempt >= this.options.retries) {
        this.stats.failures++;
        throw transientError(outcome, context, processedMaybe);
      }
      this.stats.retries++;
      await this.backOff(outcome, attempt, request.signal, context, processedMaybe);
    }
  }

  /** Waits before the next try; a 429 holds back every target of the account too. */
  private async backOff(
    outcome: Failure,
    attempt: number,
    signal: AbortSignal | undefined,
    context: RequestContext,
    processedMaybe: boolean,
  ): Promise<void> {
    const delay = this.retryDelay(outcome, attempt);
    if (outcome.kind === 'response' && outcome.response.status === 429) this.account.limiter.pause(delay);
    try {
      await this.sleep(delay, signal);
    } catch (error) {
      if (!signal?.aborted) throw error;
      this.stats.failures++;
      throw abortedError(context, processedMaybe, signal.reason);
    }
  }

  private async attempt(request: TransportRequest, context: RequestContext): Promise<Failure> {
    const { signal } = request;
    let release: (() => void) | undefined;
    let onWire = false;
    try {
      release = await this.account.slots.acquire(signal);
      await this.account.limiter.acquire(signal);
      // Another target of the account may have hit a 401 while this one waited.
      this.account.throwIfStopped();
      this.stats.requests++;
      const { url, headers } = await this.prepare(request);
      onWire = true;
      const response = await ky(url, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(signal ? { signal } : {}),
        timeout: this.options.timeoutMs,
        retry: 0,
        throwHttpErrors: false,
      });
      return { kind: 'response', response: await this.read(response, context) };
    } catch (error) {
      return this.failure(error, signal, onWire);
    } finally {
      release?.();
    }
  }

  /** The URL and headers exactly as signed. */
  private async prepare(
    request: TransportRequest,
  ): Promise<{ url: string; headers: Record<string, string> }> {
    const query = request.query ?? {};
    const headers: Record<string, string> = { ...request.headers };
    const hasType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
    // Every POST carries it, body or not: the gateway refuses one without (400 APIGW.0106).
    if ((request.method === 'POST' || request.body !== undefined) && !hasType)
      headers['Content-Type'] = 'application/json';
    if (this.deps.authenticator) Object.assign(headers, await this.authorize(request, query, headers));
    delete headers.Host;
    // Sent exactly as signed: the canonical query is a valid query string.
    const search = canonicalQuery(query);
    const url = `${this.base.origin}${encodePath(this.fullPath(request.path))}${search ? `?${search}` : ''}`;
    return { url, headers };
  }

  /**
   * The authenticator's headers. A failed IAM login stops the account (IAM locks a user
   * after 5); an IAM outage is this request's TransientError, certainly not sent.
   */
  private async authorize(
    request: TransportRequest,
    query: Record<string, string>,
    headers: Record<string, string>,
  ): Promise<Record<string, string>> {
    try {
      return await (this.deps.authenticator as Authenticator).authorize({
        method: request.method,
        host: this.base.host,
        path: this.fullPath(request.path),
        query,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
      });
    } catch (error) {
      if (error instanceof AuthenticationError) throw this.account.stop(error);
      if (error instanceof TransientError && error.sent) {
        throw new TransientError({
          message: error.message,
          code: error.code,
          request: error.request,
          sent: false,
          status: error.status,
          dlfCode: error.dlfCode,
          cause: error,
        });
      }
      throw error;
    }
  }

  /** The answer's text, refusing one over `maxResponseBytes`. */
  private async read(response: Response, context: RequestContext): Promise<TransportResponse> {
    const limit = this.options.maxResponseBytes;
    const declared = Number(response.headers.get('content-length') ?? 0);
    const text = declared > limit ? '' : await response.text();
    if (declared > limit || text.length > limit) {
      await response.body?.cancel().catch(() => undefined);
      throw new MalformedResponseError({
        message: `${context.method} ${context.path}: answer larger than ${limit} bytes`,
        code: 'RESPONSE_TOO_LARGE',
        request: context,
        status: response.status,
      });
    }
    return { status: response.status, headers: response.headers, text };
  }

  /** A thrown error as a Failure the retry loop understands; the project's own errors pass through. */
  private failure(error: unknown, signal: AbortSignal | undefined, onWire: boolean): Failure {
    if (signal?.aborted) return { kind: 'aborted', onWire, cause: signal.reason };
    if (error instanceof TimeoutError) return { kind: 'timeout', cause: error };
    if (error instanceof NetworkError || isSocketError(error)) {
      return { kind: 'network', notSent: certainlyNotSent(error), cause: error };
    }
    throw error;
  }

  private fullPath(path: string): string {
    const basePath = this.base.pathname.replace(/\/$/, '');
    return `${basePath}${path}`;
  }

  /** Retry-After (seconds or HTTP date, capped) when the server sent it; else full-jitter backoff. */
  private retryDelay(outcome: Failure, attempt: number): number {
    if (outcome.kind === 'response') {
      const header = outcome.response.headers.get('retry-after');
      const fromHeader = header === null ? undefined : parseRetryAfter(header, Date.now());
      if (fromHeader !== undefined) return Math.min(fromHeader, this.options.maxRetryAfterMs);
    }
    const ceiling = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** attempt);
    return Math.floor(this.random() * ceiling);
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** ky's error types stay in this module: a cause is the socket error beneath, or a plain Error. */
function plainCause(error: unknown): Error {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const deepest = current instanceof Error ? current : new Error(String(current));
  return deepest instanceof TimeoutError || deepest instanceof NetworkError
    ? new Error(deepest.message)
    : deepest;
}

function mayHaveBeenProcessed(outcome: Failure): boolean {
  if (outcome.kind === 'response') return !NOT_PROCESSED_STATUS.has(outcome.response.status);
  if (outcome.kind === 'network') return !outcome.notSent;
  if (outcome.kind === 'aborted') return outcome.onWire;
  return true;
}

/** A socket error that proves the request never reached the server (refused, name not resolved). */
export function certainlyNotSent(error: unknown): boolean {
  return NOT_SENT_CODES.some((code) => hasCode(error, code));
}

/**
 * Answers the gateway gives only after it accepted the signature or token: 2xx/3xx,
 * 403 (authenticated, not allowed) and DataArts' own 400s. A 429, 404 APIGW.0101 or a
 * 5xx may come before authentication and prove nothing.
 */
function provesCredential(response: TransportResponse): boolean {
  const { status } = response;
  if (status >= 200 && status < 400) return true;
  if (status === 403) return true;
  return status === 400 && !parseErrorBody(response.text).code?.startsWith('APIG');
}

function hasCode(error: unknown, code: string): boolean {
  for (let current = error, depth = 0; current && depth < 6; depth++) {
    if ((current as { code?: unknown }).code === code) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function isSocketError(error: unknown): boolean {
  return (
    ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ETIMEDOUT', ...NOT_SENT_CODES].some((code) =>
      hasCode(error, code),
    ) ||
    (error instanceof TypeError && error.message === 'fetch failed')
  );
}

/** The DLF / gateway error body `{error_code, error_msg}`, if the answer has one. */
export function parseErrorBody(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { error_code?: unknown; error_msg?: unknown };
    return {
      ...(typeof body.error_code === 'string' ? { code: body.error_code } : {}),
      ...(typeof body.error_msg === 'string' ? { message: body.error_msg.slice(0, 300) } : {}),
    };
  } catch {
    return {};
  }
}

export function errorFromResponse<E extends DataArtsError>(
  ErrorClass: new (options: DataArtsErrorOptions) => E,
  code: DataArtsErrorCode,
  response: TransportResponse,
  context: RequestContext,
): E {
  const body = parseErrorBody(response.text);
  const message = `${context.method} ${context.path} answered ${response.status}${body.message ? `: ${body.message}` : ''}`;
  return new ErrorClass({ message, code, request: context, status: response.status, dlfCode: body.code });
}

function transientError(outcome: Failure, context: RequestContext, sent: boolean): TransientError {
  const where = `${context.method} ${context.path}`;
  if (outcome.kind === 'response') {
    const { status } = outcome.response;
    const body = parseErrorBody(outcome.response.text);
    const code = status === 429 ? 'THROTTLED' : status === 503 ? 'UNAVAILABLE' : 'SERVER_ERROR';
    return new TransientError({
      message: `${where} answered ${status}`,
      code,
      request: context,
      sent,
      status,
      dlfCode: body.code,
    });
  }
  if (outcome.kind === 'timeout') {
    return new TransientError({
      message: `${where} timed out`,
      code: 'TIMEOUT',
      request: context,
      sent,
      cause: plainCause(outcome.cause),
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
function abortedError(context: RequestContext, sent: boolean, reason: unknown): TransientError {
  const where = `${context.method} ${context.path}`;
  return new TransientError({
    message: `${where} aborted`,
    code: 'ABORTED',
    request: context,
    sent,
    cause: reason instanceof Error ? reason : new Error(String(reason)),
  });
}
