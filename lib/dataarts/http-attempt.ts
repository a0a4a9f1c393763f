import { AutoretryError, MalformedResponseError, type RequestContext, TransientError } from '../errors';
import { certainlyNotSent, type Failure, isSocketError, type TransportResponse } from './failure';

/** One try of a request, exactly as it goes on the wire. */
export interface WireRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** The caller's signal: stops the try (an `aborted` failure). */
  signal?: AbortSignal | undefined;
  /** The whole try, answer body included, must finish within this. */
  timeoutMs: number;
  /** Larger answers are refused. */
  maxResponseBytes: number;
  context: RequestContext;
}

/**
 * Sends one try with `fetch` and reads the whole answer. Returns the answer, or the
 * Failure that says what became of the try: `timeout` (ours), `aborted` (the caller's
 * signal; `onWire` once fetch had it), `network` (a socket error; `notSent` when it
 * proves nothing reached the server). Redirects are not followed: a signed request is
 * never replayed to another place. fetch's own error messages are never passed on:
 * some of them quote header values.
 */
export async function sendOnce(
  wire: WireRequest,
): Promise<{ kind: 'answer'; response: TransportResponse } | Failure> {
  const timeout = AbortSignal.timeout(wire.timeoutMs);
  const signal = wire.signal ? AbortSignal.any([wire.signal, timeout]) : timeout;
  let onWire = false;
  try {
    wire.signal?.throwIfAborted();
    onWire = true;
    const response = await fetch(wire.url, {
      method: wire.method,
      headers: wire.headers,
      // Stryker disable next-line ConditionalExpression: `body: undefined` is equivalent, fetch sends no body either way.
      ...(wire.body === undefined ? {} : { body: wire.body }),
      signal,
      redirect: 'manual',
    });
    return { kind: 'answer', response: await readAnswer(response, wire) };
  } catch (error) {
    if (wire.signal?.aborted) return { kind: 'aborted', onWire, cause: wire.signal.reason };
    if (timeout.aborted) return { kind: 'timeout' };
    if (error instanceof AutoretryError) throw error;
    if (isSocketError(error)) return { kind: 'network', notSent: certainlyNotSent(error), cause: error };
    // fetch refused to build the request (its message may quote a header): not sent.
    throw new TransientError({
      message: `${wire.context.method} ${wire.context.path}: the request could not be sent (${errorName(error)})`,
      code: 'NETWORK',
      request: wire.context,
      sent: false,
    });
  }
}

/** The answer's text, refusing one over `maxResponseBytes`. */
async function readAnswer(response: Response, wire: WireRequest): Promise<TransportResponse> {
  const limit = wire.maxResponseBytes;
  const declared = Number(response.headers.get('content-length') ?? 0);
  const text = declared > limit ? undefined : await readUpTo(response, limit);
  if (text === undefined) {
    await response.body?.cancel().catch(() => undefined);
    throw new MalformedResponseError({
      message: `${wire.context.method} ${wire.context.path}: answer larger than ${limit} bytes`,
      code: 'RESPONSE_TOO_LARGE',
      request: wire.context,
      status: response.status,
    });
  }
  return { status: response.status, headers: response.headers, text };
}

/**
 * The body as UTF-8 text, or undefined once it passes `limit` bytes. Bytes are counted
 * as they arrive: an answer without Content-Length that never ends, or runs to
 * gigabytes, is cut at the limit instead of being held in memory.
 */
async function readUpTo(response: Response, limit: number): Promise<string | undefined> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  // As response.text() decodes: UTF-8, a leading BOM dropped, bad bytes replaced.
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
