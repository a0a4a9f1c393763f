/**
 * Cost that grows with the restarts, not with the window (issue 15): a sweep reads the
 * ledger entries of the failures it can restart (oldest first, in batches, until the
 * caps are filled) and the entries the ledger's `spent` index holds, never every listed
 * failure's; its report counts every decision and lists the first of each outcome.
 * Counts of ledger items and report items, never timings.
 */

import { failedEndedAgo } from '../../emulator/builders';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import { parseConfig } from '../../lib/config/parse';
import type { InstanceKey, LedgerEntry } from '../../lib/ledger/ledger';
import { decide, SCREENED } from '../../lib/policy/decide';
import { resolveRule } from '../../lib/policy/rules';
import { DEFAULT_ITEMS_PER_OUTCOME } from '../../lib/sweep/decision-log';
import type { SweepReport } from '../../lib/sweep/report';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, failuresSecondsApart, sweeper } from '../support/sweep-setup';
import { akskClient, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
const HOUR = 60 * MIN;
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

/** A ledger that counts the entries it hands out or is asked for: "ledger items read". */
class CountingLedger extends MemoryLedger {
  keysRead = 0;
  indexed = 0;
  override async read(keys: readonly InstanceKey[]): Promise<Map<string, LedgerEntry>> {
    this.keysRead += keys.length;
    return super.read(keys);
  }
  override async attemptedKeys(target: string, since: number): Promise<InstanceKey[] | undefined> {
    const keys = await super.attemptedKeys(target, since);
    this.indexed += keys?.length ?? 0;
    return keys;
  }
  get itemsRead(): number {
    return this.keysRead + this.indexed;
  }
}

/** `count` failures of 40 jobs, ended one second apart (instance `firstId` the oldest), the newest 40 min ago. */
const failures = (count: number, firstId = 1) => failuresSecondsApart(count, { firstId });

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
const bytes = (report: SweepReport) => Buffer.byteLength(JSON.stringify(report));

describe('a window of 20,000 failures with a sweep cap of 50', () => {
  it('reads at most 2,000 ledger items, restarts the 50 oldest, counts the rest as capped, unread', async () => {
    emulator.seed(PROJECT, undefined, failures(20_000));
    const ledger = new CountingLedger();
    const policy = { maxRestartsPerSweep: 50, maxRestartsPerHour: 1000 };
    const report = await sweeper(emulator, clock, ledger, policy).run({ itemsPerOutcome: 50 });

    expect(ledger.itemsRead).toBeLessThanOrEqual(2_000);
    expect(ledger.keysRead).toBe(100);
    expect(report.restarted.map((r) => Number(r.instanceId)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(emulator.count('restart')).toBe(50);
    // Every failure is counted once; those read and capped, and those never read, are `sweep-cap`.
    expect(report.totals).toEqual({ restarted: 50, 'sweep-cap': 19_950 });
    expect(report.targets[0]?.notEvaluated).toBe(19_900);
    expect(report.targets[0]?.limitedBy).toBe('sweep-cap');
    // The report lists the first 50 of an outcome and counts the rest.
    expect(report.decisions.filter((d) => d.outcome === 'sweep-cap')).toHaveLength(DEFAULT_ITEMS_PER_OUTCOME);
    expect(report.omittedDecisions).toEqual({ 'sweep-cap': 19_900 });
    expect(sum(report.totals)).toBe(report.decisions.length + sum(report.omittedDecisions ?? {}));
    expect(bytes(report)).toBeLessThan(1024 * 1024);
  }, 120_000);

  it('the next sweep goes on with the next oldest, and --all lists every decision', async () => {
    emulator.seed(PROJECT, undefined, failures(2_000));
    const ledger = new CountingLedger();
    const policy = { maxRestartsPerSweep: 50, maxRestartsPerHour: 1000 };
    const first = await sweeper(emulator, clock, ledger, policy).run({ itemsPerOutcome: 50 });
    expect(first.restarted).toHaveLength(50);
    clock.advance(2 * MIN);
    const second = await sweeper(emulator, clock, ledger, policy).run();
    expect(second.restarted.map((r) => Number(r.instanceId)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 51),
    );
    // The 50 rerun by the first sweep are running now: not listed as failures.
    expect(second.decisions).toHaveLength(1_950);
    expect(sum(second.totals)).toBe(1_950);
    expect(second.omittedDecisions).toBeUndefined();
    // No failure was rerun twice.
    for (let id = 1; id <= 100; id++) expect(emulator.restarts(id)).toBe(1);
  }, 120_000);
});

describe('exhausted budgets behind a full cap', () => {
  it('are found by the index of attempted entries and reported exactly once, though never read in priority', async () => {
    // Instance 1 fails, is rerun (its only attempt), and fails again: its budget is spent.
    emulator.seed(PROJECT, undefined, [
      { ...failures(1, 1)[0], endTime: T0 - 40 * MIN, script: ['fail'], runMs: MIN } as InstanceSeed,
    ]);
    const ledger = new CountingLedger();
    const policy = { maxRestartsPerSweep: 5, maxRestartsPerHour: 1000, maxAttempts: 1 };
    const first = await sweeper(emulator, clock, ledger, policy).run();
    expect(first.restarted.map((r) => r.instanceId)).toEqual(['1']);
    clock.advance(10 * MIN);
    // 300 older failures fill the cap of 5 first: instance 1's newer failure is never read in priority.
    emulator.seed(PROJECT, undefined, failures(300, 1000));
    const second = await sweeper(emulator, clock, ledger, policy).run();
    expect(second.exhausted.map((e) => e.instanceId)).toEqual(['1']);
    expect(second.restarted).toHaveLength(5);
    expect(second.restarted.map((r) => r.instanceId)).not.toContain('1');
    // Sweep 1: one key; sweep 2: instance 1 (from the index) and one batch of 100.
    expect(ledger.keysRead).toBeLessThanOrEqual(1 + 1 + 100);
    clock.advance(10 * MIN);
    const third = await sweeper(emulator, clock, ledger, policy).run();
    expect(third.exhausted).toEqual([]);
    expect(emulator.restarts(1)).toBe(1);
  }, 120_000);
});

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

    // Accounted once each.
    expect(report.totals).toEqual({ deferred: 3_000 });
    expect(sum(report.totals)).toBe(report.decisions.length + sum(report.omittedDecisions ?? {}));
    // Nothing can be claimed after the deadline: at most the sweep cap was ever "in
    // progress"; the rest is the first N of an outcome, as for every other outcome.
    expect(report.decisions.length).toBeLessThanOrEqual(cap + DEFAULT_ITEMS_PER_OUTCOME);
    expect(report.deferred.length).toBeLessThanOrEqual(cap + DEFAULT_ITEMS_PER_OUTCOME);
  }, 120_000);
});

describe('the index of attempted entries after reruns that recovered', () => {
  it('a sweep reads only the entries attempted within its window, not the retention', async () => {
    const ledger = new CountingLedger();
    const policy = { maxRestartsPerSweep: 20, maxRestartsPerHour: 1000, maxAttempts: 1 };
    // Three days of sweeps, each restarting 20 failures whose reruns succeed.
    for (let day = 0; day < 3; day++) {
      const now = clock.now();
      const ids = Array.from({ length: 20 }, (_, i) => 1000 * (day + 1) + i);
      emulator.seed(
        PROJECT,
        undefined,
        ids.map((id) => failedEndedAgo(now, id, 40, { runMs: MIN })),
      );
      const report = await sweeper(emulator, clock, ledger, policy).run();
      expect(report.restarted).toHaveLength(20);
      clock.advance(24 * HOUR);
    }
    // Now: nothing failed in the window (the lookback is 24 h).
    ledger.indexed = 0;
    const quiet = await sweeper(emulator, clock, ledger, policy).run();
    expect(quiet.totals.restarted ?? 0).toBe(0);
    expect(quiet.exhausted).toEqual([]);
    // 60 recovered reruns over three days: the index names only those claimed within the
    // window and its one-hour clock margin (the last day's 20), never the retention's.
    expect(ledger.indexed).toBeLessThanOrEqual(20);
  }, 120_000);
});

describe('the reasons decided without the ledger entry', () => {
  const config = parseConfig({
    targets: [{ name: 'prod', endpoint: 'http://127.0.0.1:1', projectId: PROJECT }],
    ledger: { type: 'file', path: '/unused' },
    policy: {
      excludeJobs: ['skip_*'],
      rules: [
        { match: 'off_*', enabled: false },
        { match: 'msg_*', neverRetryOn: ['OutOfMemory'] },
      ],
    },
  });
  const instances = [
    { jobName: 'skip_a', status: 'fail' },
    { jobName: 'off_a', status: 'fail' },
    { jobName: 'job', status: 'success' },
    { jobName: 'job', status: 'manual-stop' },
    { jobName: 'job', status: 'running-exception' },
    { jobName: 'job', status: 'weird' },
    { jobName: 'job', status: 'fail', instanceType: 2 },
    { jobName: 'job', status: 'fail', forceSuccess: true },
    { jobName: 'msg_a', status: 'fail', errorMessage: 'java.lang.OutOfMemory' },
    { jobName: 'job', status: 'fail', endTime: undefined, startTime: undefined, planTime: undefined },
  ].map((extra, i) => ({
    instanceId: String(i + 1),
    planTime: T0 - 60 * MIN,
    startTime: T0 - 60 * MIN,
    endTime: T0 - 30 * MIN,
    ...extra,
  }));
  const entries: Array<LedgerEntry | undefined> = [
    undefined,
    { attempts: 3, lastOutcome: 'restarted', failureAt: T0 } as LedgerEntry,
    { attempts: 1, lastOutcome: 'in-flight', leaseUntil: T0 + MIN, failureAt: T0 - 30 * MIN } as LedgerEntry,
    {
      attempts: 1,
      lastOutcome: 'unconfirmed',
      leaseUntil: T0 - MIN,
      failureAt: T0 - 30 * MIN,
    } as LedgerEntry,
    { attempts: 0, notBefore: T0 + 60 * MIN, lastOutcome: 'released' } as LedgerEntry,
  ];

  it.each(instances)('instance $instanceId ($jobName, $status): the same whatever the entry', (instance) => {
    const rule = resolveRule(instance.jobName, config.policy);
    const without = decide(instance as never, undefined, rule, T0, { policy: config.policy });
    expect(without.action === 'skip' && SCREENED.has(without.reason)).toBe(true);
    for (const entry of entries) {
      const full = entry && {
        ...entry,
        target: 'prod',
        workspace: 'default',
        jobName: instance.jobName,
        instanceId: instance.instanceId,
        outcomes: {},
        expiresAt: 0,
      };
      expect(decide(instance as never, full, rule, T0, { policy: config.policy })).toEqual(without);
    }
  });
});

describe('a listing that looks for a few instances in a big window', () => {
  it('holds only the instances `keep` accepts, and pages through the whole window', async () => {
    const successes = Array.from({ length: 5_000 }, (_, i) => ({
      jobName: `ok_${i % 50}`,
      instanceId: i + 1,
      status: 'success',
      planTime: T0 - (i + 1) * 1000,
    }));
    emulator.seed(PROJECT, undefined, successes);
    const { client } = akskClient(emulator, clock);
    const wanted = new Set(['7', '4999']);
    const window = { from: T0 - 2 * 60 * MIN, to: T0 };
    const kept = await client.listInstances(window, {
      status: 'success',
      keep: (i) => wanted.has(i.instanceId),
    });
    expect(kept.instances.map((i) => i.instanceId).sort()).toEqual(['4999', '7']);
    expect(kept.requests).toBeGreaterThanOrEqual(5);
    // `keep` is ours: DataArts is asked the same as without it.
    expect(emulator.requests.every((r) => !('keep' in r.query))).toBe(true);
  });
});
