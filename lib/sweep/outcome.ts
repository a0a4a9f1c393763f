import { describeError } from '../errors';
import { SKIP_REASONS } from '../policy/decision';
import { isoTime } from '../util/time';
import { DecisionLog } from './decision-log';
import type { Committed } from './phases/commit-incidents';
import type { Executed } from './phases/execute';
import type { Inspected } from './phases/inspect';
import type { Limited } from './phases/limit';
import type { Listed } from './phases/list';
import type { Plan } from './phases/plan';
import type { Reconciled } from './phases/reconcile';
import { type Planned, unreadDecision, workspaceOf } from './planned';
import { fromSkip, record, targetError } from './records';
import type {
  ErrorItem,
  ExhaustedItem,
  InstanceRef,
  NotHelpingItem,
  RestartedItem,
  TargetReport,
  UnconfirmedItem,
} from './report';
import type { TargetApi, TargetInput, Window } from './target-input';

/** One target's part of the sweep report, built once from the values of its phases. */
export interface TargetOutcome {
  report: TargetReport;
  decisions: DecisionLog;
  restarted: RestartedItem[];
  exhausted: ExhaustedItem[];
  unconfirmed: UnconfirmedItem[];
  errors: ErrorItem[];
  /** Reruns of earlier sweeps that recovered, recorded by this one (lib/sweep/recovery.ts). */
  recovered: InstanceRef[];
  notHelping: NotHelpingItem[];
}

/** The values of the phases, as far as the target got (a phase that failed ends it). */
export interface PhaseValues {
  window: Window;
  started: number;
  /** The client's counters when the target began: clients outlive a sweep. */
  callsBefore: ApiCounters;
  reconciled: Reconciled;
  listed?: Listed;
  incidents?: Committed;
  plan?: Plan;
  limited?: Limited;
  inspected?: Inspected;
  exhausted?: ExhaustedItem[];
  executed?: Executed;
}

export type ApiCounters = TargetApi['calls'] & { retries: number; throttled: number };

export function apiCounters(client: TargetApi): ApiCounters {
  return { ...client.calls, retries: client.stats.retries, throttled: client.stats.throttled };
}

type OutcomeInput = Pick<TargetInput, 'target' | 'client' | 'signal' | 'now' | 'itemsPerOutcome' | 'logger'>;

/** Folds the phases' values, in the order they ran, into the target's outcome. */
export function targetOutcome(input: OutcomeInput, v: PhaseValues): TargetOutcome {
  const out = emptyOutcome(input, v.window);
  const fail = (error: unknown) => {
    const { described, item } = targetError(input.target, error);
    out.report.error = described;
    out.errors.push(item);
    return described;
  };
  if (!v.reconciled.ok) fail(v.reconciled.error);
  else out.unconfirmed.push(...v.reconciled.unconfirmed);
  if (v.listed && !v.listed.ok) fail(v.listed.error);
  if (v.listed?.ok) {
    const { listing, errors } = v.listed;
    out.errors.push(...errors);
    out.report.listed = listing.listed.length;
    if (Object.keys(listing.unknownStatuses).length > 0) out.report.unknownStatuses = listing.unknownStatuses;
    if (v.plan && !v.plan.ok) haltAll(input, out, listing.listed, v.plan, fail);
  }
  if (v.incidents) foldIncidents(out, v.incidents);
  if (v.plan?.ok)
    foldPlan(out, v.plan, v.limited, v.limited?.error === undefined ? undefined : fail(v.limited.error));
  if (v.inspected) {
    out.errors.push(...v.inspected.errors);
    out.exhausted.push(...(v.exhausted ?? []));
    for (const p of v.inspected.planned) addSkip(out.decisions, p);
  }
  if (v.executed) foldExecuted(out, v.executed);
  return finish(input, out, v);
}

function emptyOutcome(input: OutcomeInput, window: Window): TargetOutcome {
  return {
    report: {
      target: input.target.name,
      projectId: input.target.projectId,
      workspace: workspaceOf(input.target),
      window: { from: isoTime(window.from), to: isoTime(window.to) },
      listed: 0,
      storm: { suspected: false, failedJobs: 0, failedInstances: 0 },
      counts: {},
      apiCalls: { list: 0, show: 0, restart: 0, retries: 0, throttled: 0 },
      durationMs: 0,
    },
    decisions: new DecisionLog(input.itemsPerOutcome),
    restarted: [],
    exhausted: [],
    unconfirmed: [],
    errors: [],
    recovered: [],
    notHelping: [],
  };
}

/**
 * The ledger could not be read while planning: the target stops, every listed instance
 * is reported halted. Stopped by the sweep's deadline (or Ctrl-C) instead: deferred, no error.
 */
function haltAll(
  input: OutcomeInput,
  out: TargetOutcome,
  listed: readonly Planned['instance'][],
  plan: Extract<Plan, { ok: false }>,
  fail: (error: unknown) => { message: string },
): void {
  const aborted = plan.aborted || input.signal?.aborted;
  const detail = aborted ? undefined : `ledger unreadable: ${fail(plan.error).message}`;
  for (const instance of listed) {
    const { jobName, instanceId } = instance;
    const key = { target: input.target.name, workspace: workspaceOf(input.target), jobName, instanceId };
    out.decisions.add(
      detail === undefined
        ? record({ instance, key }, 'deferred', SKIP_REASONS.deferred)
        : record({ instance, key }, 'target-halted', detail),
    );
  }
}

/**
 * The plan's storm verdict and what became of earlier reruns; the failures left unread,
 * counted under the cap older failures filled (the one a limit refused a restart for,
 * else the one that set the room), the storm, or the halt of the hourly reservation.
 */
function foldPlan(
  out: TargetOutcome,
  plan: Extract<Plan, { ok: true }>,
  limited: Limited | undefined,
  halted: { message: string } | undefined,
): void {
  const { report } = out;
  report.storm = plan.storm;
  if (plan.recovery) {
    report.recovery = plan.recovery.counts;
    out.recovered.push(...plan.recovery.recovered);
    out.notHelping.push(...plan.recovery.notHelping);
  }
  if (limited?.limitedBy) report.limitedBy = limited.limitedBy;
  if (plan.unread.length === 0) return;
  const stopped = plan.storm.suspected && !plan.storm.ignored;
  const cap = report.limitedBy ?? plan.roomCap;
  const decision = halted
    ? unreadDecision('target-halted', `the target stopped: ${halted.message}`)
    : stopped
      ? unreadDecision('storm-guard', `storm suspected: ${plan.storm.reason}`)
      : unreadDecision(cap, 'the cap was filled by older failures first');
  if (!stopped && !halted) report.limitedBy = cap;
  report.notEvaluated = plan.unread.length;
  for (const p of plan.unread) out.decisions.addLazily(decision.reason, () => fromSkip(p, decision));
}

/** The target's incidents, and a board write that failed (its causes were held). */
function foldIncidents(out: TargetOutcome, incidents: Committed): void {
  if (incidents.reports.length > 0) out.report.incidents = incidents.reports;
  if (incidents.error !== undefined) out.report.incidentError = describeError(incidents.error);
}

function addSkip(log: DecisionLog, p: Planned): void {
  const { decision } = p;
  if (decision.action === 'skip') log.addLazily(decision.reason, () => fromSkip(p, decision));
}

function foldExecuted(out: TargetOutcome, executed: Executed): void {
  for (const r of executed.records) out.decisions.add(r);
  out.restarted.push(...executed.restarted);
  out.unconfirmed.push(...executed.unconfirmed);
  out.errors.push(...executed.errors);
  if (executed.halt) out.report.error ??= { code: 'TARGET_HALTED', message: executed.halt };
}

/** Completes the report: counts, this sweep's API calls, duration; one debug line per decision. */
function finish(input: OutcomeInput, out: TargetOutcome, v: PhaseValues): TargetOutcome {
  // One line per decision at debug level: why each instance was or was not restarted.
  for (const decision of out.decisions.items) input.logger.debug('decision', { ...decision });
  const now = apiCounters(input.client);
  const before = v.callsBefore;
  out.report.counts = { ...out.decisions.counts };
  out.report.apiCalls = {
    list: now.list - before.list,
    show: now.show - before.show,
    restart: now.restart - before.restart,
    retries: now.retries - before.retries,
    throttled: now.throttled - before.throttled,
  };
  out.report.durationMs = Math.max(0, input.now() - v.started);
  return out;
}
