import type { SweepReport, TargetReport } from './sweep/report';

export const METRIC_NAMESPACE = 'DataArtsAutoRetry';
const METRICS = [
  'Listed',
  'Eligible',
  'Restarted',
  'Exhausted',
  'Deferred',
  'Errors',
  'ApiCalls',
  'DurationMs',
] as const;
type MetricName = (typeof METRICS)[number];

/**
 * Metrics a CloudWatch alarm in serverless.yml watches. A dry run never emits them: it
 * does not mark a budget as reported, so every exhausted budget, old ones included,
 * would show up again in each dry run and page someone for nothing.
 */
export const ALARM_METRICS: readonly MetricName[] = ['Exhausted'];

/** Outcomes of instances that policy would have restarted (before fleet limits and results). */
const ELIGIBLE = [
  'restarted',
  'dry-run',
  'sweep-cap',
  'hourly-cap',
  'storm-guard',
  'deferred',
  'claimed-elsewhere',
  'error',
  'target-halted',
];

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
  };
}

/**
 * CloudWatch Embedded Metric Format lines: one per target (dimensions Service,
 * Stage, Target) and one for the whole sweep (Service, Stage), which the alarms use.
 * Lambda ships them from the log; no PutMetricData permission is needed.
 *
 * A dry run adds the dimension `DryRun` ("true") to every line, so none of its figures
 * lands in a series an alarm or a dashboard of real sweeps reads, and leaves out the
 * alarm metrics (ALARM_METRICS) altogether.
 */
export function metricLines(report: SweepReport, stage: string, timestamp: number): string[] {
  const names = report.dryRun ? METRICS.filter((name) => !ALARM_METRICS.includes(name)) : METRICS;
  const mode: Record<string, string> = report.dryRun ? { DryRun: 'true' } : {};
  const line = (dimensions: string[], labels: Record<string, string>, all: Values) =>
    JSON.stringify({
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          {
            Namespace: METRIC_NAMESPACE,
            Dimensions: [[...dimensions, ...Object.keys(mode)]],
            Metrics: names.map((Name) => ({
              Name,
              Unit: Name === 'DurationMs' ? 'Milliseconds' : 'Count',
            })),
          },
        ],
      },
      Service: 'dataarts-autoretry',
      Stage: stage,
      ...labels,
      ...mode,
      ...Object.fromEntries(names.map((name) => [name, all[name]])),
    });
  return [
    ...report.targets.map((t) =>
      line(['Service', 'Stage', 'Target'], { Target: t.target }, values(report, t)),
    ),
    line(['Service', 'Stage'], {}, values(report)),
  ];
}
