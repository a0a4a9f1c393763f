/**
 * Review of issue 15 (batched plan): the ledger's index of attempted entries. Two ways
 * a first design (an index of spent budgets) went wrong, pinned here:
 * - reruns that recovered stayed in the index for the ledger's retention (14 days),
 *   read by every sweep: the index is now bounded by the window (`lastAttemptAt`);
 * - after `maxAttempts` is raised, the entry kept `exhaustedReportedAt` through the new
 *   claim, so the new budget's exhaustion was never reported: a claim now clears it.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { InstanceKey } from '../../lib/ledger/ledger';
import { MemoryLedger } from '../support/memory-ledger';
import { sweeper } from '../support/sweep-setup';
import { emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
const HOUR = 60 * MIN;
let emulator: Emulator;
let clock: ManualClock;
beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
});
afterEach(async () => emulator.close());

class CountingLedger extends MemoryLedger {
  indexed = 0;
  override async attemptedKeys(target: string, since: number): Promise<InstanceKey[] | undefined> {
    const keys = await super.attemptedKeys(target, since);
    this.indexed += keys?.length ?? 0;
    return keys;
  }
}

function failures(count: number, firstId: number, endTime: number): InstanceSeed[] {
  return Array.from({ length: count }, (_, i) => ({
    jobName: `job_${firstId + i}`,
    instanceId: firstId + i,
    status: 'fail',
    planTime: endTime - 10 * MIN,
    startTime: endTime - 10 * MIN,
    endTime,
    runMs: MIN,
  }));
}

describe('the index of attempted entries after reruns that recovered', () => {
  it('a sweep reads only the entries attempted within its window, not the retention', async () => {
    const ledger = new CountingLedger();
    const policy = { maxRestartsPerSweep: 20, maxRestartsPerHour: 1000, maxAttempts: 1 };
    // Three days of sweeps, each restarting 20 failures whose reruns succeed.
    for (let day = 0; day < 3; day++) {
      emulator.seed(PROJECT, undefined, failures(20, 1000 * (day + 1), clock.now() - 40 * MIN));
      const report = await sweeper(emulator, clock, ledger, policy).run();
      expect(report.restarted).toHaveLength(20);
      clock.advance(24 * HOUR);
    }
    // Now: nothing failed in the window (the lookback is 24 h).
    ledger.indexed = 0;
    const quiet = await sweeper(emulator, clock, ledger, policy).run();
    expect(quiet.totals.restarted ?? 0).toBe(0);
    expect(quiet.exhausted).toEqual([]);
    // 60 recovered reruns over three days: the index names only those claimed within the
    // window and its one-hour clock margin (the last day's 20), never the retention's.
    expect(ledger.indexed).toBeLessThanOrEqual(20);
  }, 120_000);
});

describe('maxAttempts raised after the budget was reported exhausted', () => {
  it('the new budget, spent in turn, is reported exhausted once more', async () => {
    emulator.seed(PROJECT, undefined, [
      {
        jobName: 'job_x',
        instanceId: 1,
        status: 'fail',
        planTime: T0 - 50 * MIN,
        startTime: T0 - 50 * MIN,
        endTime: T0 - 40 * MIN,
        script: ['fail', 'fail'],
        runMs: MIN,
      },
    ]);
    const ledger = new CountingLedger();
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
