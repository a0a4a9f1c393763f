import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import { readInstance } from '../../lib/dataarts/instance';
import { parseSweepEvent } from '../../lib/lambda/event';
import { buildSummary } from '../../lib/notify/summary';
import { formatTable } from '../../lib/render/format-table';
import type { SweepReport } from '../../lib/sweep/report';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, failedAgo, sweeper } from '../support/sweep-setup';
import { PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

const outcomeOf = (report: SweepReport, id: number) =>
  report.decisions.find((d) => d.instanceId === String(id));
const many = (n: number, minutes: number, extra: Partial<InstanceSeed> = {}) =>
  Array.from({ length: n }, (_, i) => failedAgo(i + 1, minutes, extra));

describe('failure rules in a sweep', () => {
  it('reads node details only for instances that would be restarted, and only when a rule needs them', async () => {
    emulator.seed(PROJECT, undefined, [
      failedAgo(1, 30, { errorMessage: 'Shell exited 1', node: { nodeName: 'prepare', type: 'Shell' } }),
      failedAgo(2, 30, { errorMessage: 'DLI queue busy', node: { nodeName: 'load', type: 'DLISQL' } }),
      failedAgo(3, 30, { errorMessage: 'Permission denied on table ods.x' }),
      failedAgo(4, 1, { node: { type: 'Shell' } }),
      failedAgo(5, 30, { instanceType: 2 }),
    ]);
    const report = await sweeper(emulator, clock, new MemoryLedger(), {
      neverRetryOn: ['permission denied'],
      neverRetryNodeTypes: ['shell'],
    }).run();
    expect(outcomeOf(report, 1)).toMatchObject({
      outcome: 'non-retryable-failure',
      detail: 'failed node prepare is a Shell: in neverRetryNodeTypes',
      errorMessage: 'Shell exited 1',
      failedNode: { name: 'prepare', type: 'Shell' },
      // The attempt it would have been, as for any other skip.
      rule: 'default',
      attempt: 1,
      maxAttempts: 3,
    });
    expect(outcomeOf(report, 2)).toMatchObject({
      outcome: 'restarted',
      errorMessage: 'DLI queue busy',
      failedNode: { name: 'load', type: 'DLISQL' },
    });
    expect(outcomeOf(report, 3)).toMatchObject({
      outcome: 'non-retryable-failure',
      detail: 'errorMessage matches neverRetryOn "permission denied"',
    });
    expect(outcomeOf(report, 4)?.outcome).toBe('backing-off');
    // The table shows the failure in short, after the reason.
    expect(formatTable(report, { all: true })).toContain(
      'in neverRetryNodeTypes [Shell prepare: Shell exited 1]',
    );
    // Instances 3 (message rule), 4 (backing off) and 5 (manual) cost no show request.
    expect(report.apiCalls.show).toBe(2);
    expect(emulator.state.all().find((i) => i.instanceId === '1')?.restarts).toBe(0);
  });

  it('reads no node details without a node rule, and carries every failure message (cut to 300)', async () => {
    emulator.seed(PROJECT, undefined, [
      failedAgo(1, 30, { errorMessage: 'x'.repeat(1000) }),
      failedAgo(2, 30),
    ]);
    const report = await sweeper(emulator, clock, new MemoryLedger(), { retryOn: ['x'] }).run();
    expect(report.apiCalls.show).toBe(0);
    expect(outcomeOf(report, 1)?.errorMessage).toHaveLength(300);
    // No message: unknownFailure (default "retry").
    expect(outcomeOf(report, 2)).toMatchObject({ outcome: 'restarted' });
    expect(outcomeOf(report, 2)).not.toHaveProperty('errorMessage');
  });

  it('in a dry run, reads node details and says which would not be restarted', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30, { node: { type: 'CDMJob' } }), failedAgo(2, 30)]);
    const report = await sweeper(emulator, clock, new MemoryLedger(), { failedNodeTypes: ['DLISQL'] }).run({
      dryRun: true,
    });
    expect(outcomeOf(report, 1)).toMatchObject({
      outcome: 'non-retryable-failure',
      failedNode: { type: 'CDMJob' },
    });
    expect(outcomeOf(report, 2)?.outcome).toBe('dry-run');
    expect(report.apiCalls.restart).toBe(0);
  });

  it('defers, without a request, an instance whose node details no longer fit before the deadline', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    const report = await sweeper(emulator, clock, new MemoryLedger(), { failedNodeTypes: ['DLISQL'] }).run({
      deadline: T0,
    });
    expect(outcomeOf(report, 1)).toMatchObject({
      outcome: 'deferred',
      detail: 'no time left to read the failed node its rule looks at',
      rule: 'default',
      attempt: 1,
      maxAttempts: 3,
    });
    expect(report.apiCalls.show + report.apiCalls.restart).toBe(0);
  });

  it('a failed node without a type is an unknown failure, reported by its name alone', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    const show = {
      jobName: 'job_1',
      status: 'fail',
      planTime: T0,
      total: 1,
      nodes: [{ nodeName: 'load', status: 'fail' }],
    };
    emulator.inject({ route: 'show', kind: 'custom', body: JSON.stringify(show) });
    const report = await sweeper(emulator, clock, new MemoryLedger(), {
      failedNodeTypes: ['DLISQL'],
      unknownFailure: 'skip',
    }).run();
    expect(outcomeOf(report, 1)).toMatchObject({ outcome: 'non-retryable-failure' });
    expect(outcomeOf(report, 1)?.failedNode).toStrictEqual({ name: 'load' });
  });

  it.each([
    ['a node’s endTime in nanoseconds', { endTime: (T0 - 30 * MIN) * 1e6 }, {}],
    ['a node’s startTime in seconds', { startTime: Math.floor((T0 - 40 * MIN) / 1000) }, {}],
    ['the instance’s endTime two days ahead', {}, { endTime: T0 + 2 * 1440 * MIN }],
  ])(
    'a show answer with %s is not trusted: reported, never restarted, whatever unknownFailure says',
    async (_name, node, times) => {
      emulator.seed(PROJECT, undefined, [failedAgo(1, 30), failedAgo(2, 30)]);
      const show = {
        jobName: 'job_1',
        status: 'fail',
        planTime: T0 - 40 * MIN,
        endTime: T0 - 30 * MIN,
        ...times,
        total: 1,
        nodes: [{ nodeName: 'load', type: 'DLISQL', status: 'fail', endTime: T0 - 30 * MIN, ...node }],
      };
      emulator.inject({ route: 'show', kind: 'custom', body: JSON.stringify(show) });
      // Only job_1's node is read: the one show answer is its own.
      const report = await sweeper(emulator, clock, new MemoryLedger(), {
        rules: [{ match: 'job_1', failedNodeTypes: ['DLISQL'] }],
      }).run();
      expect(report.apiCalls.show).toBe(1);
      expect(outcomeOf(report, 1)).toMatchObject({
        outcome: 'non-retryable-failure',
        detail: expect.stringMatching(
          /^the show answer cannot be trusted \(MALFORMED_RESPONSE: .*is not an epoch-ms time/,
        ),
      });
      expect(report.errors).toMatchObject([
        {
          code: 'MALFORMED_INSTANCE',
          message: expect.stringMatching(/^show answer: job job_1, instance 1: /),
        },
      ]);
      expect(report.restarted.map((r) => r.instanceId)).toEqual(['2']);
      expect(emulator.restarts(1)).toBe(0);
    },
  );

  it.each([
    [
      'forceSuccess (true)',
      { forceSuccess: true },
      'operator-override',
      'marked force-success by an operator',
    ],
    [
      'ignoreSuccess (true)',
      { ignoreSuccess: true },
      'operator-override',
      'marked ignore-success by an operator',
    ],
    ['a manual instance (type 2)', { instanceType: 2 }, 'instance-type', 'manually scheduled'],
    [
      'a type the rule does not retry (5)',
      { instanceType: 5 },
      'instance-type',
      'instance type 5 is not in instanceTypes [0]',
    ],
    [
      'forceSuccess as a string ("true")',
      { forceSuccess: 'true' },
      'non-retryable-failure',
      'cannot be trusted',
    ],
  ])(
    'the show answer says %s where the listing did not: never restarted',
    async (_name, says, outcome, detail) => {
      emulator.seed(PROJECT, undefined, [failedAgo(1, 30), failedAgo(2, 30)]);
      // An operator's mark made between the listing and the show, as Huawei's SDK model carries it.
      const show = {
        jobName: 'job_1',
        instanceId: 1,
        status: 'fail',
        planTime: T0 - 40 * MIN,
        startTime: T0 - 40 * MIN,
        endTime: T0 - 30 * MIN,
        instanceType: 0,
        forceSuccess: false,
        ignoreSuccess: false,
        ...says,
        total: 1,
        nodes: [{ nodeName: 'load', type: 'DLISQL', status: 'fail' }],
      };
      emulator.inject({ route: 'show', kind: 'custom', body: JSON.stringify(show) });
      const report = await sweeper(emulator, clock, new MemoryLedger(), {
        rules: [{ match: 'job_1', failedNodeTypes: ['DLISQL'], instanceTypes: [0] }],
      }).run();
      expect(report.apiCalls.show).toBe(1);
      expect(outcomeOf(report, 1)).toMatchObject({ outcome, detail: expect.stringContaining(detail) });
      expect(report.restarted.map((r) => r.instanceId)).toEqual(['2']);
      expect(emulator.restarts(1)).toBe(0);
    },
  );

  it('a list answer without the operator’s marks (an older edition): the emulator’s show answer says forceSuccess, never restarted', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30, { forceSuccess: true })]);
    const listed = {
      jobName: 'job_1',
      instanceId: 1,
      status: 'fail',
      planTime: T0 - 40 * MIN,
      endTime: T0 - 30 * MIN,
    };
    emulator.inject({
      route: 'list',
      kind: 'custom',
      body: JSON.stringify({ total: 1, instances: [listed] }),
    });
    const report = await sweeper(emulator, clock, new MemoryLedger(), { failedNodeTypes: ['DLISQL'] }).run();
    expect(outcomeOf(report, 1)).toMatchObject({
      outcome: 'operator-override',
      detail: 'marked force-success by an operator (the show answer says so)',
    });
    expect(emulator.count('restart')).toBe(0);
  });

  it('a failed node that cannot be read is an unknown failure', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    emulator.inject({ route: 'show', kind: 'instance-vanished' });
    const report = await sweeper(emulator, clock, new MemoryLedger(), {
      failedNodeTypes: ['DLISQL'],
      unknownFailure: 'skip',
    }).run();
    expect(outcomeOf(report, 1)).toMatchObject({ outcome: 'non-retryable-failure' });
    expect(outcomeOf(report, 1)?.detail).toMatch(/^node details unavailable/);
  });
});

describe('the storm guard counts the failures policy would retry, in its window', () => {
  const storm = { stormGuard: { enabled: true, maxFailedJobs: 20 } };

  it('suspects a storm from 25 recent retryable failures', async () => {
    emulator.seed(PROJECT, undefined, many(25, 30));
    const report = await sweeper(emulator, clock, new MemoryLedger(), storm).run();
    expect(report.storm).toBe(true);
    expect(report.targets[0]?.storm).toMatchObject({ suspected: true, failedJobs: 25 });
    expect(report.totals['storm-guard']).toBe(25);
  });

  it('does not count failures that ended before stormGuard.window', async () => {
    emulator.seed(PROJECT, undefined, many(25, 90));
    const wider = await sweeper(emulator, clock, new MemoryLedger(), {
      stormGuard: { enabled: true, maxFailedJobs: 20, window: '2h' },
    }).run({ dryRun: true });
    expect(wider.storm).toBe(true);
    const report = await sweeper(emulator, clock, new MemoryLedger(), storm).run();
    expect(report.targets[0]?.storm).toMatchObject({ suspected: false, failedJobs: 0 });
    expect(report.totals.restarted).toBe(25);
  });

  it('does not count excluded or disabled jobs, manual instances, overrides or non-retryable failures', async () => {
    emulator.seed(PROJECT, undefined, [
      ...many(8, 30),
      ...many(6, 30, { instanceType: 2 }).map((s, i) => ({
        ...s,
        jobName: `manual_${i}`,
        instanceId: 100 + i,
      })),
      ...many(6, 30, { forceSuccess: true }).map((s, i) => ({
        ...s,
        jobName: `forced_${i}`,
        instanceId: 200 + i,
      })),
      ...many(6, 30).map((s, i) => ({ ...s, jobName: `tmp_${i}`, instanceId: 300 + i })),
      ...many(6, 30).map((s, i) => ({ ...s, jobName: `legacy_${i}`, instanceId: 400 + i })),
      ...many(6, 30, { errorMessage: 'syntax error' }).map((s, i) => ({
        ...s,
        jobName: `bad_${i}`,
        instanceId: 500 + i,
      })),
    ]);
    const report = await sweeper(emulator, clock, new MemoryLedger(), {
      ...storm,
      excludeJobs: ['tmp_*'],
      neverRetryOn: ['syntax error'],
      rules: [{ match: 'legacy_*', enabled: false }],
    }).run();
    expect(report.targets[0]?.storm).toMatchObject({ suspected: false, failedJobs: 8 });
    expect(report.totals.restarted).toBe(8);
  });

  it('does not count exhausted budgets, and says what the last failure was', async () => {
    emulator.seed(
      PROJECT,
      undefined,
      many(25, 30, { runMs: 0, afterScript: 'fail', errorMessage: 'Out of memory' }),
    );
    const ledger = new MemoryLedger();
    // 25 jobs out of memory at once are an incident: this is about the storm guard alone.
    const alone = { incidents: { enabled: false } };
    const s = sweeper(emulator, clock, ledger, { maxAttempts: 1, maxRestartsPerSweep: 100, ...alone });
    expect((await s.run()).totals.restarted).toBe(25);
    clock.advance(10 * MIN);
    const after = await sweeper(emulator, clock, ledger, { ...storm, maxAttempts: 1, ...alone }).run();
    expect(after.totals['budget-exhausted']).toBe(25);
    expect(after.targets[0]?.storm).toMatchObject({ suspected: false, failedJobs: 0 });
    expect(after.exhausted[0]).toMatchObject({ attempts: 1, lastError: 'Out of memory' });
    const lines = buildSummary(after).sections.find((x) => x.kind === 'exhausted')?.lines ?? [];
    expect(lines[0]).toMatch(/1\/1 attempts used; last failure: Out of memory$/);
    expect(
      buildSummary(after, { locale: 'zh-CN' }).sections.find((x) => x.kind === 'exhausted')?.lines[0],
    ).toMatch(/最后一次失败：Out of memory$/);
  });

  it('a subset sweep (--job) counts only its own jobs', async () => {
    emulator.seed(PROJECT, undefined, many(25, 30));
    const report = await sweeper(emulator, clock, new MemoryLedger(), {
      ...storm,
      jobs: ['job_1', 'job_2'],
    }).run();
    expect(report.targets[0]?.storm).toMatchObject({ suspected: false, failedJobs: 2 });
    expect(report.totals.restarted).toBe(2);
  });

  it('a one-off sweep may ignore the guard: it restarts and the report says so', async () => {
    emulator.seed(PROJECT, undefined, many(25, 30));
    const report = await sweeper(emulator, clock, new MemoryLedger(), storm).run({ ignoreStormGuard: true });
    expect(report.stormGuardIgnored).toBe(true);
    expect(report.targets[0]?.storm).toMatchObject({ suspected: true, ignored: true });
    expect(report.totals.restarted).toBe(25);
    expect(parseSweepEvent({ ignoreStormGuard: true })).toEqual({ ignoreStormGuard: true });
    expect(() => parseSweepEvent({ ignoreStormGuard: 'yes' })).toThrow(/event\.ignoreStormGuard/);
  });
});

describe('errorMessage as the list answer gives it', () => {
  it('is optional, and a value that is not a string is absent, not malformed', () => {
    const row = { jobName: 'j', instanceId: 1, status: 'fail' };
    expect(readInstance({ ...row, errorMessage: 'boom' })).toMatchObject({ errorMessage: 'boom' });
    for (const odd of [5, null, { text: 'x' }, ['x']]) {
      const read = readInstance({ ...row, errorMessage: odd });
      expect(typeof read).toBe('object');
      expect(read).not.toHaveProperty('errorMessage');
    }
  });
});
