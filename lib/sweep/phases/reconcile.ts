import { INTERRUPTED } from '../../ledger/ledger';
import { resolveRule } from '../../policy/rules';
import { markBounded } from '../marks';
import type { ReconcilePort } from '../ports';
import type { UnconfirmedItem } from '../report';
import type { TargetInput } from '../target-input';

export type ReconcileInput = Pick<
  TargetInput,
  'target' | 'config' | 'dryRun' | 'now' | 'deadline' | 'signal' | 'logger'
> & { ledger: ReconcilePort };

/** The attempts this sweep found interrupted, or why the ledger could not be read. */
export type Reconciled = { ok: true; unconfirmed: UnconfirmedItem[] } | { ok: false; error: unknown };

/**
 * Attempts whose sweep died between claim and settle (crash, timeout, kill): found
 * from the ledger, whether or not the instance is listed, once their lease is over.
 * Each is marked interrupted by exactly one sweep, which reports it as unconfirmed;
 * it stays counted. Runs before the ledger is read for decisions, so a new claim
 * never erases an interruption nobody reported. A dry run reports without marking.
 */
export async function reconcile(input: ReconcileInput, now: number): Promise<Reconciled> {
  let open: Awaited<ReturnType<typeof input.ledger.inFlight>>;
  try {
    open = await input.ledger.inFlight(input.target.name);
  } catch (error) {
    return { ok: false, error };
  }
  const over = open.filter((entry) => (entry.leaseUntil ?? 0) <= now && entry.claimId !== undefined);
  const marked = await markBounded(input, over, (entry) =>
    input.ledger.markInterrupted(entry, entry.attempts, entry.claimId as string, now),
  );
  const unconfirmed = over
    .filter((_, i) => marked[i])
    .map(({ target, workspace, jobName, instanceId, attempts }) => ({
      target,
      workspace,
      jobName,
      instanceId,
      attempt: attempts,
      maxAttempts: resolveRule(jobName, input.config.policy).maxAttempts,
      code: INTERRUPTED,
    }));
  return { ok: true, unconfirmed };
}
