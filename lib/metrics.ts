import type { GenericLogger } from '@aws-lambda-powertools/commons/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SERVICE_NAME } from './log';
import type { Outcome } from './policy/decision';
import type { SweepReport, TargetReport } from './sweep/report';

/** The namespace and names the alarms in serverless.yml and operators' dashboards read. */
export const METRIC_NAMESPACE = 'DataArtsAutoRetry';
/** Every figure of one sweep, per target and in total (the dashboard shows each). */
export const METRIC_NAMES = [
  'Listed',
  'Eligible',
  'Restarted',
  'Exhausted',
  'Deferred',
  'Errors',
  'ApiCalls',
  'DurationMs',
  'Recovered',
  'FailedAgain',
  'Throttled',
  'OpenIncidents',
  'HeldByIncident',
] as const;
type MetricName = (typeof METRIC_NAMES)[number];

/**
 * Metrics a CloudWatch alarm in serverless.yml watches. A dry run never emits them: it
 * does not mark a budget as reported, so every exhausted budget, old ones included,
 * would show up again in each dry run and page someone for nothing.
 */
export const ALARM_METRICS: readonly (MetricName | 'TargetFailed')[] = ['Exhausted', 'TargetFailed'];

/** Outcomes of instances that policy would have restarted (before fleet limits and results). */
const ELIGIBLE = [
  'restarted',
  'dry-run',
  'sweep-cap',
  'hourly-cap',
  'storm-guard',
  'held-by-incident',
  'deferred',
  'claimed-elsewhere',
  'error',
  'target-halted',
] as const satisfies readonly Outcome[];

type Values = Record<MetricName, number>;

function values(report: SweepReport, target?: TargetReport): Values {
  const counts = target ? target.counts : report.totals;
  const mine = <T extends { target: string }>(items: readonly T[]) =>
    target ? items.filter((i) => i.target === target.target) : items;
  const calls = target ? target.apiCalls : report.apiCalls;
  return {
    Listed: target ? target.listed : report.targets.reduce((n, t) => n + t.listed, 0),
    Eligible: ELIGIBLE.reduce((n, key) => n + (counts[key] ?? 0), 0),
    Restarted: mine(report.restarted).length,
    Exhausted: mine(report.exhausted).length,
    Deferred: mine(report.deferred).length,
    Errors: mine(report.errors).length,
    ApiCalls: calls.list + calls.show + calls.restart,
    DurationMs: target ? target.durationMs : report.durationMs,
    // Reruns of earlier sweeps, judged by this one (lib/sweep/recovery-tracking.ts).
    Recovered: recoveryOf(report, target, 'recovered'),
    FailedAgain: recoveryOf(report, target, 'failedAgain'),
    // DataArts answers 429: the gateway's rate limit was met (policy.rateLimit is too high for the account).
    Throttled: calls.throttled,
    // Incidents still open when the sweep ended, and the failures they held (lib/policy/incident.ts).
    OpenIncidents: (target ? [target] : report.targets).reduce(
      (n, t) => n + (t.incidents ?? []).filter((i) => i.state !== 'closed').length,
      0,
    ),
    HeldByIncident: counts['held-by-incident'] ?? 0,
  };
}

function recoveryOf(
  report: SweepReport,
  target: TargetReport | undefined,
  key: 'recovered' | 'failedAgain',
): number {
  const targets = target ? [target] : report.targets;
  return targets.reduce((n, t) => n + (t.recovery?.[key] ?? 0), 0);
}

export interface MetricsOptions {
  stage: string;
  /** Where each EMF object goes, as one line (stdout in Lambda, where CloudWatch reads it). */
  write: (line: string) => void;
  /** Receives Powertools' own warnings (invalid dimensions and the like). */
  logger?: GenericLogger;
}

/**
 * A Powertools Metrics whose every EMF object (the cold start's included) goes
 * through `write`. The dimensions are the ones the alarms and dashboards were built
 * on, `Service` and `Stage`: Powertools' own lowercase `service` default dimension is
 * replaced, because CloudWatch matches a metric only by its exact set of dimensions.
 */
export function sweepMetrics(options: MetricsOptions): Metrics {
  const dimensions = { Service: SERVICE_NAME, Stage: options.stage };
  class WriterMetrics extends Metrics {
    constructor(single: boolean) {
      super({
        namespace: METRIC_NAMESPACE,
        serviceName: SERVICE_NAME,
        singleMetric: single,
        ...(options.logger ? { logger: options.logger } : {}),
      });
      this.clearDefaultDimensions();
      this.setDefaultDimensions(dimensions);
    }

    override publishStoredMetrics(): this {
      try {
        if (this.hasStoredMetrics() && !this.isDisabled())
          options.write(JSON.stringify(this.serializeMetrics()));
      } finally {
        this.clearMetrics();
        this.clearDimensions();
        this.clearMetadata();
      }
      return this;
    }

    // ColdStart is published through a single-metric instance: it must write here too.
    override singleMetric(): Metrics {
      return new WriterMetrics(true);
    }
  }
  return new WriterMetrics(false);
}

/**
 * One EMF object per target (dimensions Service, Stage, Target) and one for the whole
 * sweep (Service, Stage), which the alarms use. Lambda ships them from the log; no
 * PutMetricData permission is needed.
 *
 * A dry run adds the dimension `DryRun` ("true") to every object, so none of its
 * figures lands in a series an alarm or a dashboard of real sweeps reads, and leaves
 * out the alarm metrics (ALARM_METRICS) altogether.
 */
export function publishSweepMetrics(metrics: Metrics, report: SweepReport): void {
  const names = report.dryRun ? METRIC_NAMES.filter((name) => !ALARM_METRICS.includes(name)) : METRIC_NAMES;
  const publish = (all: Values, target?: string) => {
    if (target !== undefined) metrics.addDimension('Target', target);
    if (report.dryRun) metrics.addDimension('DryRun', 'true');
    for (const name of names) {
      metrics.addMetric(name, name === 'DurationMs' ? MetricUnit.Milliseconds : MetricUnit.Count, all[name]);
    }
    metrics.publishStoredMetrics();
  };
  for (const target of report.targets) publish(values(report, target), target.target);
  publish(values(report));
}

/**
 * `NotifyFailed` (Service, Stage): channels that did not take the sweep's summary, by
 * HTTP status or by the platform's own error code in a 200 answer. Published only
 * when a channel failed, so an alarm on it treats missing data as "not breaching".
 */
export function publishNotifyFailed(metrics: Metrics, failed: number): void {
  if (failed === 0) return;
  metrics.addMetric('NotifyFailed', MetricUnit.Count, failed);
  metrics.publishStoredMetrics();
}

/**
 * `TargetFailed`: targets that could not be swept (listing, ledger or authentication
 * failed on them), one line per failed target (Service, Stage, Target) and the count
 * (Service, Stage) the alarm reads. A wrong endpoint or project id fails every target
 * while the invocation itself may succeed: without this the sweep is silently green.
 * Published only when a target failed and never for a dry run (see ALARM_METRICS).
 */
export function publishTargetFailures(metrics: Metrics, report: SweepReport): void {
  const failed = report.targets.filter((t) => t.error !== undefined);
  if (report.dryRun || failed.length === 0) return;
  for (const target of failed) {
    metrics.addDimension('Target', target.target);
    metrics.addMetric('TargetFailed', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  }
  metrics.addMetric('TargetFailed', MetricUnit.Count, failed.length);
  metrics.publishStoredMetrics();
}
