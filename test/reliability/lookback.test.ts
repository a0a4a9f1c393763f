/**
 * Whole sweeps against the emulator in its default, documented mode: strict time bounds
 * (`> minPlanTime`, `< maxPlanTime`) and a 7-day cap on every list request, the storm
 * guard's count included. The invariants are asserted as sets and counts: the listed
 * set equals the seeded set, and every eligible failure was restarted exactly once
 * (the emulator books every accepted restart against the failure it answered).
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { SweepReport } from '../../lib/sweep/report';
import { MemoryLedger } from '../support/memory-ledger';
import { sweeper } from '../support/sweep-setup';
import { emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
let emulator: Emulator;
let clock: ManualClock;
afterEach(async () => emulator?.close());

/** An instance planned at `planTime` whose run ended 10 minutes later (or 10 minutes before now). */
function instance(id: number, planTime: number, status: string, job = `job_${id % 15}`): InstanceSeed {
  const endTime = Math.min(planTime + 10 * MIN, T0 - 10 * MIN);
  return { jobName: job, instanceId: id, status, planTime, startTime: planTime, endTime, runMs: 10 * MIN };
}

const restartedIds = (report: SweepReport) => report.restarted.map((r) => Number(r.instanceId)).sort(numeric);
const decidedIds = (report: SweepReport) => report.decisions.map((d) => Number(d.instanceId)).sort(numeric);
const numeric = (a: number, b: number) => a - b;
const listRequests = () => emulator.requests.filter((r) => r.route === 'list');
const widths = () => listRequests().map((r) => Number(r.query.maxPlanTime) - Number(r.query.minPlanTime));

describe('a 30-day look-back against a server that caps every list request at 7 days', () => {
  it('restarts exactly the eligible instances, the storm guard counting the whole window', async () => {
    ({ emulator, clock } = await emulatorWithClock());
    const from = T0 - 30 * DAY;
    // Failures spread over 30 days, one exactly at now - lookback, some on the 7-day seams.
    const failed = [
      instance(1, from, 'fail'),
      ...Array.from({ length: 28 }, (_, i) => instance(2 + i, from + (i + 1) * DAY + 7_777, 'fail')),
      instance(30, T0 - 7 * DAY, 'fail'),
      instance(31, T0 - 14 * DAY + 1, 'fail'),
      instance(32, T0 - 30 * MIN, 'fail'),
    ];
    const others = [
      ...Array.from({ length: 60 }, (_, i) => instance(100 + i, from + i * 12 * 3_600_000 + 5, 'success')),
      instance(200, from - 1, 'fail'), // just before the window: never listed
      instance(201, T0 - 2 * DAY, 'running'),
    ];
    emulator.seed(PROJECT, undefined, [...failed, ...others]);
    const policy = {
      lookback: '30d',
      maxRestartsPerSweep: 1000,
      stormGuard: { enabled: true, maxFailedJobs: 50, maxFailedRatio: 0.9 },
    };
    const s = sweeper(emulator, clock, new MemoryLedger(), policy, { ledger: { retention: '40d' } });
    const report = await s.run();

    expect(report.targets[0]?.error).toBeUndefined();
    expect(report.errors).toEqual([]);
    const seeded = failed.map((f) => Number(f.instanceId)).sort(numeric);
    expect(restartedIds(report)).toEqual(seeded);
    for (const f of failed) expect(emulator.restarts(f.instanceId)).toBe(1);
    expect(emulator.maxRerunsPerFailure()).toBe(1);
    expect(emulator.restarts(200)).toBe(0);
    // The count covers all 30 days exactly: every instance of the window, each once.
    expect(report.targets[0]?.storm.totalInstances).toBe(failed.length + 61);
    expect(Math.max(...widths())).toBeLessThanOrEqual(7 * DAY);
    expect(emulator.count('list', 400)).toBe(0);
  });
});

describe('strict bounds: nothing silently missing', () => {
  it('a dense burst of 1,500 failures on consecutive milliseconds, and the window ends, are listed whole', async () => {
    ({ emulator, clock } = await emulatorWithClock());
    const end = T0 - 10 * MIN;
    const burst = Array.from({ length: 1500 }, (_, i) =>
      instance(10_000 + i, end - i, 'fail', `burst_${i % 7}`),
    );
    const spread = Array.from({ length: 1618 }, (_, i) =>
      instance(20_000 + i, T0 - DAY + 1 + Math.floor((i * (DAY - 20 * MIN)) / 1618), 'fail'),
    );
    // Exactly on the window's own ends: now - lookback and now.
    const ends = [instance(1, T0 - DAY, 'fail'), instance(2, T0, 'fail')];
    const seeded = [...burst, ...spread, ...ends];
    expect(seeded).toHaveLength(3120);
    emulator.seed(PROJECT, undefined, seeded);
    const s = sweeper(emulator, clock, new MemoryLedger(), { maxRestartsPerSweep: 100_000 });
    const report = await s.run({ dryRun: true });

    expect(report.targets[0]?.error).toBeUndefined();
    expect(report.errors).toEqual([]);
    expect(report.targets[0]?.listed).toBe(3120);
    expect(decidedIds(report)).toEqual(seeded.map((i) => Number(i.instanceId)).sort(numeric));
  });

  it('a total that claims more than the server delivers is an error of the report; the rest is restarted', async () => {
    ({ emulator, clock } = await emulatorWithClock({ reportTotal: (actual) => actual + 40 }));
    const failed = Array.from({ length: 12 }, (_, i) => instance(1 + i, T0 - (i + 1) * 3_600_000, 'fail'));
    emulator.seed(PROJECT, undefined, failed);
    const report = await sweeper(emulator, clock, new MemoryLedger()).run();

    // The server lies on every status listing: each is reported, with its window and numbers.
    const incomplete = report.errors.filter((e) => e.code === 'LIST_INCOMPLETE');
    expect(incomplete.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^status fail: up to 40 instances could not be listed: .* claimed 52, delivered 12\)$/,
      ),
      expect.stringMatching(/^status manual-stop: up to 40 .* claimed 40, delivered 0\)$/),
      expect.stringMatching(/^status running-exception: up to 40 .* claimed 40, delivered 0\)$/),
    ]);
    expect(report.errors).toHaveLength(3);
    expect(restartedIds(report)).toEqual(failed.map((f) => Number(f.instanceId)));
    expect(emulator.maxRerunsPerFailure()).toBe(1);
  });

  it('a total capped at the page size is not taken for the whole window', async () => {
    ({ emulator, clock } = await emulatorWithClock({
      reportTotal: (actual, query) => Math.min(actual, query.limit),
    }));
    const failed = Array.from({ length: 2400 }, (_, i) => instance(1 + i, T0 - DAY + 30 * i + 3, 'fail'));
    emulator.seed(PROJECT, undefined, failed);
    const report = await sweeper(emulator, clock, new MemoryLedger(), { maxRestartsPerSweep: 100_000 }).run({
      dryRun: true,
    });
    expect(report.errors).toEqual([]);
    expect(decidedIds(report)).toEqual(failed.map((f) => Number(f.instanceId)));
  });
});
