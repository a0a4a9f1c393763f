import type { Sleep } from '../util/time';
import { judge, type Verdict } from './responses';
import type { WebhookKind, WebhookRequest } from './webhook-types';

export interface PostOptions {
  now: () => number;
  sleep: Sleep;
  /** No request starts, and no retry waits, past this time (epoch ms). */
  deadline: number;
  /** Per request. */
  timeoutMs: number;
  maxAttempts: number;
  /** First backoff; doubles per retry unless the platform sends Retry-After. */
  baseDelayMs: number;
  signal?: AbortSignal;
}

export type PostResult = Verdict & { attempts: number };

/**
 * POSTs one webhook request with plain fetch, retrying 429 and 5xx (and network
 * failures) with backoff while the deadline allows. Redirects are refused: a body
 * (and a signature) must not follow a redirect to another host.
 */
export async function postWebhook(
  kind: WebhookKind,
  request: WebhookRequest,
  options: PostOptions,
): Promise<PostResult> {
  for (let attempt = 1; ; attempt++) {
    const remaining = options.deadline - options.now();
    if (remaining <= 0)
      return { ok: false, code: 'DEADLINE', message: 'no time left', retry: false, attempts: attempt - 1 };
    const { verdict, retryAfterMs } = await once(
      kind,
      request,
      Math.min(options.timeoutMs, remaining),
      options.signal,
    );
    if (verdict.ok || !verdict.retry || attempt >= options.maxAttempts)
      return { ...verdict, attempts: attempt };
    const delay = retryAfterMs ?? options.baseDelayMs * 2 ** (attempt - 1);
    if (options.now() + delay >= options.deadline) return { ...verdict, attempts: attempt };
    await options.sleep(delay, options.signal);
  }
}

async function once(
  kind: WebhookKind,
  request: WebhookRequest,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ verdict: Verdict; retryAfterMs?: number }> {
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', ...request.headers },
      body: request.body,
      redirect: 'error',
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]),
    });
    const text = await response.text();
    const retryAfter = Number(response.headers.get('retry-after'));
    return {
      verdict: judge(kind, response.status, text),
      ...(retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  } catch (error) {
    // fetch's errors can name the host and port; only their code is kept.
    return { verdict: { ok: false, code: networkCode(error), message: '', retry: true } };
  }
}

function networkCode(error: unknown): string {
  const e = error as { name?: string; cause?: { code?: unknown } };
  if (e.name === 'TimeoutError') return 'TIMEOUT';
  if (e.name === 'AbortError') return 'ABORTED';
  return typeof e.cause?.code === 'string' ? e.cause.code : 'NETWORK';
}
