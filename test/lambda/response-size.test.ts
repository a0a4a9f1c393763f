import * as v from 'valibot';
import { failedSeeds } from '../../emulator/builders';
import type { Emulator } from '../../emulator/server';
import { fitResponse, logDetail, RESPONSE_BUDGET_BYTES } from '../../lib/lambda/response';
import { runLambdaSweep } from '../../lib/lambda/run-sweep';
import type { Logger } from '../../lib/log';
import { type SweepReport, SweepReportSchema } from '../../lib/sweep/report';
import { fixedReport } from '../support/fixed-report';
import { ctx, lambdaDeps } from '../support/lambda-harness';
import { emulatorWithClock, PROJECT } from '../support/targets';

const MB = 1024 * 1024;
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');
const ERROR = `Task failed: ${'java.sql.SQLException: connection reset by peer; '.repeat(6)}`.slice(0, 300);

/** A report shaped like 50 targets x 500 failures in the window, every decision with its error. */
function bigReport(targets = 50, perTarget = 500): SweepReport {
  const base = fixedReport();
  const decisions: SweepReport['decisions'] = [];
  for (let t = 0; t < targets; t++)
    for (let i = 0; i < perTarget; i++)
      decisions.push({
        target: `ws-${t}`,
        workspace: `a1b2c3d4e5f6${t}`,
        jobName: `ods_sales_daily_${i}`,
        instanceId: String(9_000_000_000 + t * perTarget + i),
        status: 'fail',
        outcome: i === 0 ? 'restarted' : i < 5 ? 'budget-exhausted' : 'sweep-cap',
        detail: 'the sweep cap was reached',
        attempt: 1,
        maxAttempts: 3,
        rule: 'default',
        errorMessage: ERROR,
      });
  const ref = ({ target, workspace, jobName, instanceId }: SweepReport['decisions'][number]) => ({
    target,
    workspace,
    jobName,
    instanceId,
  });
  return {
    ...base,
    targets: Array.from({ length: targets }, (_, t) => ({
      ...(base.targets[0] as SweepReport['targets'][number]),
      target: `ws-${t}`,
    })),
    decisions,
    restarted: decisions
      .filter((d) => d.outcome === 'restarted')
      .map((d) => ({ ...ref(d), attempt: 1, maxAttempts: 3 })),
    exhausted: decisions
      .filter((d) => d.outcome === 'budget-exhausted')
      .map((d) => ({ ...ref(d), attempts: 3, maxAttempts: 3, lastError: ERROR })),
    deferred: [],
    errors: [],
    unconfirmed: [],
  };
}

describe('the Lambda response fits whatever the sweep size', () => {
  it('50 targets x 500 failures: over 5 MB in full, under 1 MB returned, counts and restarts whole', () => {
    const full = bigReport();
    expect(bytes(full)).toBeGreaterThan(5 * MB);
    const response = fitResponse(full);
    expect(bytes(response)).toBeLessThanOrEqual(RESPONSE_BUDGET_BYTES);
    expect(bytes(response)).toBeLessThan(1 * MB);
    expect(response.totals).toEqual(full.totals);
    expect(response.targets).toEqual(full.targets);
    expect(response.restarted).toEqual(full.restarted);
    expect(response.exhausted).toEqual(full.exhausted);
    expect(response.truncated?.omitted.decisions).toBe(full.decisions.length - response.decisions.length);
    expect(response.decisions.filter((d) => d.outcome === 'sweep-cap')).toHaveLength(10);
    expect(v.safeParse(SweepReportSchema, response).success).toBe(true);
  });

  it('a small report is returned whole, with no `truncated`', () => {
    const full = fixedReport();
    expect(fitResponse(full)).toBe(full);
  });

  it('lists longer than the budget are cut, most important first, and counted', () => {
    const full = bigReport(50, 2000);
    const response = fitResponse(full, 64 * 1024);
    expect(bytes(response)).toBeLessThanOrEqual(64 * 1024);
    expect(response.restarted).toEqual(full.restarted);
    expect(response.truncated?.omitted.exhausted).toBe(full.exhausted.length - response.exhausted.length);
    expect(response.truncated?.omitted.exhausted).toBeGreaterThan(0);
  });

  it('the log gets every item, in lines under 256 KB', () => {
    const full = bigReport();
    const lines: Array<Record<string, unknown>> = [];
    const logger: Logger = {
      debug() {},
      warn() {},
      error() {},
      info: (_message, data) => lines.push(data ?? {}),
    };
    logDetail(logger, full);
    expect(Math.max(...lines.map((l) => bytes(l)))).toBeLessThan(256 * 1024);
    const decisions = lines.filter((l) => l.list === 'decisions').flatMap((l) => l.items as unknown[]);
    expect(decisions).toEqual(full.decisions);
  });
});

describe('runLambdaSweep against 50 targets x 5,000 instances a day at 10% failed', () => {
  let emulator: Emulator;
  afterEach(async () => emulator.close());

  it('returns under 1 MB and logs the whole report', async () => {
    const started = await emulatorWithClock();
    emulator = started.emulator;
    const now = started.clock.now();
    const targets = Array.from({ length: 50 }, (_, t) => {
      const workspace = `ws${t}`;
      emulator.seed(
        PROJECT,
        workspace,
        failedSeeds(500, {
          now,
          jobPrefix: `ods_${t}_`,
          firstId: 1_000_000 * (t + 1),
          extra: { errorMessage: ERROR },
        }),
      );
      return { name: `t${t}`, endpoint: emulator.url, projectId: PROJECT, workspace };
    });
    const output: string[] = [];
    const deps = await lambdaDeps(emulator, started.clock, output);
    deps.env.AUTORETRY_TARGETS = JSON.stringify(targets);
    deps.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    deps.env.TOPIC_NAME = 'none';
    // Each target's 500 failures share one message, an incident: this is about a full response.
    deps.env.AUTORETRY_POLICY = JSON.stringify({
      rateLimit: 1000,
      stormGuard: { enabled: false },
      incidents: { enabled: false },
    });
    const result = await runLambdaSweep({}, ctx(600_000), deps);
    // The report lists the first 50 decisions of each outcome per target and counts the
    // rest; the response trims what the report listed further, and says how many.
    const omitted = Object.values(result.omittedDecisions ?? {}).reduce((a, b) => a + b, 0);
    expect(omitted).toBeGreaterThan(20_000);
    expect(Object.values(result.totals).reduce((a, b) => a + b, 0)).toBe(25_000);
    expect(result.decisions.length + (result.truncated?.omitted.decisions ?? 0)).toBe(25_000 - omitted);
    expect(result.restarted).toHaveLength(50);
    expect(result.targets.map((t) => t.counts.restarted)).toEqual(Array(50).fill(1));
    expect(bytes(result)).toBeLessThan(1 * MB);
    const detail = output.filter((line) => line.includes('sweep report detail'));
    expect(detail.length).toBeGreaterThan(0);
    expect(Math.max(...detail.map((line) => Buffer.byteLength(line)))).toBeLessThan(256 * 1024);
  }, 120_000);
});
