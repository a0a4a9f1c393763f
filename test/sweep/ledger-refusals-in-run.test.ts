/**
 * Ledger writes that fail in the middle of a sweep, where the sweep swallows the
 * failure on purpose (Stryker found these lines unrun): recovery tracking is best
 * effort (a ledger that cannot say which reruns await a verdict is logged, and the
 * sweep restarts as usual); a verdict is reported only by the sweep whose mark wrote it
 * (a refused mark is left for a later sweep, which reports it once); and an attempt
 * refused before DataArts processed it is given back only when the release is written
 * (a release that fails keeps it counted, in the report and against the hourly cap).
 * One failure is not swallowed: an hourly reservation that fails halts the target,
 * and its failures are reported halted, not held back by a cap nothing filled.
 * Each ledger is a MemoryLedger with one method failing; everything runs over the
 * emulator on a manual clock, so nothing here depends on how fast the machine is.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { LedgerError } from '../../lib/errors';
import type { InstanceKey, LedgerEntry, Settlement } from '../../lib/ledger/ledger';
import type { RecoveryVerdict } from '../../lib/ledger/ledger-recovery';
import type { SweepReport } from '../../lib/sweep/report';
import { MemoryLedger } from '../support/memory-ledger';
import { warningsLogger } from '../support/recording-logger';
import { emulatorPerTest, failedAgo, failuresSecondsApart, sweeper } from '../support/sweep-setup';
import { PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

const recoveryOf = (report: SweepReport) => report.targets[0]?.recovery;

const keyOf = (report: SweepReport, id: number): InstanceKey => {
  const d = report.decisions.find((x) => x.instanceId === String(id));
  if (!d) throw new Error(`no decision for instance ${id}`);
  return { target: d.target, workspace: d.workspace, jobName: d.jobName, instanceId: d.instanceId };
};

/** A MemoryLedger whose recovery reads, recovery marks or releases fail while their flag is set. */
class FaultyLedger extends MemoryLedger {
  failAwaiting = false;
  failMarks = false;
  failReleases = false;
  failSettles = false;
  marksTried = 0;

  override async awaitingVerdict(target: string): Promise<LedgerEntry[]> {
    if (this.failAwaiting) throw new LedgerError({ message: 'ledger read refused' });
    return super.awaitingVerdict(target);
  }

  override async markRecovery(
    key: InstanceKey,
    attempt: number,
    verdict: RecoveryVerdict,
    now: number,
  ): Promise<boolean> {
    this.marksTried++;
    if (this.failMarks) throw new LedgerError({ message: 'ledger write refused' });
    return super.markRecovery(key, attempt, verdict, now);
  }

  override async release(key: InstanceKey, attempt: number, claimId: string, now: number): Promise<boolean> {
    if (this.failReleases) throw new LedgerError({ message: 'ledger write refused' });
    return super.release(key, attempt, claimId, now);
  }

  override async settle(key: InstanceKey, settlement: Settlement): Promise<boolean> {
    if (this.failSettles) throw new LedgerError({ message: 'ledger write refused' });
    return super.settle(key, settlement);
  }
}

describe('recovery tracking is best effort', () => {
  it('a ledger that cannot list the reruns awaiting a verdict is logged with the target and the error; the sweep restarts as usual', async () => {
    emulator.seed(PROJECT, undefined, [
      failedAgo(1, 30),
      // Ended just now: due a minute later (firstRetryDelay), so the second sweep restarts it.
      failedAgo(2, 0),
    ]);
    const ledger = new FaultyLedger();
    const { logger, warnings } = warningsLogger();
    const s = sweeper(emulator, clock, ledger, { firstRetryDelay: '1m' }, { logger });
    expect((await s.run()).restarted.map((r) => r.instanceId)).toEqual(['1']);
    expect(warnings).toEqual([]);

    clock.advance(15 * MIN);
    ledger.failAwaiting = true;
    const second = await s.run();
    // The rerun of 1 is not judged this sweep, and that is no error of the target.
    expect(recoveryOf(second)).toBeUndefined();
    expect(second.recovered).toEqual([]);
    expect(second.targets[0]?.error).toBeUndefined();
    expect(second.errors).toEqual([]);
    expect(second.restarted.map((r) => r.instanceId)).toEqual(['2']);
    // Not silent: the log names the target and the ledger's error.
    expect(warnings).toEqual([
      {
        message: 'recovery tracking failed',
        data: { target: 'prod', code: 'LEDGER_FAILED', message: 'ledger read refused' },
      },
    ]);

    // Once the ledger answers again, the rerun is judged: it recovered.
    ledger.failAwaiting = false;
    clock.advance(1 * MIN);
    const third = await s.run();
    expect(third.recovered).toMatchObject([{ instanceId: '1' }]);
  });
});

describe('a verdict is reported by the sweep whose mark wrote it', () => {
  it('a mark the ledger refuses is neither counted nor reported; a later sweep reports it, once', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30, { errorMessage: 'connection reset' })]);
    const ledger = new FaultyLedger();
    const { logger, warnings } = warningsLogger();
    const s = sweeper(emulator, clock, ledger, { firstRetryDelay: '1m' }, { logger });
    expect((await s.run()).restarted.map((r) => r.instanceId)).toEqual(['1']);

    // The rerun has run its ten minutes and succeeded.
    clock.advance(15 * MIN);
    ledger.failMarks = true;
    const refused = await s.run();
    expect(ledger.marksTried).toBe(1);
    expect(refused.recovered).toEqual([]);
    expect(recoveryOf(refused)).toEqual({ recovered: 0, failedAgain: 0, pending: 0 });
    expect(refused.errors).toEqual([]);
    expect(refused.targets[0]?.error).toBeUndefined();
    // Not silent: the log says why it was not reported.
    expect(warnings).toEqual([
      {
        message: 'ledger mark not written: reported by a later sweep',
        data: { target: 'prod', error: expect.stringContaining('refused') },
      },
    ]);

    ledger.failMarks = false;
    clock.advance(1 * MIN);
    const later = await s.run();
    expect(recoveryOf(later)).toEqual({ recovered: 1, failedAgain: 0, pending: 0 });
    expect(later.recovered).toEqual([
      { target: 'prod', workspace: 'default', jobName: 'job_1', instanceId: '1' },
    ]);

    clock.advance(1 * MIN);
    const after = await s.run();
    expect(recoveryOf(after)).toBeUndefined();
    expect(after.recovered).toEqual([]);
  });
});

describe('an attempt refused before DataArts processed it', () => {
  /** One failure whose restart the gateway refuses (403), on `ledger`. */
  async function refusedRestart(ledger: MemoryLedger) {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    emulator.inject({ route: 'restart', kind: 403 });
    const report = await sweeper(emulator, clock, ledger).run();
    expect(emulator.count('restart')).toBe(1);
    const entry = (await ledger.read([keyOf(report, 1)])).values().next().value;
    return { report, entry };
  }

  it('is given back when the release is written: not counted, no hourly slot kept', async () => {
    const ledger = new FaultyLedger();
    const { report, entry } = await refusedRestart(ledger);
    expect(report.errors).toMatchObject([{ instanceId: '1', attemptCounted: false }]);
    expect(report.targets[0]?.error?.code).toBe('TARGET_HALTED');
    expect(entry).toMatchObject({ attempts: 0, lastOutcome: 'released' });
    await expect(ledger.hourlyCount('prod', T0)).resolves.toBe(0);
  });

  it('stays counted when the release fails: in the report, in the ledger and against the hourly cap', async () => {
    const ledger = new FaultyLedger();
    ledger.failReleases = true;
    const { report, entry } = await refusedRestart(ledger);
    expect(report.errors).toMatchObject([{ instanceId: '1', attemptCounted: true }]);
    expect(report.unconfirmed).toEqual([]);
    expect(report.targets[0]?.error?.code).toBe('TARGET_HALTED');
    // Still the claim: its lease expires and a later sweep reconciles it.
    expect(entry).toMatchObject({ attempts: 1, lastOutcome: 'in-flight' });
    // The slot reserved for it is kept, as for any attempt that counts: the safe side.
    await expect(ledger.hourlyCount('prod', T0)).resolves.toBe(1);
  });
});

describe('a restart DataArts refused, whose outcome the ledger could not write', () => {
  it('reports both: the refusal and the ledger failure; the attempt stays counted and the target stops', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30), failedAgo(2, 30)]);
    emulator.inject({ route: 'restart', kind: 'status-changed' });
    const ledger = new FaultyLedger();
    ledger.failSettles = true;
    const report = await sweeper(emulator, clock, ledger, { concurrency: 1 }).run();
    expect(emulator.count('restart')).toBe(1);
    expect(report.errors).toMatchObject([
      { code: 'LEDGER_FAILED', message: expect.stringContaining('refused'), attemptCounted: true },
      { code: 'RESTART_REJECTED', attemptCounted: true },
    ]);
    expect(report.targets[0]?.error?.message).toMatch(/^ledger failed: /);
    expect(report.totals).toEqual({ error: 1, 'target-halted': 1 });
  });
});

/** The ledger stops answering writes at the hourly reservation (throttled, down). */
class ReservationFails extends MemoryLedger {
  override async reserveHourly(): Promise<number> {
    throw new Error('ledger unavailable');
  }
}

describe('the ledger fails at the hourly reservation', () => {
  it('no failure of the halted target is reported as held back by a cap older failures filled', async () => {
    emulator.seed(PROJECT, undefined, failuresSecondsApart(500));
    const ledger = new ReservationFails();
    const policy = { maxRestartsPerSweep: 5, maxRestartsPerHour: 1000 };

    const report = await sweeper(emulator, clock, ledger, policy).run();

    expect(report.restarted).toEqual([]);
    expect(report.targets[0]?.error?.message).toContain('ledger unavailable');
    // Every failure is accounted once ...
    expect(Object.values(report.totals).reduce((a, b) => a + b, 0)).toBe(500);
    // ... and no cap was filled, since nothing was restarted: the failures the ledger
    // failure stopped are `target-halted`, none `sweep-cap`.
    expect(report.totals['sweep-cap'] ?? 0).toBe(0);
    expect(report.targets[0]?.limitedBy).toBeUndefined();
    expect(report.totals['target-halted']).toBe(500);
    // The unread ones say why: the target stopped, and on what.
    const unread = report.decisions.filter((d) => d.detail.startsWith('the target stopped: '));
    expect(unread.length).toBeGreaterThan(0);
    expect(unread[0]?.detail).toContain('ledger unavailable');
  }, 120_000);

  it('only the restartable ones are halted: a failure policy excludes stays excluded', async () => {
    emulator.seed(PROJECT, undefined, failuresSecondsApart(3));
    const ledger = new ReservationFails();

    const report = await sweeper(emulator, clock, ledger, { excludeJobs: ['job_0'] }).run();

    expect(report.totals).toEqual({ excluded: 1, 'target-halted': 2 });
    expect(report.decisions.find((d) => d.jobName === 'job_0')?.outcome).toBe('excluded');
    expect(report.decisions.find((d) => d.jobName === 'job_1')?.detail).toBe(
      'ledger failed: ledger unavailable',
    );
  });
});
