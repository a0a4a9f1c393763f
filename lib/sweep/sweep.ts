import { randomUUID } from 'node:crypto';
import type { Config, TargetConfig } from '../config/types';
import type { Ledger } from '../ledger/ledger';
import { type Logger, silentLogger } from '../log';
import { mapBounded } from '../util/concurrency';
import type { Clock } from '../util/time';
import { isoTime } from '../util/time';
import { addCounts, type SweepReport } from './report';
import { sweepTarget, type TargetApi } from './target-sweep';

export interface SweepDeps {
  config: Config;
  targets: ReadonlyArray<{ target: TargetConfig; client: TargetApi }>;
  ledger: Ledger;
  clock: Clock;
  random?: () => number;
  logger?: Logger;
}

export interface SweepOptions {
  dryRun?: boolean;
  /** Epoch ms (on the clock) by which the sweep must have stopped starting restarts. */
  deadline?: number;
  /** Time kept free before the deadline for one restart to finish (default: the client timeout). */
  reserveMs?: number;
  sweepId?: string;
  /** How many targets are swept at once. */
  targetConcurrency?: number;
}

/**
 * One sweep over every target: list, decide, claim, restart, record. Never throws
 * for a target's or an instance's failure; those are in the report. Returns one
 * SweepReport that explains every listed failed instance.
 */
export async function runSweep(deps: SweepDeps, options: SweepOptions = {}): Promise<SweepReport> {
  const { config, clock } = deps;
  const logger = deps.logger ?? silentLogger;
  const startedAt = clock.now();
  const wallStart = performance.now();
  const dryRun = options.dryRun ?? false;
  const sweepBudget = { remaining: config.policy.maxRestartsPerSweep };
  const ledgerRetriesBefore = deps.ledger.stats?.retries ?? 0;
  const results = await mapBounded(deps.targets, options.targetConcurrency ?? 4, ({ target, client }) =>
    sweepTarget({
      config,
      target,
      client,
      ledger: deps.ledger,
      now: () => clock.now(),
      random: deps.random ?? Math.random,
      dryRun,
      deadline: options.deadline ?? Number.POSITIVE_INFINITY,
      reserveMs: options.reserveMs ?? config.client.timeoutMs,
      // Longer than one restart can take, with its retries and the look after a lost answer.
      staleClaimMs:
        (config.client.retries + 3) * config.client.timeoutMs +
        config.client.maxRetryAfterMs * config.client.retries,
      sweepBudget,
      logger,
    }),
  );

  const report: SweepReport = {
    sweepId: options.sweepId ?? randomUUID(),
    dryRun,
    startedAt: isoTime(startedAt),
    finishedAt: '',
    durationMs: 0,
    storm: results.some((r) => r.report.storm.suspected),
    totals: {},
    targets: results.map((r) => r.report),
    restarted: results.flatMap((r) => r.restarted),
    exhausted: results.flatMap((r) => r.exhausted),
    unconfirmed: results.flatMap((r) => r.unconfirmed),
    deferred: results.flatMap((r) =>
      r.decisions
        .filter((d) => d.outcome === 'deferred')
        .map(({ target, workspace, jobName, instanceId }) => ({ target, workspace, jobName, instanceId })),
    ),
    errors: results.flatMap((r) => r.errors),
    decisions: results.flatMap((r) => r.decisions),
    apiCalls: { list: 0, show: 0, restart: 0, retries: 0, throttled: 0 },
    ledgerRetries: 0,
  };
  for (const r of results) {
    addCounts(report.totals, r.report.counts);
    addCounts(
      report.apiCalls as unknown as Record<string, number>,
      r.report.apiCalls as unknown as Record<string, number>,
    );
  }
  report.ledgerRetries = (deps.ledger.stats?.retries ?? 0) - ledgerRetriesBefore;
  report.finishedAt = isoTime(clock.now());
  report.durationMs = Math.round(performance.now() - wallStart);
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
