import ky, { NetworkError, TimeoutError } from 'ky';
import {
  AuthenticationError,
  AuthorizationError,
  type DataArtsError,
  MalformedResponseError,
  type RequestContext,
  TransientError,
} from '../errors';
import { Semaphore } from '../util/concurrency';
import { realSleep, type Sleep } from '../util/time';
import type { Authenticator } from './auth';
import { RateLimiter } from './rate-limiter';
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
  /** Client-side rate limit per target, requests per second. */
  ratePerSecond: number;
  /** Requests in flight at once per target. */
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
 * `once`: a request that must not run twice (restart): retried only where it
 * certainly was not processed (429, 503, connection refused); otherwise the caller
 * gets a TransientError with `sent: true` and must look before trying again.
 */
export type RetryMode = 'idempotent' | 'once';

export interface TransportRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  retryMode: RetryMode;
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
  options?: Partial<TransportOptions>;
  random?: () => number;
  sleep?: Sleep;
}

type Failure =
  | { kind: 'response'; response: TransportResponse }
  | { kind: 'timeout'; cause: unknown }
  | { kind: 'network'; refused: boolean; cause: unknown };

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/** Statuses that prove the request was not processed, so even a restart may be resent. */
const NOT_PROCESSED_STATUS = new Set([429, 503]);

/** One HTTP target (endpoint + credentials): signing, rate limit, concurrency and retries. */
export class Transport {
  readonly options: TransportOptions;
  readonly stats: TransportStats = { requests: 0, retries: 0, throttled: 0, failures: 0 };
  private readonly base: URL;
  private readonly limiter: RateLimiter;
  private readonly slots: Semaphore;
  private readonly random: () => number;
  private readonly sleep: Sleep;
  /** Set by a 401 that fresh credentials cannot fix: later requests fail without being sent. */
  private authFailure: AuthenticationError | undefined;

  constructor(private readonly deps: TransportDeps) {
    this.options = { ...DEFAULT_TRANSPORT, ...deps.options };
    this.base = new URL(deps.baseUrl);
    this.random = deps.random ?? Math.random;
    this.sleep = deps.sleep ?? realSleep;
    this.limiter = new RateLimiter(this.options.ratePerSecond, 1, undefined, this.sleep);
    this.slots = new Semaphore(this.options.concurrency);
  }

  /**
   * Sends the request, retrying as its mode allows. Returns any answer that is not
   * retryable (2xx, 3xx, 4xx other than 401/403/429) for the caller to interpret;
   * throws the project's errors otherwise.
   */
  async send(request: TransportRequest): Promise<TransportResponse> {
    const context: RequestContext = { method: request.method, path: request.path };
    // Never hammer on 401: the gateway locks an AK after 5 failed signatures.
    if (this.authFailure) throw this.authFailure;
    let refreshedAuth = false;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(request);
      if (outcome.kind === 'response') {
        const { status } = outcome.response;
        if (status === 401) {
          if (!refreshedAuth && this.deps.authenticator?.invalidate()) {
            refreshedAuth = true;
            continue;
          }
          this.authFailure = errorFromResponse(
            AuthenticationError,
            'AUTHENTICATION_FAILED',
            outcome.response,
            context,
          );
          throw this.authFailure;
        }
        if (status === 403) {
          throw errorFromResponse(AuthorizationError, 'NOT_AUTHORIZED', outcome.response, context);
        }
        if (!RETRYABLE_STATUS.has(status)) return outcome.response;
        if (status === 429) this.stats.throttled++;
      }
      const processedMaybe = mayHaveBeenProcessed(outcome);
      const retryable = request.retryMode === 'idempotent' || !processedMaybe;
      if (!retryable || attempt >= this.options.retries) {
        this.stats.failures++;
        throw transientError(outcome, context, processedMaybe);
      }
      this.stats.retries++;
      const delay = this.retryDelay(outcome, attempt);
      if (outcome.kind === 'response' && outcome.response.status === 429) this.limiter.pause(delay);
      await this.sleep(delay);
    }
  }

  private async attempt(request: TransportRequest): Promise<Failure> {
    const release = await this.slots.acquire();
    try {
      await this.limiter.acquire();
      this.stats.requests++;
      const query = request.query ?? {};
      const headers: Record<string, string> = { ...request.headers };
      const hasType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
      if (request.body !== undefined && !hasType) headers['Content-Type'] = 'application/json';
      if (this.deps.authenticator) {
        Object.assign(
          headers,
          await this.deps.authenticator.authorize({
            method: request.method,
            host: this.base.host,
            path: this.fullPath(request.path),
            query,
            headers,
            ...(request.body === undefined ? {} : { body: request.body }),
          }),
        );
      }
      delete headers.Host;
      // Sent exactly as signed: the canonical query is a valid query string.
      const search = canonicalQuery(query);
      const url = `${this.base.origin}${encodePath(this.fullPath(request.path))}${search ? `?${search}` : ''}`;
      const response = await ky(url, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        timeout: this.options.timeoutMs,
        retry: 0,
        throwHttpErrors: false,
      });
      const declared = Number(response.headers.get('content-length') ?? 0);
      const text = declared > this.options.maxResponseBytes ? '' : await response.text();
      if (declared > this.options.maxResponseBytes || text.length > this.options.maxResponseBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw new MalformedResponseError(
          `${request.method} ${request.path}: answer larger than ${this.options.maxResponseBytes} bytes`,
          'RESPONSE_TOO_LARGE',
          { method: request.method, path: request.path },
          response.status,
        );
      }
      return { kind: 'response', response: { status: response.status, headers: response.headers, text } };
    } catch (error) {
      if (error instanceof TimeoutError) return { kind: 'timeout', cause: error };
      if (error instanceof NetworkError || isSocketError(error)) {
        return { kind: 'network', refused: hasCode(error, 'ECONNREFUSED'), cause: error };
      }
      throw error;
    } finally {
      release();
    }
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
  if (outcome.kind === 'network') return !outcome.refused;
  return true;
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
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET', 'ETIMEDOUT'].some((code) =>
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
  ErrorClass: new (
    message: string,
    code: string,
    request: RequestContext,
    status?: number,
    dlfCode?: string,
  ) => E,
  code: string,
  response: TransportResponse,
  context: RequestContext,
): E {
  const body = parseErrorBody(response.text);
  const message = `${context.method} ${context.path} answered ${response.status}${body.message ? `: ${body.message}` : ''}`;
  return new ErrorClass(message, code, context, response.status, body.code);
}

function transientError(outcome: Failure, context: RequestContext, sent: boolean): TransientError {
  const where = `${context.method} ${context.path}`;
  if (outcome.kind === 'response') {
    const { status } = outcome.response;
    const body = parseErrorBody(outcome.response.text);
    const code = status === 429 ? 'THROTTLED' : status === 503 ? 'UNAVAILABLE' : 'SERVER_ERROR';
    return new TransientError(`${where} answered ${status}`, code, context, sent, status, body.code);
  }
  if (outcome.kind === 'timeout') {
    return new TransientError(`${where} timed out`, 'TIMEOUT', context, sent, undefined, undefined, {
      cause: plainCause(outcome.cause),
    });
  }
  const what = outcome.refused ? 'connection refused' : 'connection failed';
  return new TransientError(`${where}: ${what}`, 'NETWORK', context, sent, undefined, undefined, {
    cause: plainCause(outcome.cause),
  });
}
