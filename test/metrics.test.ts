import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALARM_METRICS, METRIC_NAMESPACE, metricLines } from '../lib/metrics';
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
const metricsOf = (line: EmfLine) => line._aws.CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name));
const dimensionSetsOf = (line: EmfLine) => line._aws.CloudWatchMetrics.flatMap((m) => m.Dimensions);

describe('metricLines', () => {
  const alarms = alarmsOfServerlessYml().filter((a) => a.namespace === METRIC_NAMESPACE);

  it('reads the alarms of serverless.yml, and ALARM_METRICS names every metric they watch', () => {
    expect(alarms.map((a) => a.metric)).toEqual(['Exhausted']);
    for (const alarm of alarms) expect(ALARM_METRICS).toContain(alarm.metric);
  });

  it('a real sweep feeds the alarms: Exhausted on the (Service, Stage) line', () => {
    const lines = parse(metricLines(fixedReport(), 'prod', 0));
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
    const lines = parse(metricLines(report, 'prod', 0));
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
});

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
