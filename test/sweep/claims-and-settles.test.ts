/**
 * What a restart's claim and settlement write, and what recovery tracking writes and
 * when it may run (Stryker found these surviving in lib/sweep/restart-one.ts and
 * lib/sweep/recovery-tracking.ts):
 *
 * - A claim the ledger refuses (another sweep claimed the attempt first) ends the
 *   attempt there: `claimed-elsewhere`, no restart request, nothing counted twice.
 * - The claim names the failure it answers by the instance's `startTime` and `endTime`
 *   (exact epoch ms, as DataArts answered them): that is how a later failure of the
 *   rerun is told from the same failure (lib/policy/failure-identity.ts). A field the
 *   listing did not carry is left out of the claim (no key at all), not sent as undefined.
 * - A failed attempt's outcome carries DataArts' own error code when there is one (the
 *   DLF code of a rejected restart), else this tool's (an unconfirmed one's).
 * - Recovery tracking judges nothing once the sweep's deadline has passed (no show, no
 *   verdict), and a verdict keeps the job's count for the retention from the sweep's time.
 *
 * Everything runs over the emulator on a manual clock; nothing depends on machine speed.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { ClaimRequest, InstanceKey, LedgerEntry } from '../../lib/ledger/ledger';
import type { RecoveryVerdict } from '../../lib/ledger/ledger-recovery';
import type { SweepReport } from '../../lib/sweep/report';
import { claimRequest } from '../support/ledger-entries';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, failedAgo, sweeper } from '../support/sweep-setup';
import { PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

const keyOf = (id: number): InstanceKey => ({
  target: 'prod',
  workspace: 'default',
  jobName: `job_${id}`,
  instanceId: String(id),
});

const outcomeOf = (report: SweepReport, id: number) =>
  report.decisions.find((d) => d.instanceId === String(id));

async function entryOf(ledger: MemoryLedger, id: number): Promise<LedgerEntry> {
  const entry = (await ledger.read([keyOf(id)])).values().next().value;
  if (!entry) throw new Error(`no ledger entry for instance ${id}`);
  return entry;
}

/** A MemoryLedger that keeps every claim request and every verdict write as the sweep made them. */
class RecordingLedger extends MemoryLedger {
  readonly claims: ClaimRequest[] = [];
  readonly verdicts: Array<{
    attempt: number;
    verdict: RecoveryVerdict;
    now: number;
    expiresAt: number | undefined;
  }> = [];

  override async claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
    this.claims.push(request);
    return super.claim(key, request);
  }

  override async markRecovery(
    key: InstanceKey,
    attempt: number,
    verdict: RecoveryVerdict,
    now: number,
    // Optional only because MemoryLedger's own signature leaves it out; the sweep always passes it.
    expiresAt?: number,
  ): Promise<boolean> {
    this.verdicts.push({ attempt, verdict, now, expiresAt });
    return super.markRecovery(key, attempt, verdict, now);
  }
}

/**
 * Another sweep wins every claim: just before this sweep's claim reaches the ledger,
 * the same attempt is claimed under another claim id, so the ledger's compare-and-set
 * refuses this one.
 */
class ClaimedFirstElsewhereLedger extends MemoryLedger {
  refused = 0;

  override async claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
    expect(await super.claim(key, { ...request, claimId: `other-${request.claimId}` })).toBe(true);
    const mine = await super.claim(key, request);
    if (!mine) this.refused++;
    return mine;
  }
}

describe('a claim the ledger refuses ends the attempt', () => {
  it('claimed first by another sweep: claimed-elsewhere, no restart request, counted once', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    const ledger = new ClaimedFirstElsewhereLedger();
    const report = await sweeper(emulator, clock, ledger).run();

    expect(ledger.refused).toBe(1);
    expect(outcomeOf(report, 1)).toMatchObject({ outcome: 'claimed-elsewhere' });
    expect(emulator.count('restart')).toBe(0);
    expect(emulator.restarts(1)).toBe(0);
    expect(report.restarted).toEqual([]);
    expect(report.errors).toEqual([]);
    // Only the other sweep's attempt is counted, and it is still that sweep's to settle.
    expect(await entryOf(ledger, 1)).toMatchObject({ attempts: 1, lastOutcome: 'in-flight', outcomes: {} });
    expect((await entryOf(ledger, 1)).claimId).toMatch(/^other-/);
  });
});

describe('the claim names the failure it answers', () => {
  it("records the instance's startTime and endTime as failureStart and failureEnd", async () => {
    const seed = failedAgo(1, 30);
    // As the emulator seeds it: a ten-minute run that ended half an hour before T0.
    expect(seed).toMatchObject({ startTime: T0 - 40 * MIN, endTime: T0 - 30 * MIN });
    emulator.seed(PROJECT, undefined, [seed]);
    const ledger = new RecordingLedger();
    const report = await sweeper(emulator, clock, ledger).run();

    expect(report.restarted).toMatchObject([{ instanceId: '1', attempt: 1 }]);
    expect(ledger.claims).toHaveLength(1);
    expect(ledger.claims[0]).toMatchObject({ failureStart: T0 - 40 * MIN, failureEnd: T0 - 30 * MIN });
    const entry = await entryOf(ledger, 1);
    expect(entry.failureStart).toBe(T0 - 40 * MIN);
    expect(entry.failureEnd).toBe(T0 - 30 * MIN);
    expect(entry).toMatchObject({ attempts: 1, lastOutcome: 'restarted' });
  });

  it('a failure listed without startTime or endTime: the claim and the entry carry no such keys', async () => {
    // Only a plan time: no start, and the list answers leave out the end time.
    emulator.seed(PROJECT, undefined, [
      { jobName: 'job_1', instanceId: 1, status: 'fail', planTime: T0 - 40 * MIN },
    ]);
    emulator.inject({ route: 'list', kind: 'end-time-missing', times: 100 });
    const ledger = new RecordingLedger();
    const report = await sweeper(emulator, clock, ledger, { firstRetryDelay: '0s' }).run();

    expect(report.restarted).toMatchObject([{ instanceId: '1', attempt: 1 }]);
    expect(ledger.claims).toHaveLength(1);
    const [claim] = ledger.claims;
    expect(claim?.failureAt).toBe(T0 - 40 * MIN);
    expect(claim && 'failureStart' in claim).toBe(false);
    expect(claim && 'failureEnd' in claim).toBe(false);
    const entry = await entryOf(ledger, 1);
    expect('failureStart' in entry).toBe(false);
    expect('failureEnd' in entry).toBe(false);
    expect(entry.failureAt).toBe(T0 - 40 * MIN);
  });
});

describe("a failed attempt's outcome carries the error code", () => {
  it('a restart DataArts rejects with a DLF code records that code (DLF.EMU3)', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    emulator.inject({ route: 'restart', kind: 'status-changed' });
    const ledger = new MemoryLedger();
    const report = await sweeper(emulator, clock, ledger).run();

    expect(report.errors).toMatchObject([{ instanceId: '1', code: 'RESTART_REJECTED' }]);
    const entry = await entryOf(ledger, 1);
    expect(entry.lastOutcome).toBe('rejected');
    expect(entry.outcomes['1']).toEqual({ at: T0, outcome: 'rejected', code: 'DLF.EMU3' });
  });

  it("a restart whose outcome is unknown (connection reset after sending) records this tool's code", async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    emulator.inject({ route: 'restart', kind: 'reset' });
    const ledger = new MemoryLedger();
    const report = await sweeper(emulator, clock, ledger).run();

    expect(report.unconfirmed).toMatchObject([{ instanceId: '1', attempt: 1 }]);
    const code = report.unconfirmed[0]?.code;
    expect(code).toEqual(expect.any(String));
    expect(code).not.toMatch(/^(DLF|APIGW)\./);
    const entry = await entryOf(ledger, 1);
    expect(entry.lastOutcome).toBe('unconfirmed');
    expect(entry.outcomes['1']).toEqual({ at: T0, outcome: 'unconfirmed', code });
  });
});

describe('recovery tracking', () => {
  /** Instance 1 succeeded (the failure listing does not show it); its rerun, claimed at T0 - 10 min, awaits a verdict. */
  async function recoveredRerun(ledger: MemoryLedger): Promise<void> {
    emulator.seed(PROJECT, undefined, [
      {
        jobName: 'job_1',
        instanceId: 1,
        status: 'success',
        planTime: T0 - 30 * MIN,
        startTime: T0 - 20 * MIN,
        endTime: T0 - 5 * MIN,
      },
    ]);
    const at = T0 - 10 * MIN;
    expect(
      await ledger.claim(
        keyOf(1),
        claimRequest(at, { claimId: 'c1', failureAt: T0 - 45 * MIN, observedAt: at }),
      ),
    ).toBe(true);
    expect(await ledger.settle(keyOf(1), { attempt: 1, claimId: 'c1', at, outcome: 'restarted' })).toBe(true);
  }

  it('a sweep with time left judges the rerun (one show) and keeps the verdict for the retention from now', async () => {
    const ledger = new RecordingLedger();
    await recoveredRerun(ledger);
    const s = sweeper(emulator, clock, ledger, { lookback: '1h' });
    const report = await s.run({ deadline: T0 + 60 * MIN });

    expect(emulator.count('show')).toBe(1);
    expect(report.targets[0]?.recovery).toMatchObject({ recovered: 1 });
    expect((await entryOf(ledger, 1)).outcomes['1']).toMatchObject({ recovery: 'recovered', judgedAt: T0 });
    expect(s.config.ledger.retentionMs).toBeGreaterThan(0);
    expect(ledger.verdicts).toEqual([
      { attempt: 1, verdict: 'recovered', now: T0, expiresAt: T0 + s.config.ledger.retentionMs },
    ]);
  });

  it('a sweep whose deadline has passed makes no show and records no verdict', async () => {
    const ledger = new RecordingLedger();
    await recoveredRerun(ledger);
    // The clock stands at T0: the deadline is already reached when tracking runs.
    const report = await sweeper(emulator, clock, ledger, { lookback: '1h' }).run({ deadline: T0 });

    expect(emulator.count('show')).toBe(0);
    expect(ledger.verdicts).toEqual([]);
    expect(report.targets[0]?.recovery).toBeUndefined();
    expect((await entryOf(ledger, 1)).outcomes['1']?.recovery).toBeUndefined();
    expect(await ledger.awaitingVerdict('prod')).toHaveLength(1);
  });
});
