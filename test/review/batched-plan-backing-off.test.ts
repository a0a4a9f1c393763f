/**
 * Review of issue 15 (batched plan): `screenTarget` keeps a `backing-off` decided
 * without the entry ("cannot be restarted this sweep whatever it holds") and drops
 * its guessed attempt number, but the detail and `until` are still the guess: "next
 * attempt 1 of 3 at <failure end + firstRetryDelay>", where the entry says attempt 2
 * and a later `notBefore`. The report tells the operator a wrong time and attempt.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceKey } from '../../lib/ledger/ledger';
import { isoTime } from '../../lib/util/time';
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

const key: InstanceKey = { target: 'prod', workspace: 'default', jobName: 'job_1', instanceId: '1' };

describe('a failure backing off after an earlier attempt', () => {
  it('its decision names the next attempt and the time the entry sets', async () => {
    const ledger = new MemoryLedger();
    // Attempt 1 answered an earlier failure; the backoff puts attempt 2 an hour ahead.
    const at = T0 - 60 * MIN;
    const notBefore = T0 + 60 * MIN;
    expect(
      await ledger.claim(
        key,
        claimRequest(at, {
          expectedAttempts: 0,
          maxAttempts: 3,
          claimId: 'a1',
          failureAt: at - 10 * MIN,
          notBefore,
          leaseUntil: at + 1000,
          observedAt: at,
        }),
      ),
    ).toBe(true);
    expect(await ledger.settle(key, { attempt: 1, claimId: 'a1', at, outcome: 'restarted' })).toBe(true);
    // The rerun failed 5 minutes ago.
    emulator.seed(PROJECT, undefined, [
      {
        jobName: 'job_1',
        instanceId: 1,
        status: 'fail',
        planTime: T0 - 15 * MIN,
        startTime: T0 - 15 * MIN,
        endTime: T0 - 5 * MIN,
      },
    ]);
    const policy = { maxAttempts: 3, firstRetryDelay: '10m' };

    const report = await sweeper(emulator, clock, ledger, policy).run();

    const d = report.decisions.find((x) => x.instanceId === '1');
    expect(d?.outcome).toBe('backing-off');
    expect(d?.until).toBe(isoTime(notBefore));
    expect(d?.detail).toContain('next attempt 2 of 3');
  }, 120_000);
});
