/**
 * Review of issue 15 (report counts vs items): the CLI's table folds a run of one
 * outcome into one row "sweep-cap ×N across J jobs", N counted from
 * `report.decisions`. With the decision log keeping the first 50 items of an outcome,
 * that row says ×50 where the sweep counted 295 (`totals`, `omittedDecisions`).
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import { formatTable } from '../../lib/render/format-table';
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

describe('the sweep table with decisions left out of the report', () => {
  it('a folded row counts every decision of its outcome, not the items kept', async () => {
    emulator.seed(PROJECT, undefined, failures(300));
    const policy = { maxRestartsPerSweep: 5, maxRestartsPerHour: 1000 };
    const report = await sweeper(emulator, clock, new MemoryLedger(), policy).run({ itemsPerOutcome: 50 });
    expect(report.totals['sweep-cap']).toBe(295);
    expect(report.omittedDecisions?.['sweep-cap']).toBe(245);

    const table = formatTable(report);
    const row = table.split('\n').find((line) => /sweep-cap\s*×/.test(line));
    expect(row).toBeDefined();
    // What the operator reads: 295 held back by the cap, not 50.
    expect(row).toMatch(/×295\b/);
  }, 120_000);
});
