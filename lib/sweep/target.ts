import { apiCounters, type TargetOutcome, targetOutcome } from './outcome';
import { commitIncidents } from './phases/commit-incidents';
import { execute } from './phases/execute';
import { reportExhausted } from './phases/exhausted';
import { incidents, type PendingIncidents } from './phases/incidents';
import { inspect } from './phases/inspect';
import { limit } from './phases/limit';
import { list } from './phases/list';
import { type Plan, prioritise, screen } from './phases/plan';
import { reconcile } from './phases/reconcile';
import type { TargetInput, Window } from './target-input';

export type { TargetOutcome } from './outcome';
export type { TargetApi, TargetInput } from './target-input';

/**
 * One target's sweep: reconcile interrupted attempts → list the window → screen (decide
 * each instance, track recovery) → incidents (hold the failures of an outage's cause,
 * probe it with one canary) → prioritise (storm guard, entries read in priority) →
 * limit (caps, fair share) → inspect (node rules) → commit the incidents' board (what
 * goes, before any claim) → report exhausted budgets → execute the restarts. Each phase takes values and returns
 * one; a phase that fails ends the target, and what the phases returned is folded once
 * into the target's outcome. Never throws for the target's or an instance's failure.
 */
export async function sweepTarget(input: TargetInput): Promise<TargetOutcome> {
  const started = input.now();
  const window: Window = { from: started - input.config.policy.lookbackMs, to: started };
  const base = { window, started, callsBefore: apiCounters(input.client) };
  const reconciled = await reconcile(input, started);
  if (!reconciled.ok) return targetOutcome(input, { ...base, reconciled });
  const listed = await list(input, window);
  if (!listed.ok) return targetOutcome(input, { ...base, reconciled, listed });
  const screened = await screen(input, listed.listing, window, started);
  if (!screened.ok) return targetOutcome(input, { ...base, reconciled, listed, plan: screened });
  const held = await incidents(input, screened.screened, started, screened.redecide);
  if (!held.ok)
    return targetOutcome(input, {
      ...base,
      reconciled,
      listed,
      plan: { ...held, aborted: input.signal?.aborted ?? false },
    });
  const total = listed.listing.total;
  const { recovery } = screened;
  const planned = await prioritise(
    input,
    held.planned,
    { recovery, accounted: held.accounted },
    total,
    started,
  );
  if (!planned.ok) return targetOutcome(input, { ...base, reconciled, listed, plan: planned });
  return targetOutcome(input, {
    ...base,
    reconciled,
    listed,
    plan: planned,
    ...(await act(input, planned, held.pending, started)),
  });
}

/** From the plan to the restarts: the phases that act on the decided failures. */
async function act(
  input: TargetInput,
  planned: Extract<Plan, { ok: true }>,
  pending: PendingIncidents | undefined,
  started: number,
) {
  const stopped = planned.storm.suspected && !planned.storm.ignored;
  const limited = await limit(input, planned.evaluated, { ...planned.storm, suspected: stopped }, started);
  // After the limits, so a storm or a cap costs no request; before the claims, which they may prevent.
  const judged = await inspect(input, limited.planned, limited.toRestart);
  // What goes is known now: the board records it before any claim.
  const incidents = await commitIncidents(input, pending, judged, started);
  const inspected = { ...judged, planned: incidents.planned, toRestart: incidents.toRestart };
  const exhausted = await reportExhausted(input, inspected.planned, started);
  const executed = await execute(input, inspected.toRestart, started, limited.reserved);
  return { limited, inspected, incidents, exhausted, executed };
}
