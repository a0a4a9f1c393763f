import { type Outcome, SKIP_REASONS } from '../policy/decision';
import { detectStorm, type StormVerdict } from '../policy/guards';
import { stormFailures } from '../policy/storm-count';
import { executeRestarts } from './execute';
import { applyNodeRules } from './failure-details';
import { applyLimits, returnHourly } from './limits';
import { listTarget, type TargetListing } from './list-target';
import { readInPriority, screenTarget, unreadDecision } from './plan';
import { reconcileInterrupted, reportExhausted } from './reconcile';
import { trackRecovery } from './recovery-tracking';
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

  const plan = await planOrHalt(input, listing, result, window, started);
  if (!plan) return finish();
  const { evaluated, unread, storm, roomCap } = plan;
  const stopped = storm.suspected && !storm.ignored;
  const limits = await applyLimits(input, evaluated, { ...storm, suspected: stopped }, result, started);
  const { reserved } = limits;
  recordUnread(unread, result, roomCap, stopped ? `storm suspected: ${storm.reason}` : undefined);
  // After the limits, so a storm or a cap costs no request; before the claims, which they may prevent.
  await applyNodeRules(input, evaluated, result);
  const toRestart = limits.toRestart.filter((p) => p.decision.action === 'restart');
  await reportExhausted(input, evaluated, result, started);
  for (const p of evaluated) {
    const { decision } = p;
    if (decision.action === 'skip') result.decisions.addLazily(decision.reason, () => fromSkip(p, decision));
  }

  const sent = await executeRestarts(input, toRestart, started, result);
  if (reserved > sent) await returnHourly(input, started, reserved - sent);
  return finish();
}

/**
 * Decides the listed failures: from the listing and the ledger's `spent` index first,
 * then the entries of as many restartable failures as the caps can take (plan.ts).
 * Recovery is tracked in between: before any claim, as a claim replaces the attempt
 * whose rerun is judged. Undefined when the ledger failed (the target is halted).
 */
async function planOrHalt(
  input: TargetSweepInput,
  listing: TargetListing,
  result: TargetSweepResult,
  window: { from: number; to: number },
  started: number,
) {
  try {
    const planned = await screenTarget(input, listing, window, started);
    await trackRecovery(input, listing, result, window);
    // Decided as of the listing: a lease that ended after it began cannot be judged from it.
    const storm = stormVerdict(input, planned, listing.total, started);
    result.report.storm = storm;
    const { policy } = input.config;
    const stopped = storm.suspected && !storm.ignored;
    const { remaining } = input.sweepBudget;
    const room = stopped ? 0 : Math.min(remaining, policy.maxRestartsPerHour);
    // The cap that set the room, named now: the sweep's budget moves as restarts are reserved.
    const roomCap: UnreadCap = remaining <= policy.maxRestartsPerHour ? 'sweep-cap' : 'hourly-cap';
    const unread = await readInPriority(input, planned, room, started);
    const left = new Set(unread);
    return { evaluated: planned.filter((p) => !left.has(p)), unread, storm, roomCap };
  } catch (error) {
    haltAll(input, result, listing, error);
    return undefined;
  }
}

type UnreadCap = 'sweep-cap' | 'hourly-cap';

/**
 * The failures left unread (plan.ts): counted under the cap older failures filled (the
 * one a limit refused a restart for, else the one that set the room) or the storm, by
 * count in the report, each item kept only as the decision log allows.
 */
function recordUnread(
  unread: readonly Planned[],
  result: TargetSweepResult,
  roomCap: UnreadCap,
  storm: string | undefined,
): void {
  if (unread.length === 0) return;
  const cap = result.report.limitedBy ?? roomCap;
  const halted = result.report.error;
  const decision = halted
    ? unreadDecision('target-halted', `the target stopped: ${halted.message}`)
    : storm
      ? unreadDecision('storm-guard', storm)
      : unreadDecision(cap, 'the cap was filled by older failures first');
  if (!storm && !halted) result.report.limitedBy = cap;
  result.report.notEvaluated = unread.length;
  for (const p of unread) result.decisions.addLazily(decision.reason, () => fromSkip(p, decision));
}

/**
 * The ledger could not be read: the target stops, every listed instance is reported
 * halted. Stopped by the sweep's deadline (or Ctrl-C) instead: deferred, no error.
 */
function haltAll(
  input: TargetSweepInput,
  result: TargetSweepResult,
  listing: TargetListing,
  error: unknown,
): void {
  const workspace = workspaceOf(input.target);
  const [outcome, detail]: [Outcome, string] = input.signal?.aborted
    ? ['deferred', SKIP_REASONS.deferred]
    : ['target-halted', `ledger unreadable: ${failTarget(result, input.target, error).message}`];
  for (const instance of listing.listed) {
    const { jobName, instanceId } = instance;
    const key = { target: input.target.name, workspace, jobName, instanceId };
    result.decisions.add(record({ instance, key }, outcome, detail));
  }
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
    for (const message of listing.malformed) {
      result.errors.push({
        target: input.target.name,
        workspace: workspaceOf(input.target),
        code: 'MALFORMED_INSTANCE',
        message,
      });
    }
    result.report.listed = listing.listed.length;
    if (Object.keys(listing.unknownStatuses).length > 0)
      result.report.unknownStatuses = listing.unknownStatuses;
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
    for (const decision of result.decisions.items) input.logger.debug('decision', { ...decision });
    result.report.counts = { ...result.decisions.counts };
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
