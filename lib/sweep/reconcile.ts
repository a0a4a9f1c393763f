import { INTERRUPTED } from '../ledger/ledger';
import { resolveRule } from '../policy/rules';
import { untilAborted } from '../util/abort';
import { failTarget, type Planned, type TargetSweepInput, type TargetSweepResult } from './target-context';

/**
 * Attempts whose sweep died between claim and settle (crash, timeout, kill): found
 * from the ledger, whether or not the instance is listed, once their lease is over.
 * Each is marked interrupted by exactly one sweep, which reports it as unconfirmed;
 * it stays counted. Runs before the ledger is read for decisions, so a new claim
 * never erases an interruption nobody reported. A dry run reports without marking.
 */
export async function reconcileInterrupted(
  input: TargetSweepInput,
  result: TargetSweepResult,
  now: number,
): Promise<boolean> {
  let open: Awaited<ReturnType<typeof input.ledger.inFlight>>;
  try {
    open = await untilAborted(input.ledger.inFlight(input.target.name), input.signal);
  } catch (error) {
    failTarget(result, input.target, error);
    return false;
  }
  for (const entry of open) {
    if ((entry.leaseUntil ?? 0) > now || entry.claimId === undefined) continue;
    const first =
      input.dryRun ||
      (await input.ledger.markInterrupted(entry, entry.attempts, entry.claimId, now).catch(() => false));
    if (!first) continue;
    const { target, workspace, jobName, instanceId } = entry;
    result.unconfirmed.push({
      target,
      workspace,
      jobName,
      instanceId,
      attempt: entry.attempts,
      maxAttempts: resolveRule(jobName, input.config.policy).maxAttempts,
      code: INTERRUPTED,
    });
  }
  return true;
}

/**
 * Exhausted budgets are reported once, by the sweep that first sees them. A dry run
 * reports what a real sweep would report now, and marks nothing.
 */
export async function reportExhausted(
  input: TargetSweepInput,
  planned: readonly Planned[],
  result: TargetSweepResult,
  now: number,
): Promise<void> {
  for (const p of planned) {
    const { decision, entry } = p;
    if (decision.action !== 'skip' || decision.reason !== 'budget-exhausted' || !entry) continue;
    if (entry.exhaustedReportedAt !== undefined) continue;
    const first = input.dryRun || (await input.ledger.markExhausted(p.key, now).catch(() => false));
    if (!first) continue;
    result.exhausted.push({
      ...p.key,
      attempts: entry.attempts,
      maxAttempts: p.rule.maxAttempts,
      ...(entry.lastOutcome ? { lastOutcome: entry.lastOutcome } : {}),
    });
  }
}
