/**
 * The project's own error classes. Transport errors (ky, undici) never leave the
 * DataArts client: callers see one of these, with a literal `name`, a stable `code`,
 * the data that explains the failure and the original error as `cause`.
 */

export interface RequestContext {
  method: string;
  path: string;
}

/** Invalid configuration, event, secret or command-line input. `field` names what is wrong. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** Base class of every failure talking to DataArts Factory or IAM. */
export class DataArtsError extends Error {
  override readonly name: string = 'DataArtsError';
  constructor(
    message: string,
    readonly code: string,
    readonly request: RequestContext,
    readonly status?: number,
    readonly dlfCode?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 401: bad signature, bad or expired token. Never retried blindly: an AK locks after 5 failures. */
export class AuthenticationError extends DataArtsError {
  override readonly name = 'AuthenticationError';
}

/** 403 (or DLF.6888): the credentials are valid but not allowed to do this. */
export class AuthorizationError extends DataArtsError {
  override readonly name = 'AuthorizationError';
}

/** 400 DLF.0137 (or DLF.30137): the instance does not exist (any more). */
export class InstanceNotFoundError extends DataArtsError {
  override readonly name = 'InstanceNotFoundError';
}

/** Any other 400 on restart: DataArts refused, e.g. the status does not allow a rerun. */
export class RestartRejectedError extends DataArtsError {
  override readonly name = 'RestartRejectedError';
}

/** Any other 4xx answer that is not retried. */
export class RequestRejectedError extends DataArtsError {
  override readonly name = 'RequestRejectedError';
}

/**
 * 429/5xx/timeout/network failure that survived the client's retries.
 * `sent` says whether the request may have reached the server: `false` only when
 * it certainly did not (connection refused, 429, 503), which is what lets a claim be released.
 */
export class TransientError extends DataArtsError {
  override readonly name = 'TransientError';
  constructor(
    message: string,
    code: string,
    request: RequestContext,
    readonly sent: boolean,
    status?: number,
    dlfCode?: string,
    options?: { cause?: unknown },
  ) {
    super(message, code, request, status, dlfCode, options);
  }
}

/** The server answered, but not with the documented shape. */
export class MalformedResponseError extends DataArtsError {
  override readonly name = 'MalformedResponseError';
}

/** The ledger (DynamoDB or file) failed; the sweep stops restarting for safety. */
export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  readonly code = 'LEDGER_FAILED';
}

/** The sweep was told to stop (the deadline, Ctrl-C) while it waited for this. */
export class SweepAbortedError extends Error {
  override readonly name = 'SweepAbortedError';
  readonly code = 'ABORTED';
}

/**
 * Waits for `work`, but no longer than `signal` allows: a slow ledger call must not
 * hold the sweep past its deadline. The call itself may still complete; every
 * ledger write is safe to abandon (an unconfirmed claim is a lease that expires).
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  const stopped = () =>
    new SweepAbortedError(`stopped: ${(signal.reason as Error | undefined)?.message ?? 'aborted'}`);
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(stopped());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stopped());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A short, secret-free `{code, message}` for reports from any thrown value. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof DataArtsError) {
    const dlf = error.dlfCode ? ` ${error.dlfCode}` : '';
    return { code: error.code, message: `${error.message}${dlf ? ` (${dlf.trim()})` : ''}` };
  }
  if (error instanceof ConfigError || error instanceof LedgerError || error instanceof SweepAbortedError) {
    return { code: error.code, message: error.message };
  }
  if (error instanceof Error) return { code: error.name, message: error.message };
  return { code: 'UNKNOWN', message: String(error) };
}
