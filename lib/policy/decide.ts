import type { PolicyConfig, RetryRule } from '../config/types';
import { type Instance, MANUAL_INSTANCE_TYPE, RESTARTABLE_STATUSES } from '../dataarts/instance';
import { type LedgerEntry, UNKNOWN_OUTCOMES } from '../ledger/ledger';
import { isoTime } from '../util/time';
import { type Decision, skip } from './decision';
import { judgeMessage } from './failure-rules';
import { jobSelected } from './rules';

/** Statuses that mean the instance is fine or still busy (not a failure). */
const NOT_FAILED = new Set([
  'waiting',
  'running',
  'success',
  'pause',
  'skip-by-depend',
  'freeze',
  'waiting-confirm',
  // The newest SDK models list an operator's verdicts as statuses too.
  'forceSuccess',
  'ignoreSuccess',
]);
/** Failure statuses DataArts will not rerun through the API. */
const FAILED_NOT_RESTARTABLE = new Set(['running-exception']);

export interface DecideContext {
  policy: Pick<PolicyConfig, 'jobMatchers' | 'excludeMatchers'>;
  /** A newer instance of the same job ended in success (for `skipSuperseded`). */
  supersededBy?: string;
}

/**
 * Should this instance be restarted now? Pure: it reads the instance as listed, its
 * ledger entry (if any), the rule that applies and the time, and returns a restart
 * (attempt k of n) or a skip with the reason. Fleet-wide limits (caps, storm guard,
 * dry run, deadline) are applied afterwards by `applyFleetLimits`.
 *
 * Eligible at max(failure end + firstRetryDelay, entry.notBefore), where notBefore
 * was fixed when the previous attempt was claimed (last attempt + jittered backoff).
 */
export function decide(
  instance: Instance,
  entry: LedgerEntry | undefined,
  rule: RetryRule,
  now: number,
  context: DecideContext,
): Decision {
  const ruleName = { rule: rule.name };
  if (!jobSelected(instance.jobName, context.policy)) return skip('excluded', undefined, ruleName);
  if (!rule.enabled) return skip('disabled-by-rule', `disabled by ${rule.name}`, ruleName);

  const { status } = instance;
  if (!rule.statuses.includes(status)) {
    if (RESTARTABLE_STATUSES.has(status) && status !== 'success') {
      return skip(
        'status-not-selected',
        `status ${status} is not in statuses [${rule.statuses.join(', ')}]`,
        ruleName,
      );
    }
    if (FAILED_NOT_RESTARTABLE.has(status))
      return skip('status-not-restartable', `status ${status} cannot be rerun`, ruleName);
    if (NOT_FAILED.has(status)) return skip('not-failed', `status ${status}`, ruleName);
    return skip('unknown-status', `unknown status "${status}"`, ruleName);
  }

  const type = instance.instanceType;
  if (type === MANUAL_INSTANCE_TYPE)
    return skip('instance-type', 'manually scheduled instances (type 2) cannot be rerun', ruleName);
  if (type !== undefined && !rule.instanceTypes.includes(type)) {
    return skip(
      'instance-type',
      `instance type ${type} is not in instanceTypes [${rule.instanceTypes.join(', ')}]`,
      ruleName,
    );
  }
  if (instance.forceSuccess || instance.ignoreSuccess) {
    return skip(
      'operator-override',
      instance.forceSuccess ? 'marked force-success by an operator' : 'marked ignore-success by an operator',
      ruleName,
    );
  }
  const failure = judgeMessage(instance, rule);
  if (!failure.retry) return skip('non-retryable-failure', failure.detail, ruleName);

  const failedAt = failureTime(instance);
  if (failedAt === undefined) return skip('no-failure-time', undefined, ruleName);
  const attempts = entry?.attempts ?? 0;
  const budget = { attempt: attempts + 1, maxAttempts: rule.maxAttempts, ...ruleName };
  const held = attemptHeld(entry, failedAt, now);
  // A refused last attempt never reruns this failure: with the budget used, it needs a human now.
  const refusedLast =
    held?.action === 'skip' && held.reason === 'already-attempted' && entry?.lastOutcome !== 'restarted';
  if (held && !(refusedLast && attempts >= rule.maxAttempts))
    return { ...held, ...ruleName, attempt: attempts, maxAttempts: rule.maxAttempts };
  if (attempts >= rule.maxAttempts) {
    return skip('budget-exhausted', `${attempts} of ${rule.maxAttempts} attempts used`, {
      ...ruleName,
      attempt: attempts,
      maxAttempts: rule.maxAttempts,
    });
  }
  if (rule.skipSuperseded && context.supersededBy !== undefined) {
    return skip('superseded', `newer instance ${context.supersededBy} of this job succeeded`, budget);
  }

  const endedAt = instance.endTime ?? failedAt;
  const eligibleAt = Math.max(endedAt + rule.firstRetryDelayMs, entry?.notBefore ?? 0);
  if (eligibleAt > now) {
    return skip(
      'backing-off',
      `next attempt ${budget.attempt} of ${rule.maxAttempts} at ${isoTime(eligibleAt)}`,
      {
        ...budget,
        until: eligibleAt,
      },
    );
  }
  return {
    action: 'restart',
    attempt: budget.attempt,
    maxAttempts: rule.maxAttempts,
    rule: rule.name,
    failureAt: failedAt,
  };
}

/**
 * The failure an instance shows, named by DataArts' own time of its run: when it
 * started, else when it ended, else its plan time. A rerun starts after the failure
 * it answered ended, so a larger time is a new failure. The start comes first
 * because `endTime` is optional and was seen missing on finished instances: a run's
 * start does not change when a later answer adds its end, so a field that appears
 * is never read as a new failure. (An answer with only a plan time cannot show a
 * new failure: such an instance gets one attempt.)
 */
export function failureTime(instance: Instance): number | undefined {
  return instance.startTime ?? instance.endTime ?? instance.planTime;
}

/**
 * Why the previous attempt still holds this failure, if it does: its sweep holds the
 * lease, or it already answered this very failure (the ledger's claim refuses the
 * same; this explains it). An unknown outcome frees the failure once the lease is
 * over and the failure still shows: then the rerun never started.
 */
function attemptHeld(entry: LedgerEntry | undefined, failedAt: number, now: number): Decision | undefined {
  if (!entry?.lastOutcome || entry.attempts === 0) return undefined;
  const leased = (entry.leaseUntil ?? 0) > now;
  const unknown = UNKNOWN_OUTCOMES.has(entry.lastOutcome);
  const until = entry.leaseUntil ?? now;
  if (entry.lastOutcome === 'in-flight' && leased)
    return skip('in-flight', `attempt ${entry.attempts} is in flight until ${isoTime(until)}`, { until });
  if (entry.failureAt === undefined || failedAt > entry.failureAt) return undefined;
  if (unknown && leased)
    return skip('outcome-unknown', `attempt ${entry.attempts}: outcome unknown until ${isoTime(until)}`, {
      until,
    });
  if (unknown) return undefined;
  return skip(
    'already-attempted',
    `attempt ${entry.attempts} (${entry.lastOutcome}) answered this failure; waiting for a new one`,
  );
}
