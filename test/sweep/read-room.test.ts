/**
 * How many ledger entries a target's plan reads (lib/sweep/target-sweep.ts, plan.ts):
 * only as many failures, oldest first, as the caps could let it restart (in batches of at
 * least 100), and none while a storm is suspected. The rest is reported, not evaluated.
 * Reading fewer entries changes no decision: the restart priority, the storm guard's
 * count and a backing-off failure's next attempt are what they are with every entry read.
 */

import { failedEndedAgo } from '../../emulator/builders';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { InstanceKey } from '../../lib/ledger/ledger';
import { isoTime } from '../../lib/util/time';
import { claimRequest } from '../support/ledger-entries';
import { MemoryLedger } from '../support/memory-ledger';
import { recordingLogger } from '../support/recording-logger';
import { attemptsMade, emulatorPerTest, failedAgo, prodKey, sweeper } from '../support/sweep-setup';
import { PROJECT, T0 } from '../support/targets';

const MIN = 60_000;

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

/** A ledger whose index of attempted entries has not caught up with the latest claims. */
class IndexBehind extends MemoryLedger {
  override async attemptedKeys(): Promise<InstanceKey[]> {
    return [];
  }
}

/** A ledger that keeps no index of attempted entries (as `Ledger.attemptedKeys` allows). */
class NoIndex extends ReadCounter {
  override async attemptedKeys(): Promise<InstanceKey[] | undefined> {
    return undefined;
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

  it('a room above 50 reads twice the room at once: 80 restartable, one batch of 160', async () => {
    seedFailures(200);
    const ledger = new ReadCounter();
    const report = await sweeper(emulator, clock, ledger, { maxRestartsPerSweep: 80 }).run();
    expect(ledger.entriesRead).toBe(160);
    expect(report.targets[0]?.notEvaluated).toBe(40);
    expect(report.totals).toEqual({ restarted: 80, 'sweep-cap': 120 });
  }, 60_000);

  /**
   * `total` failures, failure `id` ended 29 + id minutes ago (so the highest id is the
   * oldest); the `answered` oldest were restarted already for this very failure, by a
   * sweep whose claims the ledger's index does not show yet (DynamoDB's index is
   * eventually consistent), so the plan reads them in priority, not when screening.
   */
  async function oldestAnswered(total: number, answered: number): Promise<IndexBehind> {
    seedFailures(total);
    const ledger = new IndexBehind();
    for (let id = total - answered + 1; id <= total; id++) {
      const key = prodKey(`job_${id}`, String(id));
      const at = T0 - 61 * MIN; // outside the hour the hourly cap counts
      const claimId = `seed-${id}`;
      await ledger.claim(key, claimRequest(at, { claimId, failureAt: T0 - (29 + id) * MIN, observedAt: at }));
      await ledger.settle(key, { attempt: 1, claimId, at, outcome: 'restarted' });
    }
    return ledger;
  }

  // No restart was refused, so no limit named the cap: the unread are named after the cap
  // that set the room when the plan began (the sweep's budget moves as restarts are reserved).
  it.each([
    [1, 80, 'sweep-cap'],
    [2, 2, 'sweep-cap'],
    [4, 2, 'hourly-cap'],
    [1000, 1, 'hourly-cap'],
  ])(
    'exactly the room restartable among those read (sweep cap %d, hourly cap %d): the rest counted under %s',
    async (maxRestartsPerSweep, maxRestartsPerHour, cap) => {
      const room = Math.min(maxRestartsPerSweep, maxRestartsPerHour);
      // Of the 100 oldest (one read batch), all but `room` were answered already.
      const ledger = await oldestAnswered(150, 100 - room);
      const report = await sweeper(emulator, clock, ledger, {
        maxRestartsPerSweep,
        maxRestartsPerHour,
      }).run();
      expect(report.totals).toEqual({ restarted: room, 'already-attempted': 100 - room, [cap]: 50 });
      expect(report.targets[0]).toMatchObject({ notEvaluated: 50, limitedBy: cap });
      // The index lagged, the entries did not: no failure answered already was restarted again.
      for (let id = 51 + room; id <= 150; id++) expect(emulator.restarts(id)).toBe(0);
      expect(report.decisions.find((d) => d.instanceId === '1')?.detail).toBe(
        'the cap was filled by older failures first (not evaluated: its ledger entry was not read)',
      );
    },
  );

  it('failures answered already do not fill the room: the next batch is read', async () => {
    // The 100 oldest (the first batch) were all answered; room 1.
    const ledger = await oldestAnswered(250, 100);
    const report = await sweeper(emulator, clock, ledger, { maxRestartsPerSweep: 1 }).run();
    expect(report.restarted.map((r) => r.instanceId)).toEqual(['150']);
    expect(report.totals).toEqual({ restarted: 1, 'already-attempted': 100, 'sweep-cap': 149 });
    expect(report.targets[0]?.notEvaluated).toBe(50);
  }, 60_000);

  /** Failure `id` (ended `ago` minutes before T0) had an attempt 10 minutes after it ended. */
  async function attempted(ledger: MemoryLedger, id: number, ago: number): Promise<void> {
    const key = prodKey(`job_${id}`, String(id));
    const at = T0 - (ago - 10) * MIN;
    await ledger.claim(
      key,
      claimRequest(at, { claimId: `seed-${id}`, failureAt: T0 - ago * MIN, observedAt: at }),
    );
    await ledger.settle(key, { attempt: 1, claimId: `seed-${id}`, at, outcome: 'restarted' });
  }

  it('with no room, a failure attempted early in the window is still read through the index and told as it is', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 110), failedAgo(2, 30)]);
    const ledger = new ReadCounter();
    await attempted(ledger, 1, 110);
    const report = await sweeper(emulator, clock, ledger, { lookback: '2h', maxRestartsPerSweep: 0 }).run();
    expect(report.totals).toEqual({ 'already-attempted': 1, 'sweep-cap': 1 });
    expect(ledger.entriesRead).toBe(1);
    // Its budget (1 of 3) is not exhausted: neither reported nor marked as such.
    expect(report.exhausted).toEqual([]);
  });

  it('the index names a failure policy already skips: its entry is not read', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 40), failedAgo(2, 30)]);
    const ledger = new ReadCounter();
    await attempted(ledger, 1, 40);
    await attempted(ledger, 2, 30);
    const report = await sweeper(emulator, clock, ledger, { excludeJobs: ['job_2'] }).run();
    expect(report.totals).toEqual({ 'already-attempted': 1, excluded: 1 });
    expect(ledger.entriesRead).toBe(1);
  });

  it('a ledger without the index has every listed failure read at once, and says so', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 40), failedAgo(2, 30), failedAgo(3, 20)]);
    const ledger = new NoIndex();
    await attempted(ledger, 1, 40);
    const { logger, lines } = recordingLogger();
    // No room: what was read at once is all the plan knows.
    const report = await sweeper(emulator, clock, ledger, { maxRestartsPerSweep: 0 }, { logger }).run();
    expect(report.totals).toEqual({ 'already-attempted': 1, 'sweep-cap': 2 });
    expect(ledger.entriesRead).toBe(3);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'ledger has no index of attempted entries: every entry is read',
    ]);
  });

  it('an index key of another job with the same instance id is not the listed failure: nothing read', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 40)]);
    const ledger = new ReadCounter();
    const other = prodKey('job_renamed', '1');
    const at = T0 - 30 * MIN;
    await ledger.claim(
      other,
      claimRequest(at, { claimId: 'other', failureAt: T0 - 40 * MIN, observedAt: at }),
    );
    const report = await sweeper(emulator, clock, ledger, { maxRestartsPerSweep: 0 }).run();
    expect(report.totals).toEqual({ 'sweep-cap': 1 });
    expect(ledger.entriesRead).toBe(0);
  });
});

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
        const jobName = `retried_${i}`;
        // Ended a second apart, the newest 50 min and 1 s ago; each had one attempt already.
        seeds.push(failedEndedAgo(T0 - (older - i) * 1000, 1000 + i, 50, { jobName }));
        await attemptsMade(ledger, prodKey(jobName, String(1000 + i)), 1, 3);
      }
      // The newest failure, never attempted.
      seeds.push(failedEndedAgo(T0, 1, 35, { jobName: 'fresh' }));
      emulator.seed(PROJECT, undefined, seeds);
      const policy = { maxRestartsPerSweep: 1, maxRestartsPerHour: 1000, maxAttempts: 3 };

      const report = await sweeper(emulator, clock, ledger, policy).run();

      // byRestartPriority: attempt 1 before attempt 2, whatever the failure times.
      expect(report.restarted.map((r) => [r.instanceId, r.attempt])).toEqual([['1', 1]]);
    },
    120_000,
  );
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
      expect(await ledger.claim(prodKey(jobName, String(100 + i)), request)).toBe(true);
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

    // As with every entry read: 4 in flight + 3 new = 7 distinct jobs > 5: a storm.
    expect(report.targets[0]?.storm.failedJobs).toBe(7);
    expect(report.storm).toBe(true);
    expect(report.restarted).toEqual([]);
  }, 120_000);
});

describe('a failure backing off after an earlier attempt', () => {
  it('its decision names the next attempt and the time the entry sets', async () => {
    const ledger = new MemoryLedger();
    const key = prodKey('job_1', '1');
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
