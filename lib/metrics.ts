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

type Values = Record<(typeof METRICS)[number], number>;

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
 */
export function metricLines(report: SweepReport, stage: string, timestamp: number): string[] {
  const line = (dimensions: string[], labels: Record<string, string>, v: Values) =>
    JSON.stringify({
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          {
            Namespace: METRIC_NAMESPACE,
            Dimensions: [dimensions],
            Metrics: METRICS.map((Name) => ({
              Name,
              Unit: Name === 'DurationMs' ? 'Milliseconds' : 'Count',
            })),
          },
        ],
      },
      Service: 'dataarts-autoretry',
      Stage: stage,
      ...labels,
      ...v,
    });
  return [
    ...report.targets.map((t) =>
      line(['Service', 'Stage', 'Target'], { Target: t.target }, values(report, t)),
    ),
    line(['Service', 'Stage'], {}, values(report)),
  ];
}
