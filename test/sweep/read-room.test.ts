/**
 * How many ledger entries a target's plan reads (lib/sweep/target-sweep.ts, plan.ts):
 * only as many failures, oldest first, as the caps could let it restart (in batches of at
 * least 100), and none while a storm is suspected. The rest is reported, not evaluated.
 */
import type { Emulator } from '../../emulator/server';
import type { InstanceKey } from '../../lib/ledger/ledger';
import type { ManualClock } from '../support/manual-clock';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, failedAgo, sweeper } from '../support/sweep-setup';
import { PROJECT } from '../support/targets';

let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

/** Counts the entries read one by one (not through the index of attempted entries). */
class ReadCounter extends MemoryLedger {
  entriesRead = 0;
  override async read(keys: readonly InstanceKey[]) {
    this.entriesRead += keys.length;
    return super.read(keys);
  }
}

const seedFailures = (n: number) =>
  emulator.seed(
    PROJECT,
    undefined,
    Array.from({ length: n }, (_, i) => failedAgo(i + 1, 30 + i)),
  );

describe('the entries a plan reads', () => {
  it('none while a storm is suspected: every failure is reported unread, under the storm', async () => {
    seedFailures(25);
    const ledger = new ReadCounter();
    const report = await sweeper(emulator, clock, ledger, {
      stormGuard: { enabled: true, maxFailedJobs: 20 },
    }).run();
    expect(ledger.entriesRead).toBe(0);
    expect(report.targets[0]?.notEvaluated).toBe(25);
    expect(report.totals).toEqual({ 'storm-guard': 25 });
  });

  it('as many as the smaller cap allows: a sweep cap of 1 reads one batch of 100, not the hourly cap of 80 twice over', async () => {
    seedFailures(150);
    const ledger = new ReadCounter();
    const report = await sweeper(emulator, clock, ledger, {
      maxRestartsPerSweep: 1,
      maxRestartsPerHour: 80,
    }).run();
    expect(ledger.entriesRead).toBe(100);
    expect(report.targets[0]?.notEvaluated).toBe(50);
    expect(report.totals).toEqual({ restarted: 1, 'sweep-cap': 149 });
  });
});
