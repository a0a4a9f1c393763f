import {
  AuthenticationError,
  AuthorizationError,
  ConfigError,
  type RequestContext,
  TransientError,
} from '../errors';
import { realSleep, type Sleep } from '../util/time';
import { Account } from './account';
import type { Authenticator } from './auth-types';
import { errorFromResponse, parseErrorBody } from './error-body';
import {
  abortedError,
  type Failure,
  mayHaveBeenProcessed,
  type TransportResponse,
  transientError,
} from './failure';
import { sendOnce } from './http-attempt';
import { parseRetryAfter } from './retry-after';
import { canonicalQuery } from './signer';

export { certainlyNotSent, type TransportResponse } from './failure';
export { parseRetryAfter } from './retry-after';

/** How the transport behaves; every field has a default in `DEFAULT_TRANSPORT`. */
export interface TransportOptions {
  /** Per-attempt timeout, answer body included. */
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
  /** The path as sent: built with `apiPath`, each parameter one encoded segment. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  retryMode: RetryMode;
  /** Stops waiting, retrying and the request on the wire: a TransientError `ABORTED`. */
  signal?: AbortSignal | undefined;
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

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/** A header value fetch sends as it is: visible ASCII, inner spaces only. */
const SENDABLE_HEADER = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * One HTTP target (endpoint + credentials): signing, the account's limits, retries.
 * Plain `fetch` with `AbortSignal.timeout`/`any`; the retry rules are this class's own
 * (a restart's "resend only while certainly unprocessed" is not a per-status rule).
 */
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

  /** One try: a slot, the rate limiter, fresh authentication, then the wire. */
  private async attempt(request: TransportRequest, context: RequestContext): Promise<Failure> {
    const { signal } = request;
    let release: (() => void) | undefined;
    try {
      release = await this.account.slots.acquire(signal);
      await this.account.limiter.acquire(signal);
      // Another target of the account may have hit a 401 while this one waited.
      this.account.throwIfStopped();
      this.stats.requests++;
      const { url, headers } = await this.prepare(request);
      const result = await sendOnce({
        url,
        method: request.method,
        headers,
        // Stryker disable next-line ConditionalExpression: `body: undefined` is equivalent, sendOnce sends no body either way.
        ...(request.body === undefined ? {} : { body: request.body }),
        signal,
        timeoutMs: this.options.timeoutMs,
        maxResponseBytes: this.options.maxResponseBytes,
        context,
      });
      return result.kind === 'answer' ? { kind: 'response', response: result.response } : result;
    } catch (error) {
      // Waiting for a slot or the limiter was cut short: nothing of this try was sent.
      if (signal?.aborted) return { kind: 'aborted', onWire: false, cause: signal.reason };
      throw error;
    } finally {
      release?.();
    }
  }

  /** The URL and headers exactly as signed; a header fetch could not carry is refused first. */
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
    for (const [name, value] of Object.entries(headers)) {
      // Never echo the value: it may be a token or a signature.
      if (!SENDABLE_HEADER.test(value))
        throw new ConfigError(`header ${name}`, 'holds characters a header cannot carry; not sent');
    }
    // Sent exactly as signed: the canonical query is a valid query string.
    const search = canonicalQuery(query);
    return { url: `${this.base.origin}${this.fullPath(request.path)}${search ? `?${search}` : ''}`, headers };
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
          requestId: error.requestId,
          cause: error,
        });
      }
      throw error;
    }
  }

  /** The endpoint's own path (if any) and the request's, both already encoded. */
  private fullPath(path: string): string {
    return `${this.base.pathname.replace(/\/$/, '')}${path}`;
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

/**
 * Answers the gateway gives only after it accepted the signature or token: 2xx/3xx,
 * 403 (authenticated, not allowed) and DataArts' own 400s. A 429, 404 APIGW.0101 or a
 * 5xx may come before authentication and prove nothing.
 */
function provesCredential(response: TransportResponse): boolean {
  const { status } = response;
  // Stryker disable next-line ConditionalExpression: `status >= 200` → true is equivalent, fetch never hands on a 1xx answer.
  if (status >= 200 && status < 400) return true;
  if (status === 403) return true;
  return status === 400 && !parseErrorBody(response.text).code?.startsWith('APIG');
}
