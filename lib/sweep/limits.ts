import { skip } from '../policy/decision';
import { applyFleetLimits, byRestartPriority, type Candidate, type StormVerdict } from '../policy/guards';
import { untilAborted } from '../util/abort';
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
      hourRemaining = await untilAborted(
        input.dryRun
          ? input.ledger
              .hourlyCount(input.target.name, now)
              .then((used) => Math.max(0, policy.maxRestartsPerHour - used))
          : input.ledger.reserveHourly(input.target.name, now, policy.maxRestartsPerHour, wanted),
        input.signal,
      );
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
  // A dry run claims nothing, so it charges the sweep cap here for what it would restart.
  if (input.dryRun)
    input.sweepBudget.remaining -= limited.filter(
      (d) => d.action === 'skip' && d.reason === 'dry-run',
    ).length;
  // Same priority as the caps: fewest attempts used, then the oldest failure, go first.
  const toRestart = planned
    .filter(wantsRestart)
    .sort((a, b) => byRestartPriority(candidate(a), candidate(b)));
  return { toRestart, reserved };
}
