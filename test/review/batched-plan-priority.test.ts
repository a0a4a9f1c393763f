/**
 * Review of issue 15 (batched plan): "decide in priority order". The restart priority
 * the caps and the fair share use is fewest attempts used first, then the oldest
 * failure (lib/policy/guards.ts `byRestartPriority`). `readInPriority` reads entries
 * oldest failure first and stops once `room` are restartable: a newer failure with no
 * attempt yet is left unread behind older ones on their second or third attempt.
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

/** One attempt already made (and rerun) for an older failure of this instance. */
async function oneAttempt(ledger: MemoryLedger, key: InstanceKey): Promise<void> {
  const at = T0 - 3 * 60 * MIN;
  const request = claimRequest(at, {
    expectedAttempts: 0,
    maxAttempts: 3,
    claimId: 'seed',
    failureAt: at - 60 * MIN,
    notBefore: at,
    leaseUntil: at + 1000,
    observedAt: at,
  });
  expect(await ledger.claim(key, request)).toBe(true);
  expect(await ledger.settle(key, { attempt: 1, claimId: 'seed', at, outcome: 'restarted' })).toBe(true);
}

describe('restart priority with a full cap', () => {
  it.each([
    [3, 'one batch'],
    [150, 'more than one batch'],
  ])(
    '%i older failures on their second attempt, one newer on its first: the first attempt goes first (%s)',
    async (older) => {
      const ledger = new MemoryLedger();
      const seeds: InstanceSeed[] = [];
      for (let i = 0; i < older; i++) {
        const endTime = T0 - 50 * MIN - (older - i) * 1000;
        const jobName = `retried_${i}`;
        seeds.push({
          jobName,
          instanceId: 1000 + i,
          status: 'fail',
          planTime: endTime - 10 * MIN,
          startTime: endTime - 10 * MIN,
          endTime,
          runMs: 10 * MIN,
        });
        await oneAttempt(ledger, keyOf(jobName, String(1000 + i)));
      }
      // The newest failure, never attempted.
      seeds.push({
        jobName: 'fresh',
        instanceId: 1,
        status: 'fail',
        planTime: T0 - 45 * MIN,
        startTime: T0 - 45 * MIN,
        endTime: T0 - 35 * MIN,
        runMs: 10 * MIN,
      });
      emulator.seed(PROJECT, undefined, seeds);
      const policy = { maxRestartsPerSweep: 1, maxRestartsPerHour: 1000, maxAttempts: 3 };

      const report = await sweeper(emulator, clock, ledger, policy).run();

      // byRestartPriority: attempt 1 before attempt 2, whatever the failure times.
      expect(report.restarted.map((r) => [r.instanceId, r.attempt])).toEqual([['1', 1]]);
    },
    120_000,
  );
});
