/** Why an instance was not restarted. Every decision carries one of these, or is a restart. */
export const SKIP_REASONS = {
  'not-failed': 'the instance is not in a failed state',
  'status-not-selected': 'the status is not one the policy retries (e.g. manual-stop is opt-in)',
  'status-not-restartable': 'DataArts cannot rerun an instance in this status',
  'unknown-status': 'a status this tool does not know; never retried',
  'instance-type': 'the instance type is not retried (manual instances cannot be rerun)',
  excluded: 'the job is not selected by policy.jobs / policy.excludeJobs',
  'disabled-by-rule': 'a rule disables retries for this job',
  'operator-override': 'an operator set force-success or ignore-success',
  'non-retryable-failure':
    'the failure matches a rule that says it will fail again (neverRetryOn, retryOn, node types)',
  'budget-exhausted': 'every allowed attempt was used',
  'in-flight': 'an attempt is in flight: the sweep that claimed it still holds its lease',
  'outcome-unknown': 'the last attempt’s outcome is unknown: waiting until DataArts shows what it did',
  'already-attempted': 'this very failure already had its attempt; only a new failure earns the next',
  'no-failure-time': 'the answer has no time that tells this failure from an earlier one',
  'backing-off': 'waiting for the retry delay to pass',
  superseded: 'a newer instance of the same job succeeded',
  'sweep-cap': 'policy.maxRestartsPerSweep reached',
  'hourly-cap': 'policy.maxRestartsPerHour reached for this target',
  'storm-guard': 'too many failures at once: a shared cause is suspected',
  'held-by-incident': 'its cause is an open incident: held until a canary rerun shows the cause is gone',
  'dry-run': 'dry run: would restart',
  deferred: 'the sweep ran out of time before this instance',
  'claimed-elsewhere': 'another sweep claimed this attempt first',
  'target-halted': 'the target stopped (authentication or ledger failure)',
} as const;

export type SkipReason = keyof typeof SKIP_REASONS;

/**
 * Every outcome a listed instance can have in a report: restarted, error, or a skip
 * reason. The one list of these names: the report's schema, the table's order and the
 * metrics' eligible set are checked against it (`satisfies readonly Outcome[]`).
 */
export const OUTCOMES = ['restarted', 'error', ...(Object.keys(SKIP_REASONS) as SkipReason[])] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type Decision =
  | {
      action: 'restart';
      attempt: number;
      maxAttempts: number;
      rule: string;
      /** The failure this attempt answers (DataArts' time of it): the claim names it. */
      failureAt: number;
      /** That failure's `startTime` and `endTime` as answered: the claim records them. */
      failureStart?: number;
      failureEnd?: number;
    }
  | {
      action: 'skip';
      reason: SkipReason;
      detail: string;
      rule?: string;
      /** When the instance becomes eligible (backing-off). */
      until?: number;
      /** The attempt it would have been (caps, dry run, deadline). */
      attempt?: number;
      maxAttempts?: number;
    };

/** A skip for one of `reasons`: the type says which reasons a step of `decide` may give. */
export type SkipDecision<R extends SkipReason = SkipReason> = Extract<Decision, { action: 'skip' }> & {
  reason: R;
};

export function skip<R extends SkipReason>(
  reason: R,
  detail: string = SKIP_REASONS[reason],
  extra: Omit<SkipDecision, 'action' | 'reason' | 'detail'> = {},
): SkipDecision<R> {
  return { action: 'skip', reason, detail, ...extra };
}
