/**
 * Review of issue 15 (batched plan): the storm guard's count must not be weakened by
 * reading fewer entries. The guard counts failures policy would still retry, among
 * them those whose attempt is in flight (`in-flight`, `outcome-unknown`,
 * `already-attempted`). `decide` checks the entry's hold before `superseded`, so with
 * the entry read such a failure is `in-flight` (counted). `screenTarget` decides it
 * without its entry: `superseded` (not counted). With `skipSuperseded`, a storm whose
 * first failures were rerun last sweep is no longer seen.
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

const keyOf = (jobName: string, instanceId: string): InstanceKey => ({
  target: 'prod',
  workspace: 'default',
  jobName,
  instanceId,
});

describe('storm guard with skipSuperseded', () => {
  it('failures whose rerun is in flight count towards the storm, as when their entries were read', async () => {
    const ledger = new MemoryLedger();
    const seeds: InstanceSeed[] = [];
    // Jobs a..d: failed 40 min ago, rerun claimed a minute ago (lease running), and a
    // newer instance of the job has succeeded since.
    for (let i = 0; i < 4; i++) {
      const jobName = `held_${i}`;
      seeds.push({
        jobName,
        instanceId: 100 + i,
        status: 'fail',
        planTime: T0 - 50 * MIN,
        startTime: T0 - 50 * MIN,
        endTime: T0 - 40 * MIN,
      });
      seeds.push({
        jobName,
        instanceId: 200 + i,
        status: 'success',
        planTime: T0 - 20 * MIN,
        startTime: T0 - 20 * MIN,
        endTime: T0 - 15 * MIN,
      });
      const at = T0 - MIN;
      const request = claimRequest(at, {
        expectedAttempts: 0,
        maxAttempts: 3,
        claimId: `held-${i}`,
        failureAt: T0 - 50 * MIN,
        notBefore: at,
        leaseUntil: T0 + 30 * MIN,
        observedAt: at,
      });
      expect(await ledger.claim(keyOf(jobName, String(100 + i)), request)).toBe(true);
    }
    // Jobs e..g fail now, without an entry.
    for (let i = 0; i < 3; i++) {
      seeds.push({
        jobName: `new_${i}`,
        instanceId: 300 + i,
        status: 'fail',
        planTime: T0 - 45 * MIN,
        startTime: T0 - 45 * MIN,
        endTime: T0 - 35 * MIN,
      });
    }
    emulator.seed(PROJECT, undefined, seeds);
    const policy = {
      skipSuperseded: true,
      maxRestartsPerSweep: 10,
      stormGuard: { enabled: true, maxFailedJobs: 5 },
    };

    const report = await sweeper(emulator, clock, ledger, policy).run();

    // With every entry read: 4 in flight + 3 new = 7 distinct jobs > 5: a storm.
    expect(report.targets[0]?.storm.failedJobs).toBe(7);
    expect(report.storm).toBe(true);
    expect(report.restarted).toEqual([]);
  }, 120_000);
});
