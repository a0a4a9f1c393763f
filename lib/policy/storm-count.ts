import type { Instance } from '../dataarts/instance';
import { failureTime } from './decide';
import type { Decision, SkipReason } from './decision';

/**
 * Skips that still mean "policy would retry this failure": it waits for its delay, or
 * for an attempt already made. Every other skip (excluded, disabled, not selected,
 * manual, operator override, non-retryable, exhausted budget, superseded) is a failure
 * nobody would rerun, so it says nothing about a storm of retries.
 */
const STILL_RETRIED: ReadonlySet<SkipReason> = new Set([
  'backing-off',
  'in-flight',
  'outcome-unknown',
  'already-attempted',
]);

/** Would policy still retry this failure (now, after its delay, or once its pending attempt is known)? */
export function stillRetried(decision: Decision): boolean {
  return decision.action === 'restart' || STILL_RETRIED.has(decision.reason);
}

/**
 * The failures the storm guard counts: those policy would retry, with budget left,
 * that ended within the guard's window (`endTime`, else the failure's own time). A
 * subset sweep (`--job`) counts only its jobs: the rest are `excluded`.
 */
export function stormFailures(
  planned: ReadonlyArray<{ instance: Instance; decision: Decision }>,
  now: number,
  windowMs: number,
): Instance[] {
  const since = now - windowMs;
  return planned
    .filter(({ decision }) => stillRetried(decision))
    .map(({ instance }) => instance)
    .filter((instance) => (instance.endTime ?? failureTime(instance) ?? Number.NEGATIVE_INFINITY) >= since);
}
