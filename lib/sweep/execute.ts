import { describeError, SweepAbortedError } from '../errors';
import { SKIP_REASONS } from '../policy/decision';
import { mapBounded } from '../util/concurrency';
import { type RestartContext, type RestartOutcome, restartOne } from './restart-one';
import {
  budgetOf,
  type Planned,
  type RestartDecision,
  record,
  type TargetSweepInput,
  type TargetSweepResult,
} from './target-context';

/** Why nothing more is started on this target, once something made it unsafe. */
interface Halt {
  reason?: string;
}

/**
 * Makes the planned restarts, bounded, oldest first. Before each claim: the target
 * must not be halted, the attempt must fit before the deadline (its worst case, not
 * its median), and the sweep cap must have room; the cap is charged at the claim and
 * given back when nothing was sent. A failure of one never stops the others, except a
 * systemic refusal (401/403, DLF.6888, a gateway code: it would refuse every instance
 * alike, and a 401 counts toward the AK lock) and the ledger (no restart without a record).
 * Returns how many restarts were sent (for the hourly reservation).
 */
export async function executeRestarts(
  input: TargetSweepInput,
  toRestart: readonly Planned[],
  observedAt: number,
  result: TargetSweepResult,
): Promise<number> {
  const context: RestartContext = {
    client: input.client,
    ledger: input.ownerLedger,
    now: input.now,
    random: input.random,
    retentionMs: input.config.ledger.retentionMs,
    leaseMs: input.leaseMs,
    ...(input.signal ? { signal: input.signal } : {}),
  };
  const halt: Halt = {};
  let sent = 0;
  await mapBounded(toRestart, input.config.policy.concurrency, async (p) => {
    const decision = p.decision as RestartDecision;
    const budget = budgetOf(decision);
    const refusal = refuseToStart(input, halt);
    if (refusal) {
      result.decisions.add(
        // Stryker disable next-line StringLiteral: the '' is never used, 'target-halted' is only returned once halt.reason is set.
        record(p, refusal, refusal === 'target-halted' ? (halt.reason ?? '') : SKIP_REASONS[refusal], budget),
      );
      return;
    }
    input.sweepBudget.remaining--;
    let outcome: RestartOutcome;
    try {
      outcome = await restartOne(context, {
        ...p,
        attempt: decision.attempt,
        failureAt: decision.failureAt,
        failureStart: decision.failureStart,
        failureEnd: decision.failureEnd,
        observedAt,
      });
    } catch (error) {
      input.sweepBudget.remaining++;
      if (error instanceof SweepAbortedError) {
        result.decisions.add(record(p, 'deferred', SKIP_REASONS.deferred, budget));
        return;
      }
      // The ledger failed before anything was sent: stop this target, the budget can no longer be kept.
      const described = describeError(error);
      halt.reason = `ledger failed: ${described.message}`;
      result.errors.push({ ...p.key, ...described });
      result.decisions.add(record(p, 'target-halted', halt.reason, budget));
      return;
    }
    // An attempt that is not counted goes back to the sweep cap: a target that plans later (past the share cutoff) may use it.
    if (outcome.kind === 'claimed-elsewhere' || (outcome.kind === 'failed' && !outcome.counted))
      input.sweepBudget.remaining++;
    if (outcome.kind === 'restarted' || (outcome.kind === 'failed' && outcome.counted)) sent++;
    recordOutcome(p, decision, outcome, result, halt);
  });
  if (halt.reason) result.report.error ??= { code: 'TARGET_HALTED', message: halt.reason };
  return sent;
}

function refuseToStart(
  input: TargetSweepInput,
  halt: Halt,
): 'target-halted' | 'deferred' | 'sweep-cap' | undefined {
  if (halt.reason) return 'target-halted';
  if (input.signal?.aborted || input.now() + input.attemptBudgetMs > input.deadline) return 'deferred';
  // A second guard, never reached at 0: every claim is within its target's share and the
  // shares sum to at most the cap, so at each check at least one slot is left.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent for that reason.
  if (input.sweepBudget.remaining <= 0) return 'sweep-cap';
  return undefined;
}

/** What the report adds to an attempt whose outcome the ledger did not record. */
const UNRECORDED =
  'its outcome is not recorded: the attempt stays counted, and a sweep after its lease confirms it from the instance';

function recordOutcome(
  p: Planned,
  decision: RestartDecision,
  outcome: RestartOutcome,
  result: TargetSweepResult,
  halt: Halt,
): void {
  const budget = budgetOf(decision);
  const attempt = { attempt: decision.attempt, maxAttempts: decision.maxAttempts };
  if (outcome.kind === 'claimed-elsewhere') {
    result.decisions.add(record(p, outcome.kind, SKIP_REASONS[outcome.kind], budget));
    return;
  }
  if (outcome.settleError) {
    // The restart's outcome could not be written (refused, or no answer within ledger.timeout):
    // the attempt stays counted and in flight; after its lease a later sweep marks it unconfirmed.
    const { code, message } = outcome.settleError;
    result.errors.push({ ...p.key, code, message: `${message}; ${UNRECORDED}`, attemptCounted: true });
    halt.reason = `ledger failed: ${outcome.settleError.message}`;
  }
  if (outcome.kind === 'restarted') {
    result.restarted.push({ ...p.key, ...attempt });
    result.decisions.add(
      record(p, 'restarted', `attempt ${decision.attempt} of ${decision.maxAttempts}`, budget),
    );
    return;
  }
  result.errors.push({
    ...p.key,
    code: outcome.code,
    message: outcome.message,
    attemptCounted: outcome.counted,
  });
  if (outcome.unconfirmed) result.unconfirmed.push({ ...p.key, ...attempt, code: outcome.code });
  result.decisions.add(record(p, 'error', `${outcome.code}: ${outcome.message}`, budget));
  // The first refusal names the halt: later ones in flight at the same time are the same fault.
  if (outcome.haltTarget)
    halt.reason ??= `stopped after ${outcome.refusal ?? outcome.code}: the request never reached the instance; nothing more is restarted on this target`;
}
