import { randomUUID } from 'node:crypto';
import type { Config, TargetConfig } from '../config/types';
import { boundLedger } from '../ledger/bounded-ledger';
import type { Ledger } from '../ledger/ledger';
import { type Logger, silentLogger } from '../log';
import { Semaphore } from '../util/concurrency';
import type { Clock, Sleep } from '../util/time';
import { isoTime, realSleep } from '../util/time';
import { ShareCoordinator, shareWaitMs } from './fair-share';
import { addCounts, type Counts, ledgerRef, REPORT_SCHEMA_VERSION, type SweepReport } from './report';
import { sweepTarget, type TargetApi, type TargetOutcome } from './target';

export interface SweepDeps {
  config: Config;
  targets: ReadonlyArray<{ target: TargetConfig; client: TargetApi }>;
  ledger: Ledger;
  clock: Clock;
  random?: () => number;
  logger?: Logger;
  /** The timer of the wait for every target's plan (fair-share.ts); real by default. */
  sleep?: Sleep;
}

export interface SweepOptions {
  dryRun?: boolean;
  /**
   * Epoch ms (on the clock): no attempt is claimed whose worst case could run past
   * it, and everything not started is reported `deferred`.
   */
  deadline?: number;
  /** Fires when the sweep must stop waiting (the deadline, Ctrl-C): requests and waits end, the report goes out. */
  signal?: AbortSignal;
  sweepId?: string;
  /** How many targets are swept at once. */
  targetConcurrency?: number;
  /**
   * How long a planned target waits for the other targets' plans before the shares
   * are decided without them (fair-share.ts). Default: a fifth of the time left before
   * `deadline`, at most 30 s.
   */
  shareWaitMs?: number;
  /** A one-off sweep that restarts although a storm is suspected (the report says so). */
  ignoreStormGuard?: boolean;
  /**
   * Decision items each target's report keeps per outcome (default 50; counts are
   * always whole; restarted, error and dry-run always complete, deferred not: a deadline
   * can defer a whole window, so `deferred` lists the kept items).
   * `Number.POSITIVE_INFINITY` keeps every one (`--all`).
   */
  itemsPerOutcome?: number;
}

/**
 * The longest one restart call can take: every try at its timeout, with the longest
 * Retry-After between tries (a restart is only retried where it was not processed).
 */
export function attemptWorstCaseMs(client: Config['client']): number {
  return (client.retries + 1) * client.timeoutMs + client.retries * client.maxRetryAfterMs;
}

/**
 * The longest one attempt can take from its claim: the restart call, then the settle
 * that records what it did (at most `ledger.timeout`). No attempt is claimed that could
 * run past the deadline.
 */
export function attemptBudgetMs(config: Pick<Config, 'client' | 'ledger'>): number {
  return attemptWorstCaseMs(config.client) + config.ledger.timeoutMs;
}

/**
 * How long a claim belongs to its sweep. Past it, a later sweep may decide what the
 * attempt did: the call and its settle are long over, and DataArts has had
 * `client.restartLag` (default 60 s; it applies restarts within seconds) to show a
 * restart it accepted. Lags longer than that are outside what this protocol can see.
 */
export function leaseMs(config: Pick<Config, 'client' | 'ledger'>): number {
  return attemptBudgetMs(config) + config.client.restartLagMs;
}

/**
 * One sweep over every target: list, decide, claim, restart, record. Never throws
 * for a target's or an instance's failure; those are in the report. Returns one
 * SweepReport that explains every listed failed instance.
 */
export async function runSweep(deps: SweepDeps, options: SweepOptions = {}): Promise<SweepReport> {
  const { clock } = deps;
  const logger = deps.logger ?? silentLogger;
  const startedAt = clock.now();
  const wallStart = performance.now();
  const dryRun = options.dryRun ?? false;
  const ledgerRetriesBefore = deps.ledger.stats?.retries ?? 0;
  const results = await sweepTargets(deps, options, logger);
  const finishedAt = clock.now();

  const report: SweepReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    sweepId: options.sweepId ?? randomUUID(),
    dryRun,
    startedAt: isoTime(startedAt),
    finishedAt: isoTime(finishedAt),
    durationMs: Math.round(performance.now() - wallStart),
    storm: results.some((r) => r.report.storm.suspected),
    ...(options.ignoreStormGuard ? { stormGuardIgnored: true as const } : {}),
    totals: {},
    targets: results.map((r) => r.report),
    restarted: results.flatMap((r) => r.restarted),
    exhausted: results.flatMap((r) => r.exhausted),
    unconfirmed: results.flatMap((r) => r.unconfirmed),
    deferred: results.flatMap((r) =>
      r.decisions.items
        .filter((d) => d.outcome === 'deferred')
        .map(({ target, workspace, jobName, instanceId }) => ({ target, workspace, jobName, instanceId })),
    ),
    recovered: results.flatMap((r) => r.recovered),
    notHelping: results.flatMap((r) => r.notHelping),
    errors: results.flatMap((r) => r.errors),
    decisions: results.flatMap((r) => r.decisions.items),
    apiCalls: { list: 0, show: 0, restart: 0, retries: 0, throttled: 0 },
    ledger: ledgerRef(deps.config.ledger),
    ledgerRetries: (deps.ledger.stats?.retries ?? 0) - ledgerRetriesBefore,
  };
  const omitted: Counts = {};
  for (const r of results) addCounts(omitted, r.decisions.omitted);
  if (Object.keys(omitted).length > 0) report.omittedDecisions = omitted;
  for (const r of results) {
    addCounts(report.totals, r.report.counts);
    addCounts(
      report.apiCalls as unknown as Record<string, number>,
      r.report.apiCalls as unknown as Record<string, number>,
    );
  }
  logger.info('sweep finished', {
    sweepId: report.sweepId,
    dryRun,
    totals: report.totals,
    restarted: report.restarted.length,
    exhausted: report.exhausted.length,
    errors: report.errors.length,
    storm: report.storm,
    durationMs: report.durationMs,
  });
  return report;
}

/**
 * Sweeps the targets, `targetConcurrency` at a time, sharing the sweep cap fairly
 * (fair-share.ts): each target plans, then waits without holding its slot until every
 * target has planned (or the wait's cutoff has passed: a slow target then gets only
 * what is left of the cap), then claims its share. Nothing is claimed before the split
 * is known, so the cap is still charged at the claim, never twice.
 */
async function sweepTargets(
  deps: SweepDeps,
  options: SweepOptions,
  logger: Logger,
): Promise<TargetOutcome[]> {
  const { config, clock } = deps;
  const slots = new Semaphore(Math.max(1, options.targetConcurrency ?? 4));
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const shares = new ShareCoordinator(deps.targets.length, config.policy.maxRestartsPerSweep, {
    waitMs: () => options.shareWaitMs ?? shareWaitMs(deadline, clock.now()),
    sleep: deps.sleep ?? realSleep,
    // Stryker disable next-line ObjectLiteral: equivalent in the report. Once the signal fires every target's requests end and each withdraws, which ends the wait too; the signal only ends it sooner.
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const sweepBudget = { remaining: config.policy.maxRestartsPerSweep };
  const timeoutMs = config.ledger.timeoutMs;
  const ledger = boundLedger(deps.ledger, {
    timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const ownerLedger = boundLedger(deps.ledger, { timeoutMs });
  return Promise.all(
    deps.targets.map(async ({ target, client }, index) => {
      let release = await slots.acquire();
      try {
        return await sweepTarget({
          config,
          target,
          client,
          ledger,
          ownerLedger,
          now: () => clock.now(),
          random: deps.random ?? Math.random,
          dryRun: options.dryRun ?? false,
          ...(options.ignoreStormGuard ? { ignoreStormGuard: true } : {}),
          ...(options.itemsPerOutcome === undefined ? {} : { itemsPerOutcome: options.itemsPerOutcome }),
          deadline,
          ...(options.signal ? { signal: options.signal } : {}),
          attemptBudgetMs: attemptBudgetMs(config),
          leaseMs: leaseMs(config),
          sweepBudget,
          fairShare: async (wanted) => {
            // Waiting for the others must not hold a slot one of them needs to plan.
            release();
            try {
              return await shares.request(index, wanted);
            } finally {
              release = await slots.acquire();
            }
          },
          logger,
        });
      } finally {
        release();
        shares.withdraw(index);
      }
    }),
  );
}
