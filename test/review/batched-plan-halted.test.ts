/**
 * Review of issue 15 (batched plan): the failures left unread are recorded as
 * `sweep-cap` / `hourly-cap` "the cap was filled by older failures first". When the
 * ledger fails at the hourly reservation, nothing is restarted on the target (the
 * evaluated ones become `target-halted`), yet the unread ones are still reported as
 * capped by older failures and the target as `limitedBy: sweep-cap`: the report
 * blames a cap nothing filled.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
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

function failures(count: number): InstanceSeed[] {
  return Array.from({ length: count }, (_, i) => {
    const endTime = T0 - 40 * MIN - (count - i) * 1000;
    return {
      jobName: `job_${i % 40}`,
      instanceId: 1 + i,
      status: 'fail',
      planTime: endTime - 10 * MIN,
      startTime: endTime - 10 * MIN,
      endTime,
      runMs: 10 * MIN,
    };
  });
}

/** The ledger stops answering writes at the hourly reservation (throttled, down). */
class ReservationFails extends MemoryLedger {
  override async reserveHourly(): Promise<number> {
    throw new Error('ledger unavailable');
  }
}

describe('the ledger fails at the hourly reservation', () => {
  it('no failure of the halted target is reported as held back by a cap older failures filled', async () => {
    emulator.seed(PROJECT, undefined, failures(500));
    const ledger = new ReservationFails();
    const policy = { maxRestartsPerSweep: 5, maxRestartsPerHour: 1000 };

    const report = await sweeper(emulator, clock, ledger, policy).run();

    expect(report.restarted).toEqual([]);
    expect(report.targets[0]?.error?.message).toContain('ledger unavailable');
    // Every failure is accounted once (this holds) ...
    expect(Object.values(report.totals).reduce((a, b) => a + b, 0)).toBe(500);
    // ... but no cap was filled: nothing was restarted. As before the change, the
    // failures the ledger failure stopped are `target-halted`, none `sweep-cap`.
    expect(report.totals['sweep-cap'] ?? 0).toBe(0);
    expect(report.targets[0]?.limitedBy).toBeUndefined();
    expect(report.totals['target-halted']).toBe(500);
    // The unread ones say why: the target stopped, and on what.
    const unread = report.decisions.filter((d) => d.detail.startsWith('the target stopped: '));
    expect(unread.length).toBeGreaterThan(0);
    expect(unread[0]?.detail).toContain('ledger unavailable');
  }, 120_000);

  it('only the restartable ones are halted: a failure policy excludes stays excluded', async () => {
    emulator.seed(PROJECT, undefined, failures(3));
    const ledger = new ReservationFails();

    const report = await sweeper(emulator, clock, ledger, { excludeJobs: ['job_0'] }).run();

    expect(report.totals).toEqual({ excluded: 1, 'target-halted': 2 });
    expect(report.decisions.find((d) => d.jobName === 'job_0')?.outcome).toBe('excluded');
    expect(report.decisions.find((d) => d.jobName === 'job_1')?.detail).toBe(
      'ledger failed: ledger unavailable',
    );
  });
});
