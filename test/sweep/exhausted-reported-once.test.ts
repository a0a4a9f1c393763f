/**
 * An exhausted budget is reported exactly once, also when its entry is never read in
 * priority order: behind a full sweep cap, under a storm, after the rule was lowered or
 * raised, and while the index of attempted entries lags. The ledger is seeded directly
 * (claims and settlements as earlier sweeps write them); each test asserts what a sweep
 * reports.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { InstanceKey } from '../../lib/ledger/ledger';
import { MemoryLedger } from '../support/memory-ledger';
import {
  attemptsMade,
  emulatorPerTest,
  failuresSecondsApart,
  prodKey,
  sweeper,
} from '../support/sweep-setup';
import { PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
const HOUR = 60 * MIN;
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

describe('an exhausted budget whose entry was claimed before the index existed', () => {
  // Attempts 1 and 2 were claimed under maxAttempts 3 (or by the version before this
  // change): neither claim was the last the rule allowed, so neither set budgetSpent.
  // The rule now says maxAttempts 2: the budget is used up.
  const exhaustedSeed: InstanceSeed = {
    jobName: 'lowered',
    instanceId: 1,
    status: 'fail',
    planTime: T0 - 45 * MIN,
    startTime: T0 - 45 * MIN,
    endTime: T0 - 35 * MIN,
    runMs: 10 * MIN,
  };

  it('is reported exhausted when nothing fills the cap', async () => {
    const ledger = new MemoryLedger();
    await attemptsMade(ledger, prodKey('lowered', '1'), 2, 3);
    emulator.seed(PROJECT, undefined, [exhaustedSeed]);
    const policy = { maxRestartsPerSweep: 5, maxRestartsPerHour: 1000, maxAttempts: 2 };
    const report = await sweeper(emulator, clock, ledger, policy).run();
    expect(report.exhausted.map((e) => e.instanceId)).toEqual(['1']);
  }, 120_000);

  it('is reported exhausted although 300 older failures fill the sweep cap', async () => {
    const ledger = new MemoryLedger();
    await attemptsMade(ledger, prodKey('lowered', '1'), 2, 3);
    emulator.seed(PROJECT, undefined, [exhaustedSeed, ...failuresSecondsApart(300, { firstId: 1000 })]);
    const policy = { maxRestartsPerSweep: 5, maxRestartsPerHour: 1000, maxAttempts: 2 };

    const report = await sweeper(emulator, clock, ledger, policy).run();

    expect(report.restarted).toHaveLength(5);
    expect(emulator.restarts(1)).toBe(0);
    expect(report.exhausted.map((e) => e.instanceId)).toEqual(['1']);
    const decision = report.decisions.find((d) => d.instanceId === '1');
    expect(decision?.outcome).toBe('budget-exhausted');
  }, 120_000);

  it('is reported exhausted while the storm guard stops every restart', async () => {
    const ledger = new MemoryLedger();
    await attemptsMade(ledger, prodKey('lowered', '1'), 2, 3);
    emulator.seed(PROJECT, undefined, [exhaustedSeed, ...failuresSecondsApart(300, { firstId: 1000 })]);
    const policy = {
      maxRestartsPerSweep: 5,
      maxRestartsPerHour: 1000,
      maxAttempts: 2,
      stormGuard: { enabled: true, maxFailedJobs: 10 },
    };

    const report = await sweeper(emulator, clock, ledger, policy).run();

    expect(report.storm).toBe(true);
    expect(report.restarted).toEqual([]);
    expect(report.exhausted.map((e) => e.instanceId)).toEqual(['1']);
  }, 120_000);
});

/** `job_x` instance 1, failed 40 min ago; each of its next `reruns` reruns fails again after a minute. */
const failsAgain = (reruns: number): InstanceSeed => ({
  jobName: 'job_x',
  instanceId: 1,
  status: 'fail',
  planTime: T0 - 50 * MIN,
  startTime: T0 - 50 * MIN,
  endTime: T0 - 40 * MIN,
  script: Array(reruns).fill('fail'),
  runMs: MIN,
});

/**
 * A ledger whose index of attempted entries lags behind the table, as a DynamoDB global secondary
 * index does (its reads are eventually consistent; writes reach it asynchronously):
 * after `freeze`, `attemptedKeys` answers what the index held at that moment.
 */
class LaggingIndexLedger extends MemoryLedger {
  private frozen: InstanceKey[] | undefined;
  private readonly target = 'prod';

  async freeze(): Promise<void> {
    this.frozen = await super.attemptedKeys(this.target, 0);
  }

  override async attemptedKeys(target: string, since: number): Promise<InstanceKey[] | undefined> {
    const current = await super.attemptedKeys(target, since);
    return this.frozen ? structuredClone(this.frozen) : current;
  }
}

describe('the index of attempted entries read while it lags (DynamoDB eventual consistency)', () => {
  it('without lag: one exhausted report, the reset budget is used', async () => {
    emulator.seed(PROJECT, undefined, [failsAgain(1)]);
    const ledger = new LaggingIndexLedger();
    const policy = { maxRestartsPerSweep: 5, maxRestartsPerHour: 1000, maxAttempts: 1 };
    await sweeper(emulator, clock, ledger, policy).run();
    clock.advance(10 * MIN);
    const second = await sweeper(emulator, clock, ledger, policy).run();
    expect(second.exhausted.map((e) => e.instanceId)).toEqual(['1']);
    clock.advance(2_000);
    await ledger.reset(prodKey('job_x', '1'), { by: 'ops', reason: 'fixed', now: clock.now() });
    clock.advance(2_000);
    const third = await sweeper(emulator, clock, ledger, policy).run();
    expect(third.exhausted).toEqual([]);
    expect(third.restarted.map((r) => r.instanceId)).toEqual(['1']);
  }, 120_000);

  it('an operator reset followed at once by a sweep: no second exhausted report, the reset budget is used', async () => {
    // Instance 1 fails, its one attempt reruns it, the rerun fails: budget spent.
    emulator.seed(PROJECT, undefined, [failsAgain(1)]);
    const ledger = new LaggingIndexLedger();
    const policy = { maxRestartsPerSweep: 5, maxRestartsPerHour: 1000, maxAttempts: 1 };
    const first = await sweeper(emulator, clock, ledger, policy).run();
    expect(first.restarted.map((r) => r.instanceId)).toEqual(['1']);
    clock.advance(10 * MIN);

    // The index as it is now (attempt 1 of 1 spent); the next writes reach it late.
    await ledger.freeze();
    const second = await sweeper(emulator, clock, ledger, policy).run();
    expect(second.exhausted.map((e) => e.instanceId)).toEqual(['1']);

    // The operator fixes the cause and resets the budget, then sweeps right away.
    clock.advance(2_000);
    const reset = await ledger.reset(prodKey('job_x', '1'), { by: 'ops', reason: 'fixed', now: clock.now() });
    expect(reset.status).toBe('reset');
    clock.advance(2_000);
    const third = await sweeper(emulator, clock, ledger, policy).run();

    // The budget was reset: nothing is exhausted, and the failure gets its attempt.
    expect(third.exhausted).toEqual([]);
    expect(third.restarted.map((r) => r.instanceId)).toEqual(['1']);
    expect(emulator.restarts(1)).toBe(2);
  }, 120_000);
});

describe('maxAttempts raised after the budget was reported exhausted', () => {
  it('the new budget, spent in turn, is reported exhausted once more', async () => {
    emulator.seed(PROJECT, undefined, [failsAgain(2)]);
    const ledger = new MemoryLedger();
    const one = { maxRestartsPerSweep: 5, maxRestartsPerHour: 1000, maxAttempts: 1, firstRetryDelay: '0s' };
    expect((await sweeper(emulator, clock, ledger, one).run()).restarted).toHaveLength(1);
    clock.advance(10 * MIN);
    expect((await sweeper(emulator, clock, ledger, one).run()).exhausted).toHaveLength(1);

    // The operator gives the job one more attempt.
    const two = { ...one, maxAttempts: 2 };
    clock.advance(2 * HOUR);
    const third = await sweeper(emulator, clock, ledger, two).run();
    expect(third.restarted.map((r) => [r.instanceId, r.attempt])).toEqual([['1', 2]]);
    clock.advance(10 * MIN);
    const fourth = await sweeper(emulator, clock, ledger, two).run();
    expect(fourth.decisions.find((d) => d.instanceId === '1')?.outcome).toBe('budget-exhausted');
    // 2 of 2 used: a human must hear of it, as of the first budget.
    expect(fourth.exhausted.map((e) => [e.instanceId, e.attempts])).toEqual([['1', 2]]);
  }, 120_000);
});
