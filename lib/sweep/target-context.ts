import type { Config, RetryRule, TargetConfig } from '../config/types';
import type { DataArtsClient } from '../dataarts/client';
import type { Instance } from '../dataarts/instance';
import { describeError } from '../errors';
import type { InstanceKey, Ledger, LedgerEntry } from '../ledger/ledger';
import type { Logger } from '../log';
import type { Decision, Outcome, SkipReason } from '../policy/decision';
import { cutMessage } from '../policy/failure-rules';
import type { Candidate } from '../policy/guards';
import { isoTime } from '../util/time';
import { DecisionLog } from './decision-log';
import type {
  DecisionRecord,
  ErrorItem,
  ExhaustedItem,
  InstanceRef,
  NotHelpingItem,
  RestartedItem,
  TargetReport,
  UnconfirmedItem,
} from './report';

/** What the sweep of one target needs from the DataArts client. */
export type TargetApi = Pick<
  DataArtsClient,
  'listInstances' | 'countInstances' | 'restartInstance' | 'getInstance' | 'calls' | 'stats'
>;

/** Restarts the whole sweep may still make, shared by all targets: charged per claim. */
export interface SweepBudget {
  remaining: number;
}

export interface TargetSweepInput {
  config: Config;
  target: TargetConfig;
  client: TargetApi;
  /** Every call bounded by `ledger.timeout` and by `signal` (lib/ledger/bounded-ledger.ts). */
  ledger: Ledger;
  /**
   * The same ledger bounded by `ledger.timeout` only, for the writes that finish what
   * the sweep began, even after the signal fired: an attempt's settle or release (the
   * attempt's budget left room for it) and spare hourly slots given back.
   */
  ownerLedger: Ledger;
  now: () => number;
  random: () => number;
  dryRun: boolean;
  /** A one-off sweep that restarts even when the storm guard suspects a storm (reported). */
  ignoreStormGuard?: boolean;
  /** Epoch ms on `now()`: no attempt is claimed that could still run past it. */
  deadline: number;
  /** Fires at the deadline: waits and requests stop, the report still goes out. */
  signal?: AbortSignal;
  /** The longest one attempt can take: its restart call (timeouts, retries, Retry-After), then its settle. */
  attemptBudgetMs: number;
  /** How long a claim belongs to its sweep; longer than `attemptBudgetMs`. */
  leaseMs: number;
  sweepBudget: SweepBudget;
  /**
   * This target's share of the sweep cap, given the restarts it would make (in its
   * priority order): resolves once every target has said what it wants (fair-share.ts).
   */
  fairShare?: (wanted: readonly Candidate[]) => Promise<number>;
  /** Decision items the report keeps per outcome (decision-log.ts); counts are always whole. */
  itemsPerOutcome?: number;
  logger: Logger;
}

export interface TargetSweepResult {
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

/** One listed instance on its way through the phases. */
export interface Planned {
  instance: Instance;
  key: InstanceKey;
  rule: RetryRule;
  entry: LedgerEntry | undefined;
  decision: Decision;
  /** Its ledger entry was read (`entry` is then what the ledger holds, if anything). */
  entryRead?: boolean;
  /** The failed node, when a rule on node types had its details read. */
  failedNode?: { name: string; type?: string };
}

export type RestartDecision = Extract<Decision, { action: 'restart' }>;

export function workspaceOf(target: TargetConfig): string {
  return target.workspace ?? 'default';
}

export function emptyResult(
  input: TargetSweepInput,
  window: { from: number; to: number },
): TargetSweepResult {
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

/** An instance as a report line names it. */
export function describeInstance(instance: Pick<Instance, 'jobName' | 'instanceId'>): string {
  return `job ${instance.jobName}, instance ${instance.instanceId}`;
}

/** The target cannot go on (listing, ledger): one error for it, in the report. */
export function failTarget(result: TargetSweepResult, target: TargetConfig, error: unknown) {
  const described = describeError(error);
  result.report.error = described;
  result.errors.push({ target: target.name, workspace: workspaceOf(target), ...described });
  return described;
}

export function record(
  p: Pick<Planned, 'key' | 'instance' | 'failedNode'>,
  outcome: Outcome,
  detail: string,
  extra: { attempt?: number; maxAttempts?: number; rule?: string; until?: string } = {},
): DecisionRecord {
  const { errorMessage } = p.instance;
  return {
    ...p.key,
    status: p.instance.status,
    outcome,
    detail,
    ...extra,
    // Why it failed, with every decision: what an operator asks first.
    ...(errorMessage === undefined || errorMessage === '' ? {} : { errorMessage: cutMessage(errorMessage) }),
    ...(p.failedNode === undefined ? {} : { failedNode: p.failedNode }),
  };
}

/** The attempt numbers a restart decision carries, for records about it. */
export function budgetOf(decision: RestartDecision) {
  return { attempt: decision.attempt, maxAttempts: decision.maxAttempts, rule: decision.rule };
}

/** The attempt a decision names, as far as it names one: for a record or a skip made from it. */
export function attemptFields(decision: { attempt?: number; maxAttempts?: number; rule?: string }) {
  return {
    ...(decision.attempt === undefined ? {} : { attempt: decision.attempt }),
    ...(decision.maxAttempts === undefined ? {} : { maxAttempts: decision.maxAttempts }),
    ...(decision.rule === undefined ? {} : { rule: decision.rule }),
  };
}

export function fromSkip(p: Planned, decision: Extract<Decision, { action: 'skip' }>): DecisionRecord {
  const reason: SkipReason = decision.reason;
  return record(p, reason, decision.detail, {
    ...attemptFields(decision),
    ...(decision.until === undefined ? {} : { until: isoTime(decision.until) }),
  });
}
