import { describeError, SweepAbortedError } from '../../errors';
import { SKIP_REASONS } from '../../policy/decision';
import { mapBounded } from '../../util/concurrency';
import { returnHourly } from '../hourly';
import type { Planned, RestartDecision } from '../planned';
import type { AttemptsPort, HourlyReturnPort } from '../ports';
import { budgetOf, record } from '../records';
import type { DecisionRecord, ErrorItem, RestartedItem, UnconfirmedItem } from '../report';
import { type RestartContext, type RestartOutcome, restartOne } from '../restart-one';
import type { TargetInput } from '../target-input';

export type ExecuteInput = Pick<
  TargetInput,
  | 'client'
  | 'config'
  | 'target'
  | 'now'
  | 'random'
  | 'leaseMs'
  | 'attemptBudgetMs'
  | 'deadline'
  | 'signal'
  | 'sweepBudget'
  | 'logger'
> & {
  /** Bounded by `ledger.timeout` only: an attempt's owner records what it did even after the signal fired. */
  ownerLedger: AttemptsPort & HourlyReturnPort;
};

/** What the restarts did: one record each (in the order they ended), and why the target stopped, if it did. */
export interface Executed {
  records: DecisionRecord[];
  restarted: RestartedItem[];
  unconfirmed: UnconfirmedItem[];
  errors: ErrorItem[];
  halt?: string;
}

/** What the report adds to an attempt whose outcome the ledger did not record. */
const UNRECORDED =
  'its outcome is not recorded: the attempt stays counted, and a sweep after its lease confirms it from the instance';

/**
 * The execute phase: makes the planned restarts, bounded, oldest first. Before each
 * claim: the target must not be halted, the attempt must fit before the deadline (its
 * worst case, not its median), and the sweep cap must have room; the cap is charged at
 * the claim and given back when nothing was sent. A failure of one never stops the
 * others, except a systemic refusal (401/403, DLF.6888, a gateway code: it would refuse
 * every instance alike, and a 401 counts toward the AK lock) and the ledger (no restart
 * without a record). Then gives back the hourly slots `reserved` for restarts not sent.
 */
export async function execute(
  input: ExecuteInput,
  toRestart: readonly Planned[],
  observedAt: number,
  reserved: number,
): Promise<Executed> {
  const context: RestartContext = {
    client: input.client,
    ledger: input.ownerLedger,
    now: input.now,
    random: input.random,
    retentionMs: input.config.ledger.retentionMs,
    leaseMs: input.leaseMs,
    ...(input.signal ? { signal: input.signal } : {}),
  };
  const done: Executed = { records: [], restarted: [], unconfirmed: [], errors: [] };
  let sent = 0;
  await mapBounded(toRestart, input.config.policy.concurrency, async (p) => {
    const decision = p.decision as RestartDecision;
    const budget = budgetOf(decision);
    const refusal = refuseToStart(input, done.halt);
    if (refusal) {
      // Stryker disable next-line StringLiteral: the '' is never used, 'target-halted' is only returned once halt is set.
      done.records.push(
        record(p, refusal, refusal === 'target-halted' ? (done.halt ?? '') : SKIP_REASONS[refusal], budget),
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
        done.records.push(record(p, 'deferred', SKIP_REASONS.deferred, budget));
        return;
      }
      // The ledger failed before anything was sent: stop this target, the budget can no longer be kept.
      const described = describeError(error);
      done.halt = `ledger failed: ${described.message}`;
      done.errors.push({ ...p.key, ...described });
      done.records.push(record(p, 'target-halted', done.halt, budget));
      return;
    }
    // An attempt that is not counted goes back to the sweep cap: a target that plans later (past the share cutoff) may use it.
    if (outcome.kind === 'claimed-elsewhere' || (outcome.kind === 'failed' && !outcome.counted))
      input.sweepBudget.remaining++;
    if (outcome.kind === 'restarted' || (outcome.kind === 'failed' && outcome.counted)) sent++;
    recordOutcome(p, decision, outcome, done);
  });
  if (reserved > sent) await returnHourly(input, observedAt, reserved - sent);
  return done;
}

function refuseToStart(
  input: ExecuteInput,
  halt: string | undefined,
): 'target-halted' | 'deferred' | 'sweep-cap' | undefined {
  if (halt) return 'target-halted';
  if (input.signal?.aborted || input.now() + input.attemptBudgetMs > input.deadline) return 'deferred';
  // A second guard, never reached at 0: every claim is within its target's share and the
  // shares sum to at most the cap, so at each check at least one slot is left.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent for that reason.
  if (input.sweepBudget.remaining <= 0) return 'sweep-cap';
  return undefined;
}

/** Adds what one restart did to `done`; a systemic refusal or a ledger that failed sets the halt. */
function recordOutcome(p: Planned, decision: RestartDecision, outcome: RestartOutcome, done: Executed): void {
  const budget = budgetOf(decision);
  const attempt = { attempt: decision.attempt, maxAttempts: decision.maxAttempts };
  if (outcome.kind === 'claimed-elsewhere') {
    done.records.push(record(p, outcome.kind, SKIP_REASONS[outcome.kind], budget));
    return;
  }
  if (outcome.settleError) {
    // The restart's outcome could not be written (refused, or no answer within ledger.timeout):
    // the attempt stays counted and in flight; after its lease a later sweep marks it unconfirmed.
    const { code, message } = outcome.settleError;
    done.errors.push({ ...p.key, code, message: `${message}; ${UNRECORDED}`, attemptCounted: true });
    done.halt = `ledger failed: ${message}`;
  }
  if (outcome.kind === 'restarted') {
    done.restarted.push({ ...p.key, ...attempt });
    done.records.push(
      record(p, 'restarted', `attempt ${decision.attempt} of ${decision.maxAttempts}`, budget),
    );
    return;
  }
  done.errors.push({
    ...p.key,
    code: outcome.code,
    message: outcome.message,
    attemptCounted: outcome.counted,
  });
  if (outcome.unconfirmed) done.unconfirmed.push({ ...p.key, ...attempt, code: outcome.code });
  done.records.push(record(p, 'error', `${outcome.code}: ${outcome.message}`, budget));
  // The first refusal names the halt: later ones in flight at the same time are the same fault.
  if (outcome.haltTarget)
    done.halt ??= `stopped after ${outcome.refusal ?? outcome.code}: the request never reached the instance; nothing more is restarted on this target`;
}
