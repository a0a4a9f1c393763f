import type { Config, RetryRule, TargetConfig } from '../config/types';
import type { DataArtsClient } from '../dataarts/client';
import type { Instance } from '../dataarts/instance';
import { describeError } from '../errors';
import type { InstanceKey, Ledger, LedgerEntry } from '../ledger/ledger';
import { keyString } from '../ledger/ledger';
import type { Logger } from '../log';
import { decide } from '../policy/decide';
import { type Decision, SKIP_REASONS, type SkipReason, skip } from '../policy/decision';
import { applyFleetLimits, byRestartPriority, type Candidate, detectStorm } from '../policy/guards';
import { resolveRule } from '../policy/rules';
import { mapBounded } from '../util/concurrency';
import { isoTime } from '../util/time';
import { listTarget, type TargetListing } from './list-target';
import type {
  DecisionRecord,
  ErrorItem,
  ExhaustedItem,
  RestartedItem,
  TargetReport,
  UnconfirmedItem,
} from './report';
import { countBy } from './report';
import { restartOne } from './restart-one';

export type TargetApi = Pick<
  DataArtsClient,
  'listInstances' | 'countInstances' | 'restartInstance' | 'calls' | 'stats'
>;

export interface TargetSweepInput {
  config: Config;
  target: TargetConfig;
  client: TargetApi;
  ledger: Ledger;
  now: () => number;
  random: () => number;
  dryRun: boolean;
  /** Stop starting restarts once now() + reserveMs passes this. */
  deadline: number;
  reserveMs: number;
  /** A claim without an outcome older than this was interrupted. */
  staleClaimMs: number;
  /** Shared by all targets: restarts this sweep may still make. */
  sweepBudget: { remaining: number };
  logger: Logger;
}

export interface TargetSweepResult {
  report: TargetReport;
  decisions: DecisionRecord[];
  restarted: RestartedItem[];
  exhausted: ExhaustedItem[];
  unconfirmed: UnconfirmedItem[];
  errors: ErrorItem[];
}

interface Planned {
  instance: Instance;
  key: InstanceKey;
  rule: RetryRule;
  entry: LedgerEntry | undefined;
  decision: Decision;
}

/** Lists one target's window, decides every failed instance, and restarts what policy allows. */
export async function sweepTarget(input: TargetSweepInput): Promise<TargetSweepResult> {
  const started = input.now();
  const { target, client, config } = input;
  const { policy } = config;
  const workspace = target.workspace ?? 'default';
  const window = { from: started - policy.lookbackMs, to: started };
  // Clients outlive a sweep (warm Lambda, the demo): report this sweep's calls only.
  const callsBefore = { ...client.calls, retries: client.stats.retries, throttled: client.stats.throttled };
  const result: TargetSweepResult = {
    report: emptyReport(input, window),
    decisions: [],
    restarted: [],
    exhausted: [],
    unconfirmed: [],
    errors: [],
  };
  /** The target cannot go on (listing, ledger): one error for it, in the report. */
  const failTarget = (error: unknown) => {
    const described = describeError(error);
    result.report.error = described;
    result.errors.push({ target: target.name, workspace, ...described });
    return described;
  };
  const finish = () => {
    // One line per decision at debug level: why each instance was or was not restarted.
    for (const decision of result.decisions) input.logger.debug('decision', { ...decision });
    result.report.counts = countBy(result.decisions);
    result.report.apiCalls = {
      list: client.calls.list - callsBefore.list,
      show: client.calls.show - callsBefore.show,
      restart: client.calls.restart - callsBefore.restart,
      retries: client.stats.retries - callsBefore.retries,
      throttled: client.stats.throttled - callsBefore.throttled,
    };
    result.report.durationMs = Math.max(0, input.now() - started);
    return result;
  };

  // 1. List the window.
  let listing: TargetListing;
  try {
    listing = await listTarget(client, window, policy);
  } catch (error) {
    const described = failTarget(error);
    input.logger.warn('target listing failed', { target: target.name, ...described });
    return finish();
  }
  const { listed, successes, total } = listing;
  for (const bad of listing.invalid) {
    result.errors.push({
      target: target.name,
      workspace,
      code: 'MALFORMED_INSTANCE',
      message: `list answer item ${bad.index}: ${bad.problem}`,
    });
  }
  result.report.listed = listed.length;

  // 2. Storm guard, from what failed in the window.
  const storm = detectStorm(
    listed.filter((i) => i.status === 'fail'),
    total,
    policy.stormGuard,
  );
  result.report.storm = storm;

  // 3. Decide each instance from its ledger entry.
  const keys = listed.map(
    (instance): InstanceKey => ({
      target: target.name,
      workspace,
      jobName: instance.jobName,
      instanceId: instance.instanceId,
    }),
  );
  let entries: Map<string, LedgerEntry>;
  try {
    entries = await input.ledger.read(keys);
  } catch (error) {
    const described = failTarget(error);
    listed.forEach((instance, i) => {
      result.decisions.push(
        record(keys[i]!, instance, 'target-halted', `ledger unreadable: ${described.message}`),
      );
    });
    return finish();
  }
  const newestSuccess = newestSuccessByJob(successes);
  const planned: Planned[] = listed.map((instance, i) => {
    const key = keys[i]!;
    const rule = resolveRule(instance.jobName, policy);
    const entry = entries.get(keyString(key));
    const success = newestSuccess.get(instance.jobName);
    const supersededBy =
      success && (success.planTime ?? 0) > (instance.planTime ?? 0) ? success.instanceId : undefined;
    const decision = decide(instance, entry, rule, started, {
      policy,
      ...(supersededBy === undefined ? {} : { supersededBy }),
    });
    return { instance, key, rule, entry, decision };
  });

  // 4. Fleet limits: storm guard, caps, dry run. The hourly allowance is reserved in
  // the ledger in one write (read only, in a dry run); what is not used goes back.
  const restartable = planned.filter((p) => p.decision.action === 'restart');
  const wanted = Math.min(restartable.length, input.sweepBudget.remaining);
  let reserved = 0;
  let hourRemaining = 0;
  if (wanted > 0 && !storm.suspected) {
    try {
      if (input.dryRun) {
        hourRemaining = Math.max(
          0,
          policy.maxRestartsPerHour - (await input.ledger.hourlyCount(target.name, started)),
        );
      } else {
        reserved = await input.ledger.reserveHourly(target.name, started, policy.maxRestartsPerHour, wanted);
        hourRemaining = reserved;
      }
    } catch (error) {
      const described = failTarget(error);
      for (const p of restartable) p.decision = skip('target-halted', `ledger failed: ${described.message}`);
    }
  }
  const limited = applyFleetLimits(
    restartable.filter((p) => p.decision.action === 'restart').map(candidate),
    { storm, sweepRemaining: input.sweepBudget.remaining, hourRemaining, dryRun: input.dryRun },
  );
  restartable
    .filter((p) => p.decision.action === 'restart')
    .forEach((p, i) => {
      p.decision = limited[i]!;
    });
  // Same priority as the caps: fewest attempts used, then the oldest failure, go first.
  const toRestart = planned
    .filter((p) => p.decision.action === 'restart')
    .sort((a, b) => byRestartPriority(candidate(a), candidate(b)));
  input.sweepBudget.remaining -= input.dryRun
    ? limited.filter((d) => d.action === 'skip' && d.reason === 'dry-run').length
    : toRestart.length;

  // 5a. Interrupted attempts: a claim with no recorded outcome, older than any
  // restart call can take, belongs to a sweep that died (crash, timeout) between the
  // claim and its record. It stays counted; it is reported once, as unconfirmed.
  for (const p of planned) {
    const entry = p.entry;
    if (entry?.lastOutcome !== 'claimed' || entry.lastAttemptAt === undefined) continue;
    if (started - entry.lastAttemptAt < input.staleClaimMs) continue;
    const first =
      input.dryRun ||
      (await input.ledger
        .recordIfClaimed(p.key, entry.attempts, { at: started, outcome: 'unconfirmed', code: 'INTERRUPTED' })
        .catch(() => false));
    if (first)
      result.unconfirmed.push({
        ...p.key,
        attempt: entry.attempts,
        maxAttempts: p.rule.maxAttempts,
        code: 'INTERRUPTED',
      });
  }

  // 5b. Exhausted budgets: reported once, by the sweep that first sees them.
  for (const p of planned) {
    if (
      p.decision.action !== 'skip' ||
      p.decision.reason !== 'budget-exhausted' ||
      !p.entry ||
      p.entry.exhaustedReportedAt !== undefined
    )
      continue;
    const first = input.dryRun || (await input.ledger.markExhausted(p.key, started).catch(() => false));
    if (first) {
      result.exhausted.push({
        ...p.key,
        attempts: p.entry.attempts,
        maxAttempts: p.rule.maxAttempts,
        ...(p.entry.lastOutcome ? { lastOutcome: p.entry.lastOutcome } : {}),
      });
    }
  }

  // 6. Restart, bounded, until the deadline; a failure of one never stops the others.
  for (const p of planned) {
    if (p.decision.action === 'skip') result.decisions.push(fromDecision(p.key, p.instance, p.decision));
  }
  let halted: string | undefined;
  const context = {
    client,
    ledger: input.ledger,
    now: input.now,
    random: input.random,
    retentionMs: config.ledger.retentionMs,
  };
  let sent = 0;
  await mapBounded(toRestart, policy.concurrency, async (p) => {
    const decision = p.decision as Extract<Decision, { action: 'restart' }>;
    const budget = { attempt: decision.attempt, maxAttempts: decision.maxAttempts, rule: decision.rule };
    if (halted) {
      result.decisions.push(record(p.key, p.instance, 'target-halted', halted, budget));
      return;
    }
    if (input.now() + input.reserveMs >= input.deadline) {
      result.decisions.push(record(p.key, p.instance, 'deferred', SKIP_REASONS.deferred, budget));
      return;
    }
    try {
      const outcome = await restartOne(context, p.key, p.instance, p.rule, decision.attempt);
      switch (outcome.kind) {
        case 'restarted':
          sent++;
          result.restarted.push({
            ...p.key,
            attempt: decision.attempt,
            maxAttempts: decision.maxAttempts,
            confirmedBy: outcome.confirmedBy,
          });
          result.decisions.push({
            ...record(
              p.key,
              p.instance,
              'restarted',
              `attempt ${decision.attempt} of ${decision.maxAttempts}`,
              budget,
            ),
          });
          if (outcome.recordError)
            result.errors.push({ ...p.key, ...outcome.recordError, attemptCounted: true });
          break;
        case 'claimed-elsewhere':
          result.decisions.push(record(p.key, p.instance, outcome.kind, SKIP_REASONS[outcome.kind], budget));
          break;
        case 'failed':
          if (outcome.counted) sent++;
          result.errors.push({
            ...p.key,
            code: outcome.code,
            message: outcome.message,
            attemptCounted: outcome.counted,
          });
          if (outcome.unconfirmed)
            result.unconfirmed.push({
              ...p.key,
              attempt: decision.attempt,
              maxAttempts: decision.maxAttempts,
              code: outcome.code,
            });
          result.decisions.push(
            record(p.key, p.instance, 'error', `${outcome.code}: ${outcome.message}`, budget),
          );
          if (outcome.haltTarget) halted = `stopped after ${outcome.code} on this target`;
          break;
      }
    } catch (error) {
      // The ledger failed: stop this target, because the budget can no longer be kept.
      const described = describeError(error);
      halted = `ledger failed: ${described.message}`;
      result.errors.push({ ...p.key, ...described });
      result.decisions.push(
        record(p.key, p.instance, 'error', `${described.code}: ${described.message}`, budget),
      );
    }
  });
  if (halted) result.report.error ??= { code: 'TARGET_HALTED', message: halted };
  if (reserved > sent) {
    await input.ledger.releaseHourly(target.name, started, reserved - sent).catch((error: unknown) => {
      // Unreturned slots only make this hour's cap stricter: the safe side.
      result.errors.push({ target: target.name, workspace, ...describeError(error) });
    });
  }
  return finish();
}

function emptyReport(input: TargetSweepInput, window: { from: number; to: number }): TargetReport {
  return {
    target: input.target.name,
    projectId: input.target.projectId,
    workspace: input.target.workspace ?? 'default',
    window: { from: isoTime(window.from), to: isoTime(window.to) },
    listed: 0,
    storm: { suspected: false, failedJobs: 0, failedInstances: 0 },
    counts: {},
    apiCalls: { list: 0, show: 0, restart: 0, retries: 0, throttled: 0 },
    durationMs: 0,
  };
}

/** A planned restart as the fleet limits see it (older failures first). */
function candidate(p: Planned): Candidate {
  return {
    decision: p.decision as Candidate['decision'],
    failedAt: p.instance.endTime ?? p.instance.planTime ?? 0,
  };
}

function newestSuccessByJob(successes: readonly Instance[]): Map<string, Instance> {
  const newest = new Map<string, Instance>();
  for (const instance of successes) {
    const current = newest.get(instance.jobName);
    if (!current || (instance.planTime ?? 0) > (current.planTime ?? 0))
      newest.set(instance.jobName, instance);
  }
  return newest;
}

function record(
  key: InstanceKey,
  instance: Instance,
  outcome: string,
  detail: string,
  extra: { attempt?: number; maxAttempts?: number; rule?: string; until?: string } = {},
): DecisionRecord {
  return { ...key, status: instance.status, outcome, detail, ...extra };
}

function fromDecision(
  key: InstanceKey,
  instance: Instance,
  decision: Extract<Decision, { action: 'skip' }>,
): DecisionRecord {
  const reason: SkipReason = decision.reason;
  return record(key, instance, reason, decision.detail, {
    ...(decision.attempt === undefined ? {} : { attempt: decision.attempt }),
    ...(decision.maxAttempts === undefined ? {} : { maxAttempts: decision.maxAttempts }),
    ...(decision.rule === undefined ? {} : { rule: decision.rule }),
    ...(decision.until === undefined ? {} : { until: isoTime(decision.until) }),
  });
}
