import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALARM_METRICS,
  METRIC_NAMESPACE,
  publishSweepMetrics,
  publishTargetFailures,
  sweepMetrics,
} from '../lib/metrics';
import type { SweepReport } from '../lib/sweep/report';
import { fixedReport } from './support/fixed-report';

interface EmfLine {
  _aws: {
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
  };
  [key: string]: unknown;
}

/** The custom-metric alarms of serverless.yml: namespace, metric and dimension names. */
function alarmsOfServerlessYml(): Array<{ namespace: string; metric: string; dimensions: string[] }> {
  const yml = readFileSync(join(__dirname, '..', 'serverless.yml'), 'utf8');
  return yml
    .split(/Type: AWS::CloudWatch::Alarm/)
    .slice(1)
    .map((block) => block.split(/\n {4}\S/)[0] ?? '')
    .map((block) => ({
      namespace: /Namespace: (\S+)/.exec(block)?.[1] ?? '',
      metric: /MetricName: (\S+)/.exec(block)?.[1] ?? '',
      dimensions: [...block.matchAll(/- Name: (\S+)/g)].map((m) => m[1] as string),
    }));
}

const parse = (lines: string[]) => lines.map((l) => JSON.parse(l) as EmfLine);

/** The EMF lines one sweep's report publishes, as the Lambda writes them. */
function metricLines(report: SweepReport, stage: string): string[] {
  const lines: string[] = [];
  const metrics = sweepMetrics({ stage, write: (line) => lines.push(line) });
  publishTargetFailures(metrics, report);
  publishSweepMetrics(metrics, report);
  return lines;
}
const metricsOf = (line: EmfLine) => line._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name));
const dimensionSetsOf = (line: EmfLine) => line._aws.CloudWatchMetrics.flatMap((m) => m.Dimensions);

describe('metricLines', () => {
  const alarms = alarmsOfServerlessYml().filter((a) => a.namespace === METRIC_NAMESPACE);

  it('reads the alarms of serverless.yml, and ALARM_METRICS names every metric they watch', () => {
    expect(alarms.map((a) => a.metric)).toEqual(['Exhausted', 'TargetFailed']);
    for (const alarm of alarms) expect(ALARM_METRICS).toContain(alarm.metric);
  });

  it('a real sweep feeds the alarms: Exhausted on the (Service, Stage) line', () => {
    const lines = parse(metricLines(withFailedTarget(fixedReport()), 'prod'));
    const total = lines.at(-1)!;
    expect(dimensionSetsOf(total)).toEqual([['Service', 'Stage']]);
    expect(total).toMatchObject({
      Service: 'dataarts-autoretry',
      Stage: 'prod',
      Exhausted: 1,
      Restarted: 14,
    });
    for (const alarm of alarms) {
      expect(
        lines.some(
          (l) => metricsOf(l).includes(alarm.metric) && sameSet(dimensionSetsOf(l)[0]!, alarm.dimensions),
        ),
      ).toBe(true);
    }
  });

  it('a dry run emits no alarm metric, in no series an alarm reads, and tags every line DryRun', () => {
    const report = fixedReport({ dryRun: true, restarted: [], totals: { 'dry-run': 3 } });
    expect(report.exhausted).toHaveLength(1);
    const lines = parse(metricLines(report, 'prod'));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      for (const name of ALARM_METRICS) {
        expect(metricsOf(line)).not.toContain(name);
        expect(line).not.toHaveProperty(name);
      }
      for (const dimensions of dimensionSetsOf(line)) expect(dimensions).toContain('DryRun');
      expect(line.DryRun).toBe('true');
      for (const alarm of alarms)
        expect(dimensionSetsOf(line).some((d) => sameSet(d, alarm.dimensions))).toBe(false);
    }
    expect(lines.at(-1)).toMatchObject({ Eligible: 3, Restarted: 0 });
  });

  it("keeps the names and units operators use, in the namespace the alarms read, without Powertools' `service`", () => {
    const [target, total] = parse(metricLines(fixedReport(), 'prod')).slice(-2) as [EmfLine, EmfLine];
    const names = [
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
    ];
    for (const line of [target, total]) {
      const [definition] = line._aws.CloudWatchMetrics;
      expect(definition?.Namespace).toBe(METRIC_NAMESPACE);
      expect(metricsOf(line)).toEqual(names);
      expect(line).not.toHaveProperty('service');
    }
    expect(dimensionSetsOf(target)).toEqual([['Service', 'Stage', 'Target']]);
    const units = total._aws.CloudWatchMetrics[0]?.Metrics as Array<{ Name: string; Unit: string }>;
    expect(new Set(units.map((m) => `${m.Name}:${m.Unit}`))).toContain('DurationMs:Milliseconds');
    expect(units.filter((m) => m.Unit === 'Count')).toHaveLength(12);
  });

  it('publishes ColdStart once per execution environment, by Service, Stage and function', () => {
    const lines: string[] = [];
    // Powertools counts a cold start only in an on-demand execution environment.
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    const metrics = sweepMetrics({ stage: 'prod', write: (line) => lines.push(line) });
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    metrics.captureColdStartMetric('dataarts-autoretry-prod-sweep');
    metrics.captureColdStartMetric('dataarts-autoretry-prod-sweep');
    const [cold, ...rest] = parse(lines);
    expect(rest).toHaveLength(0);
    expect(metricsOf(cold!)).toEqual(['ColdStart']);
    expect(dimensionSetsOf(cold!)).toEqual([['Service', 'Stage', 'function_name']]);
    expect(cold).toMatchObject({
      ColdStart: 1,
      Stage: 'prod',
      function_name: 'dataarts-autoretry-prod-sweep',
    });
  });
});

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** The fixed report with a second target that could not be swept. */
function withFailedTarget(report: SweepReport): SweepReport {
  const [first] = report.targets as [SweepReport['targets'][number]];
  const failed = {
    ...first,
    target: 'cn4-backup',
    listed: 0,
    error: { code: 'NETWORK', message: 'refused' },
  };
  return { ...report, targets: [...report.targets, failed] };
}

describe('TargetFailed', () => {
  it('counts the targets that could not be swept, per target and in total, only when one failed', () => {
    const report = withFailedTarget(fixedReport());
    const failed = report.targets.filter((t) => t.error !== undefined).length;
    expect(failed).toBeGreaterThan(0);
    const lines: string[] = [];
    publishTargetFailures(sweepMetrics({ stage: 'prod', write: (l) => lines.push(l) }), report);
    const parsed = parse(lines);
    expect(parsed).toHaveLength(failed + 1);
    expect(dimensionSetsOf(parsed.at(-1)!)).toEqual([['Service', 'Stage']]);
    expect(parsed.at(-1)).toMatchObject({ TargetFailed: failed });
    const healthy = fixedReport({ targets: report.targets.filter((t) => t.error === undefined) });
    const none: string[] = [];
    publishTargetFailures(sweepMetrics({ stage: 'prod', write: (l) => none.push(l) }), healthy);
    publishTargetFailures(
      sweepMetrics({ stage: 'prod', write: (l) => none.push(l) }),
      fixedReport({ dryRun: true }),
    );
    expect(none).toEqual([]);
  });
});
