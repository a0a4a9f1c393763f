/**
 * Review of issue 15 (batched plan): exhausted budgets must be reported exactly once,
 * also when their entries are never read in priority order. These tests seed the
 * ledger directly (claims and settlements as earlier sweeps write them) and check what
 * a sweep reports; each asserts the invariant, not "no error".
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { InstanceKey } from '../../lib/ledger/ledger';
import { claimRequest } from '../support/ledger-entries';
import { MemoryLedger } from '../support/memory-ledger';
import { sweeper } from '../support/sweep-setup';
import { emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
});
afterEach(async () => emulator.close());

/** `count` failures of 40 jobs, ended one second apart, the newest 40 min ago (as test/sweep/scale.test.ts). */
function failures(count: number, firstId: number): InstanceSeed[] {
  return Array.from({ length: count }, (_, i) => {
    const endTime = T0 - 40 * MIN - (count - i) * 1000;
    return {
      jobName: `job_${i % 40}`,
      instanceId: firstId + i,
      status: 'fail',
      planTime: endTime - 10 * MIN,
      startTime: endTime - 10 * MIN,
      endTime,
      runMs: 10 * MIN,
    };
  });
}

const keyOf = (jobName: string, instanceId: string): InstanceKey => ({
  target: 'prod',
  workspace: 'default',
  jobName,
  instanceId,
});

/**
 * Writes `attempts` claimed-and-rerun attempts, as sweeps under a rule of `maxAttempts`
 * did (each answering an older failure than the one the emulator shows now).
 */
async function spend(ledger: MemoryLedger, key: InstanceKey, attempts: number, maxAttempts: number) {
  const at = T0 - 3 * 60 * MIN;
  for (let a = 0; a < attempts; a++) {
    const claimId = `seed-${a}`;
    const request = claimRequest(at, {
      expectedAttempts: a,
      maxAttempts,
      claimId,
      failureAt: at - 60 * MIN + a,
      notBefore: at,
      leaseUntil: at + 1000,
      observedAt: at,
    });
    expect(await ledger.claim(key, request)).toBe(true);
    expect(await ledger.settle(key, { attempt: a + 1, claimId, at, outcome: 'restarted' })).toBe(true);
  }
}

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

  it('(control, passes) is reported exhausted when nothing fills the cap', async () => {
    const ledger = new MemoryLedger();
    await spend(ledger, keyOf('lowered', '1'), 2, 3);
    emulator.seed(PROJECT, undefined, [exhaustedSeed]);
    const policy = { maxRestartsPerSweep: 5, maxRestartsPerHour: 1000, maxAttempts: 2 };
    const report = await sweeper(emulator, clock, ledger, policy).run();
    expect(report.exhausted.map((e) => e.instanceId)).toEqual(['1']);
  }, 120_000);

  it('is reported exhausted although 300 older failures fill the sweep cap', async () => {
    const ledger = new MemoryLedger();
    await spend(ledger, keyOf('lowered', '1'), 2, 3);
    emulator.seed(PROJECT, undefined, [exhaustedSeed, ...failures(300, 1000)]);
    const policy = { maxRestartsPerSweep: 5, maxRestartsPerHour: 1000, maxAttempts: 2 };

    const report = await sweeper(emulator, clock, ledger, policy).run();

    expect(report.restarted).toHaveLength(5);
    expect(emulator.restarts(1)).toBe(0);
    // Before the change every listed entry was read: this sweep reported it.
    expect(report.exhausted.map((e) => e.instanceId)).toEqual(['1']);
    const decision = report.decisions.find((d) => d.instanceId === '1');
    expect(decision?.outcome).toBe('budget-exhausted');
  }, 120_000);

  it('is reported exhausted while the storm guard stops every restart', async () => {
    const ledger = new MemoryLedger();
    await spend(ledger, keyOf('lowered', '1'), 2, 3);
    emulator.seed(PROJECT, undefined, [exhaustedSeed, ...failures(300, 1000)]);
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
  it('(control, passes) the same without lag: one exhausted report, the reset budget is used', async () => {
    emulator.seed(PROJECT, undefined, [
      {
        jobName: 'job_x',
        instanceId: 1,
        status: 'fail',
        planTime: T0 - 50 * MIN,
        startTime: T0 - 50 * MIN,
        endTime: T0 - 40 * MIN,
        script: ['fail'],
        runMs: MIN,
      },
    ]);
    const ledger = new LaggingIndexLedger();
    const policy = { maxRestartsPerSweep: 5, maxRestartsPerHour: 1000, maxAttempts: 1 };
    await sweeper(emulator, clock, ledger, policy).run();
    clock.advance(10 * MIN);
    const second = await sweeper(emulator, clock, ledger, policy).run();
    expect(second.exhausted.map((e) => e.instanceId)).toEqual(['1']);
    clock.advance(2_000);
    await ledger.reset(keyOf('job_x', '1'), { by: 'ops', reason: 'fixed', now: clock.now() });
    clock.advance(2_000);
    const third = await sweeper(emulator, clock, ledger, policy).run();
    expect(third.exhausted).toEqual([]);
    expect(third.restarted.map((r) => r.instanceId)).toEqual(['1']);
  }, 120_000);

  it('an operator reset followed at once by a sweep: no second exhausted report, the reset budget is used', async () => {
    // Instance 1 fails, its one attempt reruns it, the rerun fails: budget spent.
    emulator.seed(PROJECT, undefined, [
      {
        jobName: 'job_x',
        instanceId: 1,
        status: 'fail',
        planTime: T0 - 50 * MIN,
        startTime: T0 - 50 * MIN,
        endTime: T0 - 40 * MIN,
        script: ['fail'],
        runMs: MIN,
      },
    ]);
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
    const reset = await ledger.reset(keyOf('job_x', '1'), { by: 'ops', reason: 'fixed', now: clock.now() });
    expect(reset.status).toBe('reset');
    clock.advance(2_000);
    const third = await sweeper(emulator, clock, ledger, policy).run();

    // The budget was reset: nothing is exhausted, and the failure gets its attempt.
    expect(third.exhausted).toEqual([]);
    expect(third.restarted.map((r) => r.instanceId)).toEqual(['1']);
    expect(emulator.restarts(1)).toBe(2);
  }, 120_000);
});
