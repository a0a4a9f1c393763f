import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { DynamoDbLedger } from '../../lib/ledger/dynamodb-ledger';
import type { SweepReport } from '../../lib/sweep/report';
import { freshDynamoLedger } from '../support/dynamo';
import { failedAgo, sweeper } from '../support/sweep-setup';
import { emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
let ledger: DynamoDbLedger;

beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
  ({ ledger } = await freshDynamoLedger());
});
afterEach(async () => emulator.close());

function outcomeOf(report: SweepReport, instanceId: number | string) {
  const found = report.decisions.filter((d) => d.instanceId === String(instanceId));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('runSweep against the emulator and a DynamoDB ledger', () => {
  it('restarts eligible failures, explains every other one, and records the attempt', async () => {
    emulator.seed(PROJECT, undefined, [
      failedAgo(1, 30),
      failedAgo(2, 1),
      failedAgo(3, 30, { instanceType: 2 }),
      failedAgo(4, 30, { status: 'manual-stop' }),
      failedAgo(5, 30, { status: 'running-exception' }),
      failedAgo(6, 30, { status: 'success' }),
    ]);
    const report = await sweeper(emulator, clock, ledger).run();
    expect(report.restarted).toEqual([
      {
        target: 'prod',
        workspace: 'default',
        jobName: 'job_1',
        instanceId: '1',
        attempt: 1,
        maxAttempts: 3,
      },
    ]);
    expect(outcomeOf(report, 2)).toMatchObject({ outcome: 'backing-off', until: '2026-11-24T08:04:00Z' });
    expect(outcomeOf(report, 3).outcome).toBe('instance-type');
    expect(outcomeOf(report, 4).outcome).toBe('status-not-selected');
    expect(outcomeOf(report, 5).outcome).toBe('status-not-restartable');
    expect(report.decisions.find((d) => d.instanceId === '6')).toBeUndefined();
    expect(report.totals).toEqual({
      restarted: 1,
      'backing-off': 1,
      'instance-type': 1,
      'status-not-selected': 1,
      'status-not-restartable': 1,
    });
    expect(emulator.restarts(1)).toBe(1);
    const entry = (
      await ledger.read([{ target: 'prod', workspace: 'default', jobName: 'job_1', instanceId: '1' }])
    )
      .values()
      .next().value;
    expect(entry).toMatchObject({ attempts: 1, lastOutcome: 'restarted' });
    expect(report.targets[0]?.apiCalls.restart).toBe(1);
  });

  it('a repeated sweep never restarts the same attempt twice', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30, { runMs: 0, afterScript: 'fail' })]);
    const s = sweeper(emulator, clock, ledger);
    await s.run();
    // The rerun ended at once and failed again: it is listed as failed, but backing off.
    const second = await s.run();
    expect(emulator.restarts(1)).toBe(1);
    expect(outcomeOf(second, 1).outcome).toBe('backing-off');
  });

  it('spends the budget over sweeps, then reports it exhausted exactly once', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30, { afterScript: 'fail' })]);
    const s = sweeper(emulator, clock, ledger, { maxAttempts: 2 });
    const reports: SweepReport[] = [];
    for (let i = 0; i < 4; i++) {
      reports.push(await s.run());
      clock.advance(60 * MIN);
    }
    expect(emulator.restarts(1)).toBe(2);
    expect(reports.map((r) => r.restarted.length)).toEqual([1, 1, 0, 0]);
    expect(reports.map((r) => r.exhausted.length)).toEqual([0, 0, 1, 0]);
    expect(reports[2]?.exhausted[0]).toMatchObject({
      jobName: 'job_1',
      attempts: 2,
      maxAttempts: 2,
      lastOutcome: 'restarted',
    });
    expect(outcomeOf(reports[3]!, 1).outcome).toBe('budget-exhausted');
  });

  it('a dry run makes the same plan, restarts nothing and writes nothing', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30), failedAgo(2, 30), failedAgo(3, 1)]);
    const report = await sweeper(emulator, clock, ledger, { maxRestartsPerSweep: 1 }).run({ dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(emulator.count('restart')).toBe(0);
    expect(report.totals).toEqual({ 'dry-run': 1, 'sweep-cap': 1, 'backing-off': 1 });
    const keys = [1, 2, 3].map((i) => ({
      target: 'prod',
      workspace: 'default',
      jobName: `job_${i}`,
      instanceId: String(i),
    }));
    expect((await ledger.read(keys)).size).toBe(0);
    expect(await ledger.hourlyCount('prod', T0)).toBe(0);
  });

  it('the storm guard restarts nothing when many jobs fail at once', async () => {
    emulator.seed(
      PROJECT,
      undefined,
      Array.from({ length: 25 }, (_, i) => failedAgo(i + 1, 30)),
    );
    const report = await sweeper(emulator, clock, ledger, { stormGuard: { enabled: true } }).run();
    expect(report.storm).toBe(true);
    expect(report.targets[0]?.storm.reason).toBe('25 distinct jobs failed (limit 20)');
    expect(report.totals).toEqual({ 'storm-guard': 25 });
    expect(emulator.count('restart')).toBe(0);
  });

  it('the ratio guard counts all instances of the window', async () => {
    emulator.seed(PROJECT, undefined, [
      ...Array.from({ length: 12 }, (_, i) => failedAgo(i + 1, 30, { jobName: `job_${i % 3}` })),
      ...Array.from({ length: 8 }, (_, i) => failedAgo(100 + i, 30, { status: 'success' })),
    ]);
    const report = await sweeper(emulator, clock, ledger, { stormGuard: { enabled: true } }).run();
    expect(report.targets[0]?.storm).toMatchObject({
      suspected: true,
      totalInstances: 20,
      failedInstances: 12,
    });
  });

  it('caps restarts per sweep and per hour across sweeps', async () => {
    emulator.seed(
      PROJECT,
      undefined,
      Array.from({ length: 10 }, (_, i) => failedAgo(i + 1, 30 + i)),
    );
    const s = sweeper(emulator, clock, ledger, { maxRestartsPerSweep: 3, maxRestartsPerHour: 5 });
    const first = await s.run();
    expect(first.totals).toMatchObject({ restarted: 3, 'sweep-cap': 7 });
    // Oldest failures first:
    expect(first.restarted.map((r) => r.instanceId).sort()).toEqual(['10', '8', '9']);
    // A dry run sees the hour as it is (3 of 5 used) without reserving any of it.
    expect((await s.run({ dryRun: true })).totals).toMatchObject({ 'dry-run': 2, 'hourly-cap': 5 });
    const second = await s.run();
    expect(second.totals).toMatchObject({ restarted: 2, 'hourly-cap': 5 });
    clock.advance(60 * MIN);
    const third = await s.run();
    expect(third.totals.restarted).toBe(3);
    expect(emulator.count('restart', 204)).toBe(8);
  });

  it('one bad instance never stops the sweep; the budget stays right', async () => {
    emulator.seed(PROJECT, undefined, [
      failedAgo(1, 30),
      failedAgo(2, 31),
      failedAgo(3, 32),
      failedAgo(4, 33),
    ]);
    // Restarts run oldest first: 4, 3, 2, 1.
    emulator.inject({ route: 'restart', kind: 'instance-vanished', nth: 1 });
    emulator.inject({ route: 'restart', kind: 503, nth: 2 });
    emulator.inject({ route: 'restart', kind: 503, nth: 3 });
    emulator.inject({ route: 'restart', kind: 503, nth: 4 });
    emulator.inject({ route: 'restart', kind: 503, nth: 5 });
    const report = await sweeper(emulator, clock, ledger, { concurrency: 1 }).run();
    expect(report.errors.map((e) => [e.instanceId, e.code, e.attemptCounted])).toEqual([
      ['4', 'INSTANCE_NOT_FOUND', true],
      ['3', 'UNAVAILABLE', false],
    ]);
    expect(report.restarted.map((r) => r.instanceId)).toEqual(['2', '1']);
    const entries = await ledger.read(
      [3, 4].map((i) => ({
        target: 'prod',
        workspace: 'default',
        jobName: `job_${i}`,
        instanceId: String(i),
      })),
    );
    expect([...entries.values()].map((e) => [e.instanceId, e.attempts, e.lastOutcome]).sort()).toEqual([
      ['3', 0, 'released'],
      ['4', 1, 'not-found'],
    ]);
    expect(await ledger.hourlyCount('prod', T0)).toBe(3);
  });

  it('two jobs whose failures share an instance id: both decided, each restarted exactly once', async () => {
    emulator.seed(PROJECT, undefined, [
      failedAgo(7, 30, { jobName: 'job_a', afterScript: 'fail' }),
      failedAgo(7, 31, { jobName: 'job_b', afterScript: 'fail' }),
      failedAgo(8, 32, { afterScript: 'fail' }),
    ]);
    const sweep = sweeper(emulator, clock, ledger);
    const report = await sweep.run();
    const named = (items: ReadonlyArray<{ jobName: string; instanceId: string }>) =>
      items.map((d) => `${d.jobName}/${d.instanceId}`).sort();
    // Every listed failure is accounted for: one decision each.
    expect(report.targets[0]?.listed).toBe(3);
    expect(named(report.decisions)).toEqual(['job_8/8', 'job_a/7', 'job_b/7']);
    expect(named(report.restarted)).toEqual(['job_8/8', 'job_a/7', 'job_b/7']);
    expect(report.errors).toEqual([]);
    const restarts = (job: string) =>
      emulator.state.all().find((i) => i.jobName === job && i.instanceId === '7')?.restarts;
    expect([restarts('job_a'), restarts('job_b')]).toEqual([1, 1]);
    const keys = ['job_a', 'job_b'].map((jobName) => ({
      target: 'prod',
      workspace: 'default',
      jobName,
      instanceId: '7',
    }));
    expect([...(await ledger.read(keys)).values()].map((e) => [e.jobName, e.attempts]).sort()).toEqual([
      ['job_a', 1],
      ['job_b', 1],
    ]);

    // The reruns fail again: each earns its own next attempt, once.
    clock.advance(30 * MIN);
    const second = await sweep.run();
    expect(named(second.restarted)).toEqual(['job_8/8', 'job_a/7', 'job_b/7']);
    expect([restarts('job_a'), restarts('job_b')]).toEqual([2, 2]);
    expect(emulator.maxRerunsPerFailure()).toBe(1);
  });

  it('an attempt whose outcome is unknown stays counted and is reported unconfirmed', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    emulator.inject({ route: 'restart', kind: 502, processed: true });
    emulator.inject({ route: 'show', kind: 500, times: 3 });
    const report = await sweeper(emulator, clock, ledger).run();
    expect(report.unconfirmed).toEqual([
      expect.objectContaining({ instanceId: '1', attempt: 1, code: 'SERVER_ERROR' }),
    ]);
    expect(emulator.restarts(1)).toBe(1);
    const again = await sweeper(emulator, clock, ledger).run();
    expect(emulator.restarts(1)).toBe(1);
    expect(again.restarted).toHaveLength(0);
  });

  it('stops starting restarts at the deadline and reports the rest as deferred', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30), failedAgo(2, 30)]);
    const report = await sweeper(emulator, clock, ledger).run({ deadline: T0 + 100 });
    expect(report.totals).toEqual({ deferred: 2 });
    expect(report.deferred.map((d) => d.instanceId).sort()).toEqual(['1', '2']);
    expect(emulator.count('restart')).toBe(0);
  });

  it('an authentication failure is one clear error for that target; other targets go on', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    emulator.seed('otherproject', undefined, [failedAgo(2, 30)]);
    const targets = [
      { name: 'prod', endpoint: emulator.url, projectId: PROJECT },
      { name: 'other', endpoint: emulator.url, projectId: 'otherproject' },
    ];
    const report = await sweeper(emulator, clock, ledger, {}, { targets, sk: 'wrong' }).run();
    expect(report.targets.map((t) => t.error?.code)).toEqual([
      'AUTHENTICATION_FAILED',
      'AUTHENTICATION_FAILED',
    ]);
    expect(report.errors).toHaveLength(2);
    expect(emulator.count('list', 401)).toBeLessThanOrEqual(6);
    expect(JSON.stringify(report)).not.toContain('wrong');
  });

  it('sweeps several targets and workspaces with separate budgets', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    emulator.seed(PROJECT, 'ws-2', [failedAgo(2, 30), failedAgo(1, 30)]);
    const targets = [
      { name: 'prod', endpoint: emulator.url, projectId: PROJECT },
      { name: 'prod-ws2', endpoint: emulator.url, projectId: PROJECT, workspace: 'ws-2' },
    ];
    const report = await sweeper(emulator, clock, ledger, {}, { targets }).run();
    expect(report.restarted.map((r) => `${r.target}/${r.workspace}/${r.instanceId}`).sort()).toEqual([
      'prod-ws2/ws-2/1',
      'prod-ws2/ws-2/2',
      'prod/default/1',
    ]);
  });
});

describe('overlapping sweeps on one ledger', () => {
  it('4 sweeps at once, 500 failed instances, two rounds: each attempt runs exactly once', async () => {
    emulator.seed(
      PROJECT,
      undefined,
      Array.from({ length: 500 }, (_, i) =>
        failedAgo(i + 1, 30, { jobName: `job_${i % 40}`, script: ['fail'], runMs: 5 * MIN }),
      ),
    );
    const policy = { maxRestartsPerSweep: 1000, maxRestartsPerHour: 10_000, concurrency: 8 };
    const sweeps = Array.from({ length: 4 }, () => sweeper(emulator, clock, ledger, policy));
    for (let round = 1; round <= 2; round++) {
      const reports = await Promise.all(sweeps.map((s) => s.run()));
      for (const report of reports) {
        // Every failed instance is accounted for in every report, exactly once.
        expect(report.decisions).toHaveLength(500);
        expect(new Set(report.decisions.map((d) => d.instanceId)).size).toBe(500);
        // `in-flight`: this sweep read the ledger after another one's claim (parallel reads make that common).
        // `already-attempted`: it listed the failure, then read the ledger after another sweep had already
        // restarted it and recorded the outcome (a loaded machine makes that gap wide enough; CI saw it).
        expect(
          report.decisions.filter(
            (d) =>
              !['restarted', 'claimed-elsewhere', 'in-flight', 'backing-off', 'already-attempted'].includes(
                d.outcome,
              ),
          ),
        ).toEqual([]);
      }
      const restartedIds = reports.flatMap((r) => r.restarted.map((x) => x.instanceId));
      expect(restartedIds).toHaveLength(500);
      expect(new Set(restartedIds).size).toBe(500);
      for (let id = 1; id <= 500; id++) expect(emulator.restarts(id)).toBe(round);
      clock.advance(60 * MIN);
    }
    const entries = await ledger.read(
      Array.from({ length: 500 }, (_, i) => ({
        target: 'prod',
        workspace: 'default',
        jobName: `job_${i % 40}`,
        instanceId: String(i + 1),
      })),
    );
    expect([...entries.values()].every((e) => e.attempts === 2)).toBe(true);
    expect(entries.size).toBe(500);
    // A correctness test with 4,000 decisions: generous, so a loaded machine cannot fail it.
  }, 600_000);
});
