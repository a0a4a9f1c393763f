/**
 * "Reruns have not helped these jobs": a job is named when none of its judged reruns
 * recovered and at least three failed again (lib/sweep/recovery-tracking.ts). Each side of that
 * rule, the order jobs are named in, and the ledger query a sweep with no verdict skips.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { JobRecovery } from '../../lib/ledger/ledger-recovery';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, failedAgo, sweeper } from '../support/sweep-setup';
import { PROJECT } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

/** Counts the per-job recovery queries the sweep makes. */
class CountingLedger extends MemoryLedger {
  readonly queries: string[][] = [];
  override async jobRecovery(target: string, jobNames: readonly string[]): Promise<Map<string, JobRecovery>> {
    this.queries.push([...jobNames]);
    return super.jobRecovery(target, jobNames);
  }
}

/** `n` failed instances of `job` whose reruns end as `rerun` (ids from `first`). */
const failures = (job: string, first: number, n: number, rerun: 'fail' | 'success'): InstanceSeed[] =>
  Array.from({ length: n }, (_, i) =>
    failedAgo(first + i, 30, { jobName: job, errorMessage: 'connection reset', afterScript: rerun }),
  );

/** Sweeps (restarting every failure), then again 20 minutes later, when each rerun has ended. */
async function twoSweeps(ledger: MemoryLedger) {
  const s = sweeper(emulator, clock, ledger, { firstRetryDelay: '1m', maxAttempts: 1 });
  const first = await s.run();
  clock.advance(20 * MIN);
  return { first, second: await s.run() };
}

describe('jobs whose reruns have not helped', () => {
  it('names only jobs with no rerun recovered and three or more failed again, then asks once, in name order', async () => {
    emulator.seed(PROJECT, undefined, [
      ...failures('zeta', 1, 3, 'fail'),
      ...failures('two_only', 10, 2, 'fail'),
      ...failures('alpha', 20, 4, 'fail'),
      // Three failed again, but one rerun recovered: reruns do help this job.
      ...failures('mixed', 30, 3, 'fail'),
      ...failures('mixed', 33, 1, 'success'),
    ]);
    const ledger = new CountingLedger();
    const { second } = await twoSweeps(ledger);
    expect(second.targets[0]?.recovery).toMatchObject({ recovered: 1, failedAgain: 12 });
    const named = [...(second.notHelping ?? [])].sort((a, b) => a.jobName.localeCompare(b.jobName));
    expect(named).toEqual([
      { target: 'prod', jobName: 'alpha', recovered: 0, failedAgain: 4 },
      { target: 'prod', jobName: 'zeta', recovered: 0, failedAgain: 3 },
    ]);
    // One query for the jobs judged, in name order (a stable request whatever the listing order).
    expect(ledger.queries).toEqual([['alpha', 'mixed', 'two_only', 'zeta']]);
  });

  it('a sweep that judged no rerun asks the ledger nothing about jobs', async () => {
    emulator.seed(PROJECT, undefined, failures('zeta', 1, 3, 'fail'));
    const ledger = new CountingLedger();
    const s = sweeper(emulator, clock, ledger, { firstRetryDelay: '1m', maxAttempts: 1 });
    expect((await s.run()).restarted).toHaveLength(3);
    clock.advance(30_000);
    // The reruns are still running: awaiting their verdict, none judged.
    expect((await s.run()).targets[0]?.recovery).toEqual({ recovered: 0, failedAgain: 0, pending: 3 });
    expect(ledger.queries).toEqual([]);
    clock.advance(20 * MIN);
    expect((await s.run()).notHelping).toMatchObject([{ jobName: 'zeta', failedAgain: 3 }]);
    expect(ledger.queries).toEqual([['zeta']]);
  });
});
