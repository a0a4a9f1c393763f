/**
 * Review of issue 15 (batched plan): the caps still add up across targets with
 * unread failures: the sweep cap split by fair share, the hourly reservation and its
 * release, dry runs. These pass: they record what was checked and found fine.
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

const WORKSPACES = ['w1', 'w2', 'w3'];
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('three targets of 300 failures, sweep cap 10, hourly cap 4', () => {
  const targets = (url: string) =>
    WORKSPACES.map((workspace) => ({ name: workspace, endpoint: url, projectId: PROJECT, workspace }));

  it.each([false, true])(
    'dry run %s: caps hold, every failure counted once, slots returned',
    async (dryRun) => {
      WORKSPACES.forEach((w, i) => {
        emulator.seed(PROJECT, w, failures(300, 1000 * (i + 1)));
      });
      const ledger = new MemoryLedger();
      const policy = { maxRestartsPerSweep: 10, maxRestartsPerHour: 4 };
      const report = await sweeper(emulator, clock, ledger, policy, { targets: targets(emulator.url) }).run({
        dryRun,
        itemsPerOutcome: 50,
      });

      const going = dryRun ? (report.totals['dry-run'] ?? 0) : report.restarted.length;
      expect(going).toBe(10);
      for (const t of report.targets) {
        expect(sum(t.counts)).toBe(300);
        const n = dryRun ? (t.counts['dry-run'] ?? 0) : (t.counts.restarted ?? 0);
        expect(n).toBeLessThanOrEqual(4);
        expect(n).toBeGreaterThanOrEqual(3);
        // The hourly count is what was restarted: reserved slots not used went back.
        expect(await ledger.hourlyCount(t.target, clock.now())).toBe(dryRun ? 0 : n);
      }
      expect(sum(report.totals)).toBe(900);
      expect(sum(report.totals)).toBe(report.decisions.length + sum(report.omittedDecisions ?? {}));
      if (!dryRun) expect(emulator.count('restart')).toBe(10);
    },
    120_000,
  );
});
