import type { LedgerEntry } from '../ledger/ledger';
import { detectStorm, type StormVerdict } from '../policy/guards';
import { stormFailures } from '../policy/storm-count';
import { untilAborted } from '../util/abort';
import { executeRestarts } from './execute';
import { applyNodeRules } from './failure-details';
import { applyLimits } from './limits';
import { listTarget, type TargetListing } from './list-target';
import { keysOf, planTarget } from './plan';
import { reconcileInterrupted, reportExhausted } from './reconcile';
import { trackRecovery } from './recovery';
import { countBy } from './report';
import {
  emptyResult,
  failTarget,
  fromSkip,
  type Planned,
  record,
  type TargetSweepInput,
  type TargetSweepResult,
  workspaceOf,
} from './target-context';

export type { TargetApi, TargetSweepInput, TargetSweepResult } from './target-context';

/**
 * One target's sweep, in phases that each do one thing: reconcile interrupted
 * attempts (from the ledger), list the window, plan (decide each instance), apply
 * the fleet limits, report exhausted budgets, execute the restarts, report. Never
 * throws for the target's or an instance's failure: those are in the result.
 */
export async function sweepTarget(input: TargetSweepInput): Promise<TargetSweepResult> {
  const started = input.now();
  const window = { from: started - input.config.policy.lookbackMs, to: started };
  const result = emptyResult(input, window);
  const finish = finisher(input, result, started);

  if (!(await reconcileInterrupted(input, result, started))) return finish();
  const listing = await listOrFail(input, window, result);
  if (!listing) return finish();

  const keys = keysOf(input, listing.listed);
  let entries: Map<string, LedgerEntry>;
  try {
    entries = await untilAborted(input.ledger.read(keys), input.signal);
  } catch (error) {
    const described = failTarget(result, input.target, error);
    listing.listed.forEach((instance, i) => {
      const p = { instance, key: keys[i] as (typeof keys)[number] };
      result.decisions.push(record(p, 'target-halted', `ledger unreadable: ${described.message}`));
    });
    return finish();
  }
  // Before any claim: a new claim replaces the attempt whose rerun is being judged.
  await trackRecovery(input, listing, result, window);
  // Decided as of the listing: a lease that ended after it began cannot be judged from it.
  const planned = planTarget(input, listing, keys, entries, started);
  const storm = stormVerdict(input, planned, listing.total, started);
  result.report.storm = storm;
  const limits = await applyLimits(
    input,
    planned,
    { ...storm, suspected: storm.suspected && !storm.ignored },
    result,
    started,
  );
  const { reserved } = limits;
  // After the limits, so a storm or a cap costs no request; before the claims, which they may prevent.
  await applyNodeRules(input, planned);
  const toRestart = limits.toRestart.filter((p) => p.decision.action === 'restart');
  await reportExhausted(input, planned, result, started);
  for (const p of planned) if (p.decision.action === 'skip') result.decisions.push(fromSkip(p, p.decision));

  const sent = await executeRestarts(input, toRestart, started, result);
  if (reserved > sent) {
    await input.ledger.releaseHourly(input.target.name, started, reserved - sent).catch((error: unknown) => {
      // Unreturned slots only make this hour's cap stricter: the safe side.
      failTarget(result, input.target, error);
    });
  }
  return finish();
}

/**
 * The storm guard counts the failures policy would retry, budget left, that ended
 * within `stormGuard.window`: excluded jobs, manual instances, overrides, exhausted
 * budgets and old failures say nothing about a storm of retries. With
 * `ignoreStormGuard` the verdict is still reported, marked ignored.
 */
function stormVerdict(
  input: TargetSweepInput,
  planned: readonly Planned[],
  total: number | undefined,
  now: number,
): StormVerdict & { ignored?: boolean } {
  const { stormGuard, lookbackMs } = input.config.policy;
  const counted = stormFailures(planned, now, Math.min(stormGuard.window, lookbackMs));
  const storm = detectStorm(counted, total, stormGuard);
  return input.ignoreStormGuard ? { ...storm, ignored: true } : storm;
}

async function listOrFail(
  input: TargetSweepInput,
  window: { from: number; to: number },
  result: TargetSweepResult,
): Promise<TargetListing | undefined> {
  try {
    const listing = await listTarget(input.client, window, input.config, input.signal);
    for (const message of listing.incomplete) {
      result.errors.push({
        target: input.target.name,
        workspace: workspaceOf(input.target),
        code: 'LIST_INCOMPLETE',
        message,
      });
    }
    for (const bad of listing.invalid) {
      result.errors.push({
        target: input.target.name,
        workspace: workspaceOf(input.target),
        code: 'MALFORMED_INSTANCE',
        message: `list answer item ${bad.index}: ${bad.problem}`,
      });
    }
    result.report.listed = listing.listed.length;
    return listing;
  } catch (error) {
    const described = failTarget(result, input.target, error);
    input.logger.warn('target listing failed', { target: input.target.name, ...described });
    return undefined;
  }
}

/** Completes the report: counts, this sweep's API calls (clients outlive a sweep), duration. */
function finisher(input: TargetSweepInput, result: TargetSweepResult, started: number) {
  const { client } = input;
  const before = { ...client.calls, retries: client.stats.retries, throttled: client.stats.throttled };
  return (): TargetSweepResult => {
    // One line per decision at debug level: why each instance was or was not restarted.
    for (const decision of result.decisions) input.logger.debug('decision', { ...decision });
    result.report.counts = countBy(result.decisions);
    result.report.apiCalls = {
      list: client.calls.list - before.list,
      show: client.calls.show - before.show,
      restart: client.calls.restart - before.restart,
      retries: client.stats.retries - before.retries,
      throttled: client.stats.throttled - before.throttled,
    };
    result.report.durationMs = Math.max(0, input.now() - started);
    return result;
  };
}
