/**
 * What runSweep itself adds over its targets' sweeps: the one report (storm, omitted
 * decisions, ledger retries, duration), the one "sweep finished" log line, the options
 * it hands every target, and the target slots it holds. Each test is aimed at one of
 * those lines; the sweep suites reach them without pinning them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { ClaimRequest, InstanceKey, Settlement } from '../../lib/ledger/ledger';
import type { SweepReport } from '../../lib/sweep/report';
import { runSweep } from '../../lib/sweep/sweep';
import type { Sleep } from '../../lib/util/time';
import { MemoryLedger } from '../support/memory-ledger';
import { recordingLogger } from '../support/recording-logger';
import { emulatorPerTest, failedAgo, sweeper } from '../support/sweep-setup';
import { PROJECT } from '../support/targets';

let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

/** One target per workspace, each seeded with `failures[i]` failed instances. */
function targetsWith(failures: number[]) {
  return failures.map((n, t) => {
    const workspace = `ws${t}`;
    emulator.seed(
      PROJECT,
      workspace,
      Array.from({ length: n }, (_, i) => failedAgo(t * 100 + i, 30, { jobName: `job_${t}_${i}` })),
    );
    return { name: `t${t}`, endpoint: emulator.url, projectId: PROJECT, workspace };
  });
}

describe('the sweep report over every target', () => {
  it('suspects a storm when any one target does, not only when all do', async () => {
    const targets = targetsWith([25, 1]);
    const report = await sweeper(
      emulator,
      clock,
      new MemoryLedger(),
      { stormGuard: { enabled: true, maxFailedJobs: 20 } },
      { targets },
    ).run();
    expect(report.targets.map((t) => t.storm.suspected)).toEqual([true, false]);
    expect(report.targets.map((t) => t.storm.totalInstances)).toEqual([25, 1]);
    expect(report.storm).toBe(true);
  });

  it('has no omittedDecisions when every decision is kept', async () => {
    const report = await sweeper(
      emulator,
      clock,
      new MemoryLedger(),
      {},
      { targets: targetsWith([2]) },
    ).run();
    expect(report.totals).toEqual({ restarted: 2 });
    expect(report).not.toHaveProperty('omittedDecisions');
    // The storm guard is off (sweeper's default): no window total is reported.
    expect(report.targets[0]?.storm).not.toHaveProperty('totalInstances');
  });

  it('keeps itemsPerOutcome decisions per outcome and counts the rest as omitted', async () => {
    const targets = targetsWith([4]);
    const report = await sweeper(
      emulator,
      clock,
      new MemoryLedger(),
      { maxRestartsPerSweep: 0 },
      { targets },
    ).run({ itemsPerOutcome: 1 });
    expect(report.totals).toEqual({ 'sweep-cap': 4 });
    expect(report.decisions).toHaveLength(1);
    expect(report.omittedDecisions).toEqual({ 'sweep-cap': 3 });
  });

  it("counts only this sweep's ledger retries, not the ledger's earlier ones", async () => {
    class RetriedBefore extends MemoryLedger {
      readonly stats = { retries: 7 };
    }
    const report = await sweeper(
      emulator,
      clock,
      new RetriedBefore(),
      {},
      { targets: targetsWith([1]) },
    ).run();
    expect(report.ledgerRetries).toBe(0);
  });

  it('times the sweep on the wall clock: within what the caller measured around it', async () => {
    const s = sweeper(emulator, clock, new MemoryLedger(), {}, { targets: targetsWith([1]) });
    const before = performance.now();
    const report = await s.run();
    const around = performance.now() - before;
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
    expect(report.durationMs).toBeLessThanOrEqual(Math.ceil(around));
  });

  it('logs one "sweep finished" line with what an operator greps for', async () => {
    const { logger, lines } = recordingLogger();
    const report: SweepReport = await sweeper(
      emulator,
      clock,
      new MemoryLedger(),
      {},
      { targets: targetsWith([2]), logger },
    ).run({ sweepId: 'sweep-1' });
    const finished = lines.filter((l) => l.message === 'sweep finished');
    expect(finished).toEqual([
      {
        level: 'info',
        message: 'sweep finished',
        data: {
          sweepId: 'sweep-1',
          dryRun: false,
          totals: { restarted: 2 },
          restarted: 2,
          exhausted: 0,
          errors: 0,
          storm: false,
          durationMs: report.durationMs,
        },
      },
    ]);
  });
});

describe("a target's report", () => {
  it("counts this sweep's API calls only (clients outlive a sweep) and its duration on the sweep's clock", async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30), failedAgo(2, 30)]);
    emulator.inject({ route: 'restart', kind: 503, retryAfterSeconds: 0 });
    emulator.inject({ route: 'list', kind: 429, retryAfterSeconds: 0 });
    const s = sweeper(emulator, clock, new MemoryLedger(), { maxAttempts: 1 });
    const first = await s.run();
    expect(first.targets[0]?.apiCalls).toMatchObject({ restart: 2, retries: 2, throttled: 1 });
    expect(first.targets[0]?.apiCalls.list).toBeGreaterThan(0);
    // Each request now moves the clock on by a second: the second sweep takes time on it.
    emulator.setAdvanceOnRequest(1_000);
    const sent = (route: 'list' | 'show') => emulator.requests.filter((r) => r.route === route).length;
    const before = { list: sent('list'), show: sent('show') };
    const second = await s.run();
    // Only its own requests: the reads it made, no restart, no retry, no throttle.
    expect(second.targets[0]?.apiCalls).toEqual({
      list: sent('list') - before.list,
      show: sent('show') - before.show,
      restart: 0,
      retries: 0,
      throttled: 0,
    });
    expect(second.targets[0]?.durationMs).toBeGreaterThanOrEqual(1_000);
  });

  it('a listing that fails is logged with the target and the error', async () => {
    const { logger, lines } = recordingLogger();
    emulator.inject({ route: 'list', kind: 'no-permission' });
    const report = await sweeper(emulator, clock, new MemoryLedger(), {}, { logger }).run();
    expect(report.targets[0]?.error?.code).toBeDefined();
    expect(lines.filter((l) => l.level === 'warn')).toEqual([
      {
        level: 'warn',
        message: 'target listing failed',
        data: expect.objectContaining({ target: 'prod', code: report.targets[0]?.error?.code }),
      },
    ]);
  });

  it('logs each decision at debug level', async () => {
    const { logger, lines } = recordingLogger();
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    const report = await sweeper(emulator, clock, new MemoryLedger(), {}, { logger }).run();
    expect(lines.filter((l) => l.message === 'decision')).toEqual([
      { level: 'debug', message: 'decision', data: report.decisions[0] },
    ]);
  });
});

describe('runSweep and its targets', () => {
  it('holds a target slot while a target restarts: with one slot, one request at a time', async () => {
    // Each target plans, waits for the others' plans without its slot, then takes a slot
    // back to restart. Slow restarts make any overlap visible at the emulator.
    emulator.setLatency(300, 'restart');
    const targets = targetsWith([1, 1, 1]);
    const report = await sweeper(emulator, clock, new MemoryLedger(), {}, { targets }).run({
      targetConcurrency: 1,
    });
    expect(report.totals).toEqual({ restarted: 3 });
    expect(emulator.maxInFlight()).toBe(1);
  });

  /**
   * Holds the plan of target t1 at its ledger read until `open()`, so it plans after t0
   * has acted (t0 gets the whole cap at the cutoff, before t1 has planned); records the
   * hourly slots each target asks for, which is where a plan shows the cap it saw.
   */
  class LatePlanner extends MemoryLedger {
    readonly reservations: Array<{ target: string; wanted: number }> = [];
    open = () => {};
    private readonly gate = new Promise<void>((resolve) => {
      this.open = resolve;
    });
    override async read(keys: readonly InstanceKey[]) {
      if (keys.some((k) => k.target === 't1')) await this.gate;
      return super.read(keys);
    }
    override async reserveHourly(target: string, now: number, cap: number, wanted: number) {
      this.reservations.push({ target, wanted });
      return super.reserveHourly(target, now, cap, wanted);
    }
  }

  /** t0 and t1 with two failures each, a sweep cap of 2, the cutoff at once. */
  function lateSweep(ledger: LatePlanner, policy: Record<string, unknown> = {}) {
    const s = sweeper(
      emulator,
      clock,
      ledger,
      { maxRestartsPerSweep: 2, ...policy },
      { targets: targetsWith([2, 2]) },
    );
    return runSweep(
      { ...s.deps, sleep: () => Promise.resolve() },
      { shareWaitMs: 0, itemsPerOutcome: Number.POSITIVE_INFINITY },
    );
  }

  /**
   * Opens t1's plan once t0 has ended `times` attempts through `ending` (a settle, a
   * release, or a claim the ledger refused as another sweep's), after the sweep has
   * handled the last one.
   */
  class OpensAfterT0 extends LatePlanner {
    private ended = 0;
    constructor(
      private readonly ending: 'settle' | 'release' | 'claim-refused',
      private readonly times: number,
    ) {
      super();
    }
    private end(key: InstanceKey) {
      if (key.target === 't0' && ++this.ended === this.times) setImmediate(() => this.open());
    }
    override async claim(key: InstanceKey, request: ClaimRequest) {
      if (this.ending !== 'claim-refused' || key.target !== 't0') return super.claim(key, request);
      this.end(key);
      return false;
    }
    override async settle(key: InstanceKey, settlement: Settlement) {
      const done = await super.settle(key, settlement);
      if (this.ending === 'settle') this.end(key);
      return done;
    }
    override async release(key: InstanceKey, attempt: number, claimId: string, now: number) {
      const done = await super.release(key, attempt, claimId, now);
      if (this.ending === 'release') this.end(key);
      return done;
    }
  }

  it.each([
    {
      name: 'both restarted: the cap is used up, it reserves nothing',
      ending: 'settle' as const,
      times: 2,
      fault: undefined,
      t1Reserves: [],
    },
    {
      name: 'both refused by DataArts, which saw them (counted): the cap is used up',
      ending: 'settle' as const,
      times: 2,
      fault: 'status-changed' as const,
      t1Reserves: [],
    },
    {
      name: 'the first refused by the gateway before DataArts saw it (given back, t0 halted): the cap is whole',
      ending: 'release' as const,
      times: 1,
      fault: 'no-permission' as const,
      t1Reserves: [{ target: 't1', wanted: 2 }],
    },
    {
      name: "both claims refused as another sweep's: the cap is whole",
      ending: 'claim-refused' as const,
      times: 2,
      fault: undefined,
      t1Reserves: [{ target: 't1', wanted: 2 }],
    },
  ])(
    'a target that plans after t0 acted sees the cap t0 used; t0 $name',
    async ({ ending, times, fault, t1Reserves }) => {
      if (fault) emulator.inject({ route: 'restart', kind: fault, times: 2 });
      const ledger = new OpensAfterT0(ending, times);
      const report = await lateSweep(ledger, { concurrency: 1 });
      expect(report.targets[0]?.counts.restarted ?? 0).toBe(fault || ending !== 'settle' ? 0 : 2);
      expect(ledger.reservations).toEqual([{ target: 't0', wanted: 2 }, ...t1Reserves]);
    },
  );

  it('an attempt the ledger refused before anything was sent is back in the cap a later plan sees', async () => {
    class ClaimFails extends LatePlanner {
      override async claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
        if (key.target !== 't0') return super.claim(key, request);
        // After the sweep has handled the failure (its pending callbacks), t1 plans.
        setImmediate(() => this.open());
        throw new Error('ledger unavailable');
      }
    }
    const ledger = new ClaimFails();
    const report = await lateSweep(ledger, { concurrency: 1 });
    expect(report.targets[0]?.counts).toEqual({ 'target-halted': 2 });
    expect(emulator.count('restart')).toBe(0);
    // The sweep cap is whole again when t1 plans: it asks for both its slots.
    expect(ledger.reservations).toEqual([
      { target: 't0', wanted: 2 },
      { target: 't1', wanted: 2 },
    ]);
  });

  // A waiting target also ends when every other target has ended or withdrawn, and a
  // stopped sweep ends every request: the signal only ends the wait sooner (sweep.ts).
  describe('a sweep stopped while one target waits for the plan of a target that hangs', () => {
    let hung: Server;
    beforeEach(async () => {
      // A DataArts endpoint that never answers.
      hung = createServer(() => {});
      await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    });
    afterEach(async () => {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    });

    it('the report goes out, with both targets, and nothing is restarted', async () => {
      const healthy = targetsWith([1]);
      const stuck = {
        name: 'stuck',
        endpoint: `http://127.0.0.1:${(hung.address() as AddressInfo).port}`,
        projectId: PROJECT,
      };
      const s = sweeper(emulator, clock, new MemoryLedger(), {}, { targets: [...healthy, stuck] });
      const stop = new AbortController();
      const asked: number[] = [];
      // The cutoff timer never fires by itself: only the sweep's signal can end the wait.
      const sleep: Sleep = (ms, signal) => {
        asked.push(ms);
        stop.abort(new Error('deadline'));
        return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
      };
      const report = await runSweep(
        { ...s.deps, sleep },
        { signal: stop.signal, shareWaitMs: 600_000, itemsPerOutcome: Number.POSITIVE_INFINITY },
      );
      expect(asked).toEqual([600_000]);
      expect(report.targets.map((t) => t.target)).toEqual(['t0', 'stuck']);
      expect(emulator.count('restart')).toBe(0);
    });
  });
});
