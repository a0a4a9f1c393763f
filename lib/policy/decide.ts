import type { PolicyConfig, RetryRule } from '../config/types';
import {
  FAILED_NOT_RESTARTABLE,
  type Instance,
  MANUAL_INSTANCE_TYPE,
  NOT_FAILED_STATUSES,
  RESTARTABLE_STATUSES,
} from '../dataarts/instance';
import { type LedgerEntry, UNKNOWN_OUTCOMES } from '../ledger/ledger';
import { isoTime } from '../util/time';
import { type Decision, type SkipDecision, type SkipReason, skip } from './decision';
import { failureTime, hasFailureFields, isNewerFailure, isSameFailure } from './failure-identity';
import { judgeMessage } from './failure-rules';
import { jobSelected } from './rules';

export interface DecideContext {
  policy: Pick<PolicyConfig, 'jobMatchers' | 'excludeMatchers'>;
  /** A newer instance of the same job ended in success (for `skipSuperseded`). */
  supersededBy?: string;
}

/**
 * The reasons `decide` gives before it reads the ledger entry (`screen`: the job, the
 * rule, the status, the instance type, an operator's mark, the failure's message and
 * time): the same whatever the entry holds, so a sweep reads no entry for them. The
 * types hold `decide` to it: `screen` gives only these, the steps after it none of them
 * (test/sweep/scale.test.ts checks it with arbitrary entries).
 */
const SCREENED_REASONS = [
  'excluded',
  'disabled-by-rule',
  'status-not-selected',
  'status-not-restartable',
  'not-failed',
  'unknown-status',
  'instance-type',
  'operator-override',
  'non-retryable-failure',
  'no-failure-time',
] as const satisfies readonly SkipReason[];
type ScreenedReason = (typeof SCREENED_REASONS)[number];
export const SCREENED: ReadonlySet<SkipReason> = new Set(SCREENED_REASONS);

type RestartDecision = Extract<Decision, { action: 'restart' }>;
type HeldReason = 'in-flight' | 'outcome-unknown' | 'already-attempted';

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
  const screened = screen(instance, rule, context);
  if ('action' in screened) return screened;
  return decideWithEntry({ instance, entry, rule, now, context, failedAt: screened.failedAt });
}

/** The checks that need no ledger entry: their skip, or the failure's time when all pass. */
function screen(
  instance: Instance,
  rule: RetryRule,
  context: DecideContext,
): SkipDecision<ScreenedReason> | { failedAt: number } {
  const ruleName = { rule: rule.name };
  if (!jobSelected(instance.jobName, context.policy)) return skip('excluded', undefined, ruleName);
  if (!rule.enabled) return skip('disabled-by-rule', `disabled by ${rule.name}`, ruleName);
  const unselected = statusSkip(instance.status, rule);
  if (unselected) return unselected;
  const forbidden = restartForbidden(instance, rule);
  if (forbidden) return skip(forbidden.reason, forbidden.detail, ruleName);
  const failure = judgeMessage(instance, rule);
  if (!failure.retry) return skip('non-retryable-failure', failure.detail, ruleName);
  const failedAt = failureTime(instance);
  if (failedAt === undefined) return skip('no-failure-time', undefined, ruleName);
  return { failedAt };
}

/** Why a status the rule does not select is skipped; undefined when the rule selects it. */
function statusSkip(status: string, rule: RetryRule): SkipDecision<ScreenedReason> | undefined {
  if (rule.statuses.includes(status)) return undefined;
  const ruleName = { rule: rule.name };
  if (RESTARTABLE_STATUSES.has(status) && status !== 'success') {
    return skip(
      'status-not-selected',
      `status ${status} is not in statuses [${rule.statuses.join(', ')}]`,
      ruleName,
    );
  }
  if (FAILED_NOT_RESTARTABLE.has(status))
    return skip('status-not-restartable', `status ${status} cannot be rerun`, ruleName);
  if (NOT_FAILED_STATUSES.has(status)) return skip('not-failed', `status ${status}`, ruleName);
  return skip('unknown-status', `unknown status "${status}"`, ruleName);
}

interface ScreenedFailure {
  instance: Instance;
  entry: LedgerEntry | undefined;
  rule: RetryRule;
  now: number;
  context: DecideContext;
  /** `failureTime(instance)`, which screening found defined. */
  failedAt: number;
}

/** A failure that passed screening, decided by its ledger entry: held, budget, superseded, backoff. */
function decideWithEntry(
  failure: ScreenedFailure,
): RestartDecision | SkipDecision<Exclude<SkipReason, ScreenedReason>> {
  const { instance, entry, rule, now, context, failedAt } = failure;
  const ruleName = { rule: rule.name };
  const attempts = entry?.attempts ?? 0;
  const budget = { attempt: attempts + 1, maxAttempts: rule.maxAttempts, ...ruleName };
  const held = attemptHeld(entry, instance, now);
  // A refused last attempt never reruns this failure: with the budget used, it needs a human now.
  const refusedLast = held?.reason === 'already-attempted' && entry?.lastOutcome !== 'restarted';
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
    const detail = `next attempt ${budget.attempt} of ${rule.maxAttempts} at ${isoTime(eligibleAt)}`;
    return skip('backing-off', detail, { ...budget, until: eligibleAt });
  }
  const answered = answeredFailure(instance, failedAt, entry);
  if (!answered) return skip('already-attempted', undefined, budget);
  return {
    action: 'restart',
    attempt: budget.attempt,
    maxAttempts: rule.maxAttempts,
    rule: rule.name,
    ...answered,
  };
}

/**
 * What forbids a restart whatever the failure and the ledger say: a manual instance, a
 * type the rule does not retry, an operator's force-success or ignore-success. Asked of
 * the listing by `decide`, and of a show answer read before a restart (node rules).
 */
export function restartForbidden(
  instance: Pick<Instance, 'instanceType' | 'forceSuccess' | 'ignoreSuccess'>,
  rule: Pick<RetryRule, 'instanceTypes'>,
): { reason: 'instance-type' | 'operator-override'; detail: string } | undefined {
  const type = instance.instanceType;
  if (type === MANUAL_INSTANCE_TYPE)
    return { reason: 'instance-type', detail: 'manually scheduled instances (type 2) cannot be rerun' };
  if (type !== undefined && !rule.instanceTypes.includes(type)) {
    return {
      reason: 'instance-type',
      detail: `instance type ${type} is not in instanceTypes [${rule.instanceTypes.join(', ')}]`,
    };
  }
  if (instance.forceSuccess || instance.ignoreSuccess) {
    return {
      reason: 'operator-override',
      detail: instance.forceSuccess
        ? 'marked force-success by an operator'
        : 'marked ignore-success by an operator',
    };
  }
  return undefined;
}

/**
 * What the claim names: a newer failure by a time above the entry's (so the ledger's
 * numeric condition agrees with `isNewerFailure` even when the fields disagree with
 * `failureTime`), the same failure by the entry's own time (the ledger takes it again
 * only after an unknown outcome whose lease ended). Undefined when the answer cannot
 * be told from the failure an entry named by fields (after a reset): refused.
 */
function answeredFailure(
  instance: Instance,
  failedAt: number,
  entry: LedgerEntry | undefined,
): { failureAt: number; failureStart?: number; failureEnd?: number } | undefined {
  const fields = {
    ...(instance.startTime === undefined ? {} : { failureStart: instance.startTime }),
    ...(instance.endTime === undefined ? {} : { failureEnd: instance.endTime }),
  };
  if (entry?.failureAt === undefined) return { failureAt: failedAt, ...fields };
  if (isNewerFailure(instance, entry))
    return { failureAt: Math.max(failedAt, entry.failureAt + 1), ...fields };
  if (isSameFailure(instance, entry)) {
    // The same run: what either answer showed of it, for the next comparison.
    const start = instance.startTime ?? entry.failureStart;
    const end = instance.endTime ?? entry.failureEnd;
    return {
      failureAt: entry.failureAt,
      ...(start === undefined ? {} : { failureStart: start }),
      ...(end === undefined ? {} : { failureEnd: end }),
    };
  }
  // Older by time alone: the ledger refuses it, as it always did.
  return hasFailureFields(entry) ? undefined : { failureAt: failedAt, ...fields };
}

/** The number a claim names a failure by (lib/policy/failure-identity.ts). */
export { failureTime };

/**
 * Why the previous attempt still holds this failure, if it does: its sweep holds the
 * lease, or it already answered this very failure (the ledger's claim refuses the
 * same; this explains it). An unknown outcome frees the failure once the lease is
 * over and the very same failure still shows: then the rerun never started. A failure
 * is told from another field by field (`isNewerFailure`).
 */
function attemptHeld(
  entry: LedgerEntry | undefined,
  instance: Instance,
  now: number,
): SkipDecision<HeldReason> | undefined {
  if (!entry?.lastOutcome || entry.attempts === 0) return undefined;
  const leased = (entry.leaseUntil ?? 0) > now;
  const unknown = UNKNOWN_OUTCOMES.has(entry.lastOutcome);
  const until = entry.leaseUntil ?? now;
  if (entry.lastOutcome === 'in-flight' && leased)
    return skip('in-flight', `attempt ${entry.attempts} is in flight until ${isoTime(until)}`, { until });
  // Stryker disable next-line ConditionalExpression: equivalent, an entry without failureAt has no fields either (written before both), so isNewerFailure compares failureTime (an epoch-ms time, decide checked it is there) with 0: true.
  if (entry.failureAt === undefined || isNewerFailure(instance, entry)) return undefined;
  if (unknown && leased)
    return skip('outcome-unknown', `attempt ${entry.attempts}: outcome unknown until ${isoTime(until)}`, {
      until,
    });
  // The lease is over and the very same failure still shows: its rerun never started.
  if (unknown && isSameFailure(instance, entry)) return undefined;
  return skip(
    'already-attempted',
    `attempt ${entry.attempts} (${entry.lastOutcome}) answered this failure; waiting for a new one`,
  );
}
