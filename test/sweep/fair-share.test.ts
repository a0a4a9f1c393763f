import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { Candidate } from '../../lib/policy/guards';
import { fairShares, ShareCoordinator } from '../../lib/sweep/fair-share';
import type { SweepReport } from '../../lib/sweep/report';
import { freshDynamoLedger } from '../support/dynamo';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, failedAgo, failuresSecondsApart, sweeper } from '../support/sweep-setup';
import { PROJECT, T0 } from '../support/targets';

const MIN = 60_000;

/** A restart of attempt `attempt` answering a failure `ago` minutes old. */
const want = (ago: number, attempt = 1): Candidate => ({
  decision: { action: 'restart', attempt, maxAttempts: 3, rule: 'default', failureAt: T0 - ago * MIN },
  failedAt: T0 - ago * MIN,
});
const wants = (n: number, ago = 60) => Array.from({ length: n }, (_, i) => want(ago + i));

describe('fairShares: round-robin by priority', () => {
  it.each([
    {
      name: '10 targets, cap 20, plenty each',
      wanted: Array.from({ length: 10 }, () => wants(30)),
      cap: 20,
      shares: Array(10).fill(2),
    },
    {
      name: 'one target wants little: the rest goes round',
      wanted: [wants(1), wants(10), wants(10)],
      cap: 9,
      shares: [1, 4, 4],
    },
    {
      name: 'cap above demand: everyone gets all',
      wanted: [wants(3), wants(0), wants(5)],
      cap: 50,
      shares: [3, 0, 5],
    },
    { name: 'cap 0', wanted: [wants(3)], cap: 0, shares: [0] },
    // Never configured (the schema wants >= 0): slice(0, -1) would still hand out slots.
    { name: 'a cap below 0', wanted: [wants(3), wants(2)], cap: -1, shares: [0, 0] },
    {
      name: 'first target alone does not take the cap',
      wanted: [wants(100), wants(1), wants(1)],
      cap: 50,
      shares: [48, 1, 1],
    },
  ])('$name', ({ wanted, cap, shares }) => {
    expect(fairShares(wanted, cap)).toEqual(shares);
  });

  it('within a round, the oldest failure goes first, then fewest attempts used', () => {
    // Cap 2 of 3 targets with one restart each: the newest failure waits for the next sweep.
    expect(fairShares([[want(10)], [want(90)], [want(50)]], 2)).toEqual([0, 1, 1]);
    expect(fairShares([[want(90, 2)], [want(10, 1)]], 1)).toEqual([0, 1]);
  });

  it('each target with work gets a first restart before any gets a second', () => {
    const shares = fairShares(
      Array.from({ length: 30 }, () => wants(5)),
      20,
    );
    expect(shares.filter((s) => s > 1)).toHaveLength(0);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('a target that withdraws twice is counted once: the split still waits for the others', async () => {
    const coordinator = new ShareCoordinator(3, 4);
    coordinator.withdraw(0);
    coordinator.withdraw(0);
    const b = coordinator.request(1, wants(5));
    const c = coordinator.request(2, wants(5));
    await expect(Promise.all([b, c])).resolves.toEqual([2, 2]);
  });

  it('the coordinator answers once every target has asked or withdrawn', async () => {
    const coordinator = new ShareCoordinator(3, 4);
    const a = coordinator.request(0, wants(5));
    coordinator.withdraw(1);
    const c = coordinator.request(2, wants(5));
    await expect(Promise.all([a, c])).resolves.toEqual([2, 2]);
  });
});

describe('runSweep shares the sweep cap fairly over targets', () => {
  let emulator: Emulator;
  let clock: ManualClock;
  emulatorPerTest((s) => ({ emulator, clock } = s));

  const failed = (target: number, i: number): InstanceSeed =>
    failedAgo(target * 1000 + i, 30 + i, { jobName: `job_${target}_${i}` });

  /** A sweep of `targets` on a fresh memory ledger. */
  const sweepOf = (targets: Array<Record<string, unknown>>, policy: Record<string, unknown>) =>
    sweeper(emulator, clock, new MemoryLedger(), policy, { targets });

  function tenTargets(perTarget: (t: number) => number) {
    const targets = Array.from({ length: 10 }, (_, t) => {
      const workspace = `ws${t}`;
      emulator.seed(
        PROJECT,
        workspace,
        Array.from({ length: perTarget(t) }, (_, i) => failed(t, i)),
      );
      return { name: `t${t}`, endpoint: emulator.url, projectId: PROJECT, workspace };
    });
    return targets;
  }

  const restartsPerTarget = (report: SweepReport) =>
    report.targets.map((t) => report.restarted.filter((r) => r.target === t.target).length);

  it('10 targets, a cap of 20: each target gets 2 restarts, and says the shared cap held it back', async () => {
    const targets = tenTargets(() => 6);
    const { ledger } = await freshDynamoLedger();
    const report = await sweeper(emulator, clock, ledger, { maxRestartsPerSweep: 20 }, { targets }).run();
    expect(restartsPerTarget(report)).toEqual(Array(10).fill(2));
    expect(report.targets.map((t) => t.limitedBy)).toEqual(Array(10).fill('sweep-cap'));
    expect(report.totals['sweep-cap']).toBe(40);
    expect(emulator.requests.filter((r) => r.route === 'restart')).toHaveLength(20);
    // Within a target, the oldest failures take its share; the rest say why they wait.
    const ofT1 = report.restarted.filter((r) => r.target === 't1').map((r) => r.instanceId);
    expect(ofT1.sort()).toEqual(['1004', '1005']);
    expect(report.decisions.find((d) => d.instanceId === '1000')).toMatchObject({
      outcome: 'sweep-cap',
      detail: "beyond this target's fair share (2) of the sweep cap",
      attempt: 1,
      maxAttempts: 3,
      rule: 'default',
    });
  });

  it('leftovers of targets with little work go to the others, round by round', async () => {
    const targets = tenTargets((t) => (t < 5 ? 1 : 8));
    const report = await sweepOf(targets, { maxRestartsPerSweep: 20 }).run({ targetConcurrency: 2 });
    expect(restartsPerTarget(report)).toEqual([1, 1, 1, 1, 1, 3, 3, 3, 3, 3]);
    expect(report.targets.map((t) => t.limitedBy ?? null)).toEqual([
      ...Array(5).fill(null),
      ...Array(5).fill('sweep-cap'),
    ]);
  });

  it('a dry run shares the cap the same way', async () => {
    const targets = tenTargets(() => 6);
    const report = await sweepOf(targets, { maxRestartsPerSweep: 20 }).run({ dryRun: true });
    expect(report.targets.map((t) => t.counts['dry-run'])).toEqual(Array(10).fill(2));
    expect(emulator.requests.filter((r) => r.route === 'restart')).toHaveLength(0);
  });

  it('a dry run charges the cap as the real sweep does: the same plan for a target that plans later', async () => {
    emulator.seed(PROJECT, 'wsa', [failed(1, 0), failed(1, 1)]);
    emulator.seed(
      PROJECT,
      'wsb',
      Array.from({ length: 150 }, (_, i) => failed(2, i)),
    );
    const targets = ['a', 'b'].map((n) => ({
      name: n,
      endpoint: emulator.url,
      projectId: PROJECT,
      workspace: `ws${n}`,
    }));
    // One target at a time, no wait for the other's plan: a takes the whole cap of 2 first.
    const options = { targetConcurrency: 1, shareWaitMs: 0 };
    const s = sweepOf(targets, { maxRestartsPerSweep: 2 });
    const dry = await s.run({ ...options, dryRun: true });
    const real = await s.run(options);
    expect(real.restarted.map((r) => r.target)).toEqual(['a', 'a']);
    const plan = (r: SweepReport) =>
      r.targets.map((t) => ({ notEvaluated: t.notEvaluated, limitedBy: t.limitedBy }));
    expect(plan(dry)).toEqual(plan(real));
    expect(dry.totals).toEqual({ 'dry-run': 2, 'sweep-cap': 150 });
    expect(real.totals).toEqual({ restarted: 2, 'sweep-cap': 150 });
  });

  it('the hourly cap is reported as what held a target back', async () => {
    const targets = tenTargets(() => 3);
    const report = await sweepOf(targets, { maxRestartsPerSweep: 50, maxRestartsPerHour: 1 }).run();
    expect(restartsPerTarget(report)).toEqual(Array(10).fill(1));
    expect(report.targets.map((t) => t.limitedBy)).toEqual(Array(10).fill('hourly-cap'));
  });

  describe('three targets of 300 failures, sweep cap 10, hourly cap 4', () => {
    const WORKSPACES = ['w1', 'w2', 'w3'];
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    const targets = (url: string) =>
      WORKSPACES.map((workspace) => ({ name: workspace, endpoint: url, projectId: PROJECT, workspace }));

    it.each([false, true])(
      'dry run %s: caps hold, every failure counted once, slots returned',
      async (dryRun) => {
        WORKSPACES.forEach((w, i) => {
          emulator.seed(PROJECT, w, failuresSecondsApart(300, { firstId: 1000 * (i + 1) }));
        });
        const ledger = new MemoryLedger();
        const policy = { maxRestartsPerSweep: 10, maxRestartsPerHour: 4 };
        const report = await sweeper(emulator, clock, ledger, policy, { targets: targets(emulator.url) }).run(
          {
            dryRun,
            itemsPerOutcome: 50,
          },
        );

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
});
