/**
 * Edges of the sweep's planning that no other sweep test reaches (Stryker found these
 * lines unrun): hourly slots that cannot be returned, an abort while a failed node is
 * read, a share wait that starts after the sweep was aborted, marks that a dry run
 * skips or the ledger refuses, and which success supersedes a failure. Each test pins
 * the behaviour those lines exist for, over the emulator and a manual clock; timers are
 * injected, so nothing here depends on how fast the machine is.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import { seededRandom } from '../../emulator/seeded-random';
import type { Emulator, EmulatorOptions } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import { parseConfig } from '../../lib/config/parse';
import { LedgerError } from '../../lib/errors';
import type { ClaimRequest, InstanceKey, LedgerEntry } from '../../lib/ledger/ledger';
import type { Logger } from '../../lib/log';
import type { Candidate } from '../../lib/policy/guards';
import { ShareCoordinator } from '../../lib/sweep/fair-share';
import type { SweepReport } from '../../lib/sweep/report';
import { runSweep } from '../../lib/sweep/sweep';
import type { Sleep } from '../../lib/util/time';
import { buildTargets } from '../../lib/wiring';
import { MemoryLedger } from '../support/memory-ledger';
import { warningsLogger } from '../support/recording-logger';
import { failedAgo, sweeper } from '../support/sweep-setup';
import { AK, emulatorWithClock, FAST, PROJECT, SK, T0 } from '../support/targets';

const MIN = 60_000;

let emulator: Emulator;
let clock: ManualClock;
/** The emulator this test started, closed after it. */
let running: Emulator | undefined;
async function start(options: Partial<EmulatorOptions> = {}): Promise<void> {
  ({ emulator, clock } = await emulatorWithClock(options));
  running = emulator;
}
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const outcomeOf = (report: SweepReport, id: number | string) =>
  report.decisions.find((d) => d.instanceId === String(id));

/** A sleep that never ends by itself: only its signal ends it (rejecting). Records what it was asked. */
function stuckSleep() {
  const asked: number[] = [];
  const sleep: Sleep = (ms, signal) => {
    asked.push(ms);
    return new Promise<void>((_, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  };
  return { sleep, asked };
}

/** Whether `p` has settled once the callbacks pending now have run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

/** A MemoryLedger whose hourly returns, or exhausted marks while `failMarks` is set, fail. */
class FaultyLedger extends MemoryLedger {
  failReleases = false;
  failMarks = false;

  override async releaseHourly(target: string, now: number, count: number): Promise<void> {
    if (this.failReleases) throw new Error('ledger write refused');
    return super.releaseHourly(target, now, count);
  }

  override async markExhausted(key: InstanceKey, now: number): Promise<boolean> {
    if (this.failMarks) throw new Error('ledger write refused');
    return super.markExhausted(key, now);
  }
}

/** A MemoryLedger that notes, at each claim, how many hourly slots its target holds. */
class HourAtClaim extends MemoryLedger {
  heldAtClaim: Record<string, number[]> = {};
  override async claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
    const held = await this.hourlyCount(key.target, request.now);
    this.heldAtClaim[key.target] = [...(this.heldAtClaim[key.target] ?? []), held];
    return super.claim(key, request);
  }
}

/** A MemoryLedger that counts the exhausted marks it is asked to write. */
class MarkCounter extends MemoryLedger {
  marks = 0;
  override async markExhausted(key: InstanceKey, now: number): Promise<boolean> {
    this.marks++;
    return super.markExhausted(key, now);
  }
}

/** A MemoryLedger that cannot say which attempts are in flight; everything else works. */
class NoInFlightLedger extends MemoryLedger {
  override async inFlight(): Promise<LedgerEntry[]> {
    throw new LedgerError({ message: 'ledger read refused' });
  }
}

describe('hourly slots reserved beyond the share', () => {
  beforeEach(() => start());

  /** Two targets of two failures each, sweep cap 2: each reserves 2 hourly slots, its fair share is 1. */
  function twoTargetsShareOne(ledger: MemoryLedger, logger?: Logger) {
    const targets = ['a', 'b'].map((name) => {
      emulator.seed(PROJECT, `ws_${name}`, [failedAgo(1, 30), failedAgo(2, 40)]);
      return { name, endpoint: emulator.url, projectId: PROJECT, workspace: `ws_${name}` };
    });
    const config = parseConfig({
      targets,
      ledger: { type: 'file', path: '/unused' },
      policy: { stormGuard: { enabled: false }, maxRestartsPerSweep: 2 },
      client: { timeout: '5s' },
    });
    return runSweep(
      {
        config,
        targets: buildTargets(config, { kind: 'aksk', ak: AK, sk: SK }, clock, FAST),
        ledger,
        clock,
        random: seededRandom(1),
        ...(logger ? { logger } : {}),
        // Both targets plan before any timer could matter: the wait must never need it.
        sleep: stuckSleep().sleep,
      },
      { itemsPerOutcome: Number.POSITIVE_INFINITY },
    );
  }

  it('a failed return is logged with the target and the error, and the sweep restarts its share', async () => {
    const ledger = new FaultyLedger();
    ledger.failReleases = true;
    const { logger, warnings } = warningsLogger();
    const report = await twoTargetsShareOne(ledger, logger);
    expect(report.restarted.map((r) => r.target).sort()).toEqual(['a', 'b']);
    expect(report.errors).toEqual([]);
    expect(report.totals['sweep-cap']).toBe(2);
    const notReturned = warnings.filter((w) => w.message === 'hourly slots not returned');
    expect(notReturned.map((w) => w.data?.target).sort()).toEqual(['a', 'b']);
    for (const w of notReturned) expect(w.data?.error).toBe('Error: ledger write refused');
    // The slot not returned still counts against this hour: the safe side.
    await expect(ledger.hourlyCount('a', T0)).resolves.toBe(2);
  });

  it('the slot beyond the share is back before the first claim, not after the restarts', async () => {
    const ledger = new HourAtClaim();
    const report = await twoTargetsShareOne(ledger);
    expect(report.restarted).toHaveLength(2);
    // Each target reserved 2 and may restart 1: at its claim, one slot of the hour is held.
    expect(ledger.heldAtClaim).toEqual({ a: [1], b: [1] });
  });
});

describe('hourly slots reserved but not used by the restarts', () => {
  beforeEach(() => start());

  /** Stops the sweep at its first claim: nothing is sent, every reserved slot is spare. */
  class StopAtFirstClaim extends FaultyLedger {
    constructor(private readonly stop: AbortController) {
      super();
    }
    override async claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
      this.stop.abort(new Error('stopped'));
      return super.claim(key, request);
    }
  }

  it.each([
    { returns: true, left: 0 },
    { returns: false, left: 2 },
  ])(
    'go back after them; one not given back (returns: $returns) is logged, and the target is not failed',
    async ({ returns, left }) => {
      emulator.seed(PROJECT, undefined, [failedAgo(1, 30), failedAgo(2, 31)]);
      const stop = new AbortController();
      const ledger = new StopAtFirstClaim(stop);
      ledger.failReleases = !returns;
      const { logger, warnings } = warningsLogger();
      const report = await sweeper(emulator, clock, ledger, {}, { logger }).run({ signal: stop.signal });
      expect(report.totals).toEqual({ deferred: 2 });
      expect(emulator.count('restart')).toBe(0);
      expect(report.targets[0]?.error).toBeUndefined();
      expect(report.errors).toEqual([]);
      expect(warnings.map((w) => w.message)).toEqual(returns ? [] : ['hourly slots not returned']);
      await expect(ledger.hourlyCount('prod', T0)).resolves.toBe(left);
    },
  );
});

describe('reading the failed node', () => {
  it('an abort while the show request is on the wire defers the instance, saying so', async () => {
    const stop = new AbortController();
    // The emulator calls `advance` as each request arrives; here it moves no clock, it
    // aborts the sweep once the show request (recorded right after) is held.
    await start({
      advanceOnRequestMs: 1,
      advance: () =>
        queueMicrotask(() => {
          if (emulator.requests.at(-1)?.route === 'show') stop.abort(new Error('Ctrl-C'));
        }),
    });
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30, { node: { nodeName: 'load', type: 'DLISQL' } })]);
    emulator.inject({ route: 'show', kind: 'hang' });
    const report = await sweeper(emulator, clock, new MemoryLedger(), { failedNodeTypes: ['DLISQL'] }).run({
      signal: stop.signal,
    });
    expect(emulator.count('show')).toBe(1);
    expect(outcomeOf(report, 1)).toMatchObject({
      outcome: 'deferred',
      detail: 'the sweep stopped while reading the failed node',
    });
    expect(report.deferred).toMatchObject([{ instanceId: '1' }]);
    expect(emulator.count('restart')).toBe(0);
  });
});

describe('the wait for every plan', () => {
  const want = (ago: number): Candidate => ({
    decision: { action: 'restart', attempt: 1, maxAttempts: 3, rule: 'default', failureAt: T0 - ago * MIN },
    failedAt: T0 - ago * MIN,
  });

  it('started after the sweep was aborted, decides the shares at once, with no timer', async () => {
    const timer = stuckSleep();
    const coordinator = new ShareCoordinator(2, 3, {
      waitMs: () => 1_000,
      sleep: timer.sleep,
      signal: AbortSignal.abort(new Error('deadline')),
    });
    const first = coordinator.request(0, [want(30), want(40)]);
    expect(await settled(first)).toBe(true);
    await expect(first).resolves.toBe(2);
    expect(timer.asked).toEqual([]);
    // The other target, late, gets what is left of the cap.
    await expect(coordinator.request(1, [want(10), want(20)])).resolves.toBe(1);
  });
});

describe('interrupted attempts are looked for first', () => {
  beforeEach(() => start());

  it('a ledger that cannot list what is in flight stops the target before it lists or restarts anything', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    const report = await sweeper(emulator, clock, new NoInFlightLedger()).run();
    expect(report.targets[0]?.error?.code).toBe('LEDGER_FAILED');
    expect(emulator.count('list')).toBe(0);
    expect(emulator.count('restart')).toBe(0);
    expect(report.decisions).toEqual([]);
  });
});

describe('exhausted budgets are reported once, through their mark', () => {
  beforeEach(() => start());

  /** One failure whose rerun fails again: with maxAttempts 1, its budget is exhausted after one sweep. */
  async function exhaustedAfterOneSweep(ledger: MemoryLedger, logger?: Logger) {
    emulator.seed(PROJECT, undefined, [
      failedAgo(1, 30, { runMs: 0, afterScript: 'fail', errorMessage: 'Out of memory' }),
    ]);
    const s = sweeper(emulator, clock, ledger, { maxAttempts: 1 }, logger ? { logger } : {});
    expect((await s.run()).totals.restarted).toBe(1);
    clock.advance(10 * MIN);
    return s;
  }

  it('a dry run reports every exhausted budget and marks none', async () => {
    const ledger = new MemoryLedger();
    const s = await exhaustedAfterOneSweep(ledger);
    const dry = await s.run({ dryRun: true });
    expect(dry.exhausted).toMatchObject([{ instanceId: '1', attempts: 1, lastError: 'Out of memory' }]);
    // Nothing marked: the next dry run and the real sweep after it report it again; then no more.
    expect((await s.run({ dryRun: true })).exhausted).toHaveLength(1);
    expect((await s.run()).exhausted).toMatchObject([{ instanceId: '1' }]);
    expect((await s.run()).exhausted).toEqual([]);
  });

  it('a mark the ledger refuses is not reported; a later sweep marks and reports it, once', async () => {
    const ledger = new FaultyLedger();
    const { logger, warnings } = warningsLogger();
    const s = await exhaustedAfterOneSweep(ledger, logger);
    ledger.failMarks = true;
    const refused = await s.run();
    expect(refused.totals['budget-exhausted']).toBe(1);
    expect(refused.exhausted).toEqual([]);
    // Not silent: the log says why it was not reported.
    expect(warnings).toEqual([
      {
        message: 'ledger mark not written: reported by a later sweep',
        data: { target: 'prod', error: expect.stringContaining('Error') },
      },
    ]);
    ledger.failMarks = false;
    expect((await s.run()).exhausted).toMatchObject([{ instanceId: '1', attempts: 1 }]);
    expect((await s.run()).exhausted).toEqual([]);
  });

  it('at the deadline no mark is written: a later sweep reports it', async () => {
    const ledger = new MarkCounter();
    const s = await exhaustedAfterOneSweep(ledger);
    const late = await s.run({ deadline: clock.now() });
    expect(late.totals['budget-exhausted']).toBe(1);
    expect(late.exhausted).toEqual([]);
    expect(ledger.marks).toBe(0);
    expect((await s.run()).exhausted).toHaveLength(1);
  });

  it('a budget reported once costs no more mark writes', async () => {
    const ledger = new MarkCounter();
    const s = await exhaustedAfterOneSweep(ledger);
    expect((await s.run()).exhausted).toHaveLength(1);
    expect((await s.run()).exhausted).toEqual([]);
    expect(ledger.marks).toBe(1);
  });
});

describe('skipSuperseded: the newest success of the job decides', () => {
  /** A success of `job_1` planned `minutes` before T0, after a ten-minute run. */
  const success = (instanceId: number, minutes: number): InstanceSeed => ({
    jobName: 'job_1',
    instanceId,
    status: 'success',
    planTime: T0 - minutes * MIN,
    startTime: T0 - minutes * MIN,
    endTime: T0 - (minutes - 10) * MIN,
    runMs: 10 * MIN,
  });
  // The failure of job_1 (instance 1) was planned 40 minutes before T0.
  const failure = failedAgo(1, 30);

  // The list order is undocumented: listed in an order unrelated to time, and with the
  // two ids swapped, one of the two cases lists the older success first.
  it.each([
    { older: 20, newer: 21 },
    { older: 21, newer: 20 },
  ])(
    'a success planned after the failure supersedes it, whichever success is listed first (older $older, newer $newer)',
    async ({ older, newer }) => {
      await start({ listOrder: 'unordered' });
      emulator.seed(PROJECT, undefined, [failure, success(older, 50), success(newer, 20)]);
      const report = await sweeper(emulator, clock, new MemoryLedger(), { skipSuperseded: true }).run();
      expect(outcomeOf(report, 1)).toMatchObject({
        outcome: 'superseded',
        detail: `newer instance ${newer} of this job succeeded`,
      });
      expect(emulator.count('restart')).toBe(0);
    },
  );

  it('successes planned only before the failure do not supersede it', async () => {
    await start();
    emulator.seed(PROJECT, undefined, [failure, success(20, 50), success(21, 45)]);
    const report = await sweeper(emulator, clock, new MemoryLedger(), { skipSuperseded: true }).run();
    expect(outcomeOf(report, 1)?.outcome).toBe('restarted');
  });

  it('a success planned at the very time of the failure is not newer: it does not supersede it', async () => {
    await start();
    emulator.seed(PROJECT, undefined, [failure, success(20, 40)]);
    const report = await sweeper(emulator, clock, new MemoryLedger(), { skipSuperseded: true }).run();
    expect(outcomeOf(report, 1)?.outcome).toBe('restarted');
  });

  it('of successes planned at the same time, the one listed first is named', async () => {
    // Newest first, equal plan times by instance id: 20 is listed before 21.
    await start();
    emulator.seed(PROJECT, undefined, [failure, success(21, 20), success(20, 20)]);
    const report = await sweeper(emulator, clock, new MemoryLedger(), { skipSuperseded: true }).run();
    expect(outcomeOf(report, 1)).toMatchObject({
      outcome: 'superseded',
      detail: 'newer instance 20 of this job succeeded',
    });
  });

  it('one rule that skips superseded failures is enough for the successes to be listed', async () => {
    await start();
    emulator.seed(PROJECT, undefined, [failure, success(20, 20)]);
    const report = await sweeper(emulator, clock, new MemoryLedger(), {
      rules: [
        { match: 'other_*', maxAttempts: 1 },
        { match: 'job_*', skipSuperseded: true },
      ],
    }).run();
    expect(outcomeOf(report, 1)?.outcome).toBe('superseded');
    expect(emulator.count('restart')).toBe(0);
  });
});
