import { INTERRUPTED } from '../ledger/ledger';
import { cutMessage } from '../policy/failure-rules';
import { resolveRule } from '../policy/rules';
import { mapBounded } from '../util/concurrency';
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
    open = await input.ledger.inFlight(input.target.name);
  } catch (error) {
    failTarget(result, input.target, error);
    return false;
  }
  const over = open.filter((entry) => (entry.leaseUntil ?? 0) <= now && entry.claimId !== undefined);
  const marked = await markBounded(input, over, (entry) =>
    input.ledger.markInterrupted(entry, entry.attempts, entry.claimId as string, now),
  );
  for (const [i, entry] of over.entries()) {
    if (!marked[i]) continue;
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
  const fresh = planned.filter(
    ({ decision, entry }) =>
      decision.action === 'skip' &&
      decision.reason === 'budget-exhausted' &&
      entry !== undefined &&
      entry.exhaustedReportedAt === undefined,
  );
  const marked = await markBounded(input, fresh, (p) => input.ledger.markExhausted(p.key, now));
  for (const [i, p] of fresh.entries()) {
    const { entry } = p;
    if (!marked[i] || !entry) continue;
    result.exhausted.push({
      ...p.key,
      attempts: entry.attempts,
      maxAttempts: p.rule.maxAttempts,
      ...(entry.lastOutcome ? { lastOutcome: entry.lastOutcome } : {}),
      // What the last failure was: the first thing the human it goes to needs.
      ...(p.instance.errorMessage ? { lastError: cutMessage(p.instance.errorMessage) } : {}),
    });
  }
}

/** Ledger writes in flight at once for interrupted and exhausted marks. */
const MARK_CONCURRENCY = 8;

/**
 * One conditional write per item (DynamoDB has no conditional batch write that
 * dynalite or the file ledger share), `MARK_CONCURRENCY` at a time, none started at or
 * after the deadline: 10,000 marks one at a time kept a sweep with a 5 s deadline
 * running for 18.5 s. An item not marked now is marked and reported by a later sweep
 * (the mark is what makes the report happen exactly once; a refused mark is logged). A dry run marks nothing
 * and reports all. Returns, per item, whether this sweep marked it first.
 */
async function markBounded<T>(
  input: TargetSweepInput,
  items: readonly T[],
  mark: (item: T) => Promise<boolean>,
): Promise<boolean[]> {
  if (input.dryRun) return items.map(() => true);
  return mapBounded(items, MARK_CONCURRENCY, async (item) => {
    if (input.signal?.aborted || input.now() >= input.deadline) return false;
    return mark(item).catch(markRefused(input));
  });
}

/**
 * A mark (exhausted, interrupted, a rerun's verdict) the ledger refused: not reported
 * now, so the log says why; a ledger that keeps refusing would otherwise hide it.
 */
export function markRefused(input: Pick<TargetSweepInput, 'logger' | 'target'>): (error: unknown) => false {
  return (error) => {
    input.logger.warn('ledger mark not written: reported by a later sweep', {
      target: input.target.name,
      error: String(error),
    });
    return false;
  };
}
