/**
 * Review of issue 15 (batched plan): a report that scales. `deferred` is kept whole
 * (decision-log.ts ALWAYS_KEPT) on the grounds that "each is bounded by the sweep cap".
 * When the deadline (or Ctrl-C) fires while the plan reads the ledger, `haltAll`
 * records every listed instance `deferred`: the whole window, however large, lands in
 * `decisions` and `deferred`, whatever `itemsPerOutcome` says.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { InstanceKey, LedgerEntry } from '../../lib/ledger/ledger';
import { DEFAULT_ITEMS_PER_OUTCOME } from '../../lib/sweep/decision-log';
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

/** The sweep's deadline fires while the plan reads its first batch of entries. */
class DeadlineDuringRead extends MemoryLedger {
  constructor(private readonly controller: AbortController) {
    super();
  }
  override async read(keys: readonly InstanceKey[]): Promise<Map<string, LedgerEntry>> {
    this.controller.abort();
    return super.read(keys);
  }
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('the deadline fires while the plan reads the ledger', () => {
  it('a window of 3,000 failures: every one counted, but only a bounded number of items listed', async () => {
    emulator.seed(PROJECT, undefined, failures(3_000));
    const controller = new AbortController();
    const ledger = new DeadlineDuringRead(controller);
    const cap = 50;
    const policy = { maxRestartsPerSweep: cap, maxRestartsPerHour: 1000 };

    const report = await sweeper(emulator, clock, ledger, policy).run({
      itemsPerOutcome: DEFAULT_ITEMS_PER_OUTCOME,
      signal: controller.signal,
    });

    // Accounted once each (this holds).
    expect(report.totals).toEqual({ deferred: 3_000 });
    expect(sum(report.totals)).toBe(report.decisions.length + sum(report.omittedDecisions ?? {}));
    // Nothing can be claimed after the deadline: at most the sweep cap was ever "in
    // progress"; the rest is the first N of an outcome, as for every other outcome.
    expect(report.decisions.length).toBeLessThanOrEqual(cap + DEFAULT_ITEMS_PER_OUTCOME);
    expect(report.deferred.length).toBeLessThanOrEqual(cap + DEFAULT_ITEMS_PER_OUTCOME);
  }, 120_000);
});
