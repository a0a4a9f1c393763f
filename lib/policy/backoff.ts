import type { BackoffConfig } from '../config/types';

/**
 * The spacing after attempt `attempt` (1-based) of one instance:
 * min(max, base * factor^(attempt-1)), then jittered. `equal` jitter draws from
 * [d/2, d] so a minimum spacing always holds; `full` from [0, d]; `none` is d.
 */
export function backoffDelay(attempt: number, backoff: BackoffConfig, random: () => number): number {
  const computed = Math.min(backoff.maxMs, backoff.baseMs * backoff.factor ** Math.max(0, attempt - 1));
  switch (backoff.jitter) {
    case 'none':
      return computed;
    case 'full':
      return Math.floor(random() * computed);
    case 'equal':
      return Math.floor(computed / 2 + (random() * computed) / 2);
  }
}
