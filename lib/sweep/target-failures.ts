import type { ErrorCode } from '../errors';
import type { SweepReport, TargetReport } from './report';

/** A target that could not be swept, and why. */
export type FailedTarget = TargetReport & { error: NonNullable<TargetReport['error']> };

/** Targets that could not be swept: listing, the ledger or authentication failed on them. */
export function failedTargets(report: SweepReport): FailedTarget[] {
  return report.targets.filter((t): t is FailedTarget => t.error !== undefined);
}

/**
 * Target failures that say nothing about the setup: the deadline cut the listing short,
 * or DataArts answered something unreadable. The report is the useful result then (the
 * TargetFailed alarm still fires); anything else failing on every target is a setup that
 * sweeps nothing (endpoint, project, network, permissions, credentials, ledger).
 */
const NOT_SETUP: ReadonlySet<string> = new Set<ErrorCode>([
  'ABORTED',
  'MALFORMED_RESPONSE',
  'RESPONSE_TOO_LARGE',
  'WINDOW_NOT_SHRINKING',
  'WINDOW_TOO_DENSE',
  'LIST_BUDGET_EXCEEDED',
  'LIST_INCOMPLETE',
  'PAGING_UNDETECTABLE',
]);

/** Not one target could be swept, for a reason of setup: the sweep did nothing and would do nothing next time. */
export function everyTargetFailed(report: SweepReport): boolean {
  const failed = failedTargets(report);
  // No target: `some` is false, a sweep of nothing is not a failed setup.
  return failed.length === report.targets.length && failed.some((t) => !NOT_SETUP.has(t.error.code));
}
