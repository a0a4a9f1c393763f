/**
 * Two sweep phases whose guards no other test pinned (Stryker found their mutants
 * surviving):
 *
 * - reconcileInterrupted (lib/sweep/reconcile.ts): an attempt claimed by a sweep that
 *   died before settling is marked interrupted, and reported, by exactly one later
 *   sweep once its lease is over (a lease ending at the sweep's start counts as over),
 *   never while the lease runs (its sweep may still be acting), and never when the
 *   entry names no claim: a `claimed` entry from the ledger of an older version has
 *   neither claimId nor lease, and the file ledger's markInterrupted, asked with no
 *   claim id, would mark it (undefined matches undefined), so only the sweep's filter
 *   keeps it out. An interrupted attempt stays counted.
 * - applyNodeRules (lib/sweep/failure-details.ts): the failed node (one show request
 *   per instance) is read only for instances going to be restarted; an instance skipped
 *   for another reason costs no request and keeps its own reason, even when its failed
 *   node is of a never-retry type.
 *
 * The dead sweep's state is built through the ledger API (claims never settled); the
 * sweeps run over the emulator on a manual clock, so nothing depends on machine speed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { FileLedger } from '../../lib/ledger/file-ledger';
import { INTERRUPTED, type InstanceKey, keyString, type LedgerEntry } from '../../lib/ledger/ledger';
import type { SweepReport } from '../../lib/sweep/report';
import { claimRequest } from '../support/ledger-entries';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, failedAgo, sweeper } from '../support/sweep-setup';
import { PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

const POLICY = { maxAttempts: 3 };
const keyOf = (id: number): InstanceKey => ({
  target: 'prod',
  workspace: 'default',
  jobName: `job_${id}`,
  instanceId: String(id),
});

/** A MemoryLedger that counts the interrupted marks it is asked to write. */
class CountingLedger extends MemoryLedger {
  marks = 0;
  override async markInterrupted(key: InstanceKey, attempt: number, claimId: string, now: number) {
    this.marks++;
    return super.markInterrupted(key, attempt, claimId, now);
  }
}

/**
 * What a sweep that died after claiming leaves: attempt 1 of `job_${id}` in flight,
 * claimed ten minutes before T0, its lease ending at `leaseUntil`. The instance is not
 * listed any more (its rerun, if the request got through, succeeded).
 */
async function deadSweepClaim(ledger: MemoryLedger, id: number, leaseUntil: number): Promise<void> {
  const claimedAt = T0 - 10 * MIN;
  const claimed = await ledger.claim(
    keyOf(id),
    claimRequest(claimedAt, { claimId: `dead-${id}`, leaseUntil, failureAt: claimedAt - 30 * MIN }),
  );
  expect(claimed).toBe(true);
}

async function entryOf(ledger: { read: MemoryLedger['read'] }, id: number): Promise<LedgerEntry | undefined> {
  return (await ledger.read([keyOf(id)])).get(keyString(keyOf(id)));
}

const interrupted = (report: SweepReport) => report.unconfirmed.filter((u) => u.code === INTERRUPTED);

describe('attempts whose sweep died', () => {
  // The workspace lists one instance of another job, which succeeded: the window is healthy.
  beforeEach(() => emulator.seed(PROJECT, undefined, [failedAgo(9, 30, { status: 'success' })]));

  it('are left alone while their lease runs, then marked and reported by exactly one sweep after it', async () => {
    const ledger = new CountingLedger();
    await deadSweepClaim(ledger, 1, T0 + 5 * MIN);
    const s = sweeper(emulator, clock, ledger, POLICY);

    // The lease runs: the sweep that claimed it may still be acting. Nothing reported,
    // nothing written (not even a mark the ledger would refuse).
    const early = await s.run();
    expect(early.errors).toEqual([]);
    expect(early.unconfirmed).toEqual([]);
    expect(ledger.marks).toBe(0);
    expect(await entryOf(ledger, 1)).toMatchObject({ attempts: 1, lastOutcome: 'in-flight', outcomes: {} });

    clock.set(T0 + 6 * MIN);
    const late = await s.run();
    expect(late.unconfirmed).toEqual([
      {
        target: 'prod',
        workspace: 'default',
        jobName: 'job_1',
        instanceId: '1',
        attempt: 1,
        maxAttempts: 3,
        code: INTERRUPTED,
      },
    ]);
    // Still counted: the request may have reached DataArts.
    expect(await entryOf(ledger, 1)).toMatchObject({
      attempts: 1,
      lastOutcome: 'unconfirmed',
      outcomes: { '1': { outcome: 'unconfirmed', code: INTERRUPTED, at: T0 + 6 * MIN } },
    });

    // Reported once: the sweeps after it find nothing in flight.
    const after = await s.run();
    expect(after.unconfirmed).toEqual([]);
    expect(await entryOf(ledger, 1)).toMatchObject({ attempts: 1, lastOutcome: 'unconfirmed' });
    // Reconciling reruns nothing: the instance is not listed.
    expect(emulator.count('restart')).toBe(0);
    expect(emulator.restarts(1)).toBe(0);
  });

  it('counts a lease that ends exactly when the sweep starts as over', async () => {
    const ledger = new MemoryLedger();
    await deadSweepClaim(ledger, 1, T0);
    // Another attempt whose lease ends a millisecond later: not over yet.
    await deadSweepClaim(ledger, 2, T0 + 1);
    const report = await sweeper(emulator, clock, ledger, POLICY).run();
    expect(report.errors).toEqual([]);
    expect(interrupted(report)).toEqual([
      expect.objectContaining({ jobName: 'job_1', instanceId: '1', attempt: 1 }),
    ]);
    expect(await entryOf(ledger, 1)).toMatchObject({
      attempts: 1,
      lastOutcome: 'unconfirmed',
      outcomes: { '1': { outcome: 'unconfirmed', code: INTERRUPTED, at: T0 } },
    });
    expect(await entryOf(ledger, 2)).toMatchObject({ attempts: 1, lastOutcome: 'in-flight', outcomes: {} });
    expect(emulator.count('restart')).toBe(0);
  });

  describe('an in-flight entry that names no claim (a `claimed` entry of an older version)', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'interrupted-'));
    });
    afterEach(async () => rm(dir, { recursive: true, force: true }));

    /** A version 1 JSON ledger file, as written before attempts had a claim id and a lease. */
    async function legacyLedger(): Promise<FileLedger> {
      const path = join(dir, 'ledger.json');
      const old = {
        ...keyOf(1),
        attempts: 1,
        lastAttemptAt: T0 - 60 * MIN,
        notBefore: T0 - 50 * MIN,
        lastOutcome: 'claimed',
        failureAt: T0 - 90 * MIN,
        outcomes: {},
        expiresAt: Math.ceil((T0 + 86_400_000) / 1000),
      };
      await writeFile(
        path,
        JSON.stringify({ version: 1, instances: { [keyString(keyOf(1))]: old }, hourly: {} }),
      );
      return new FileLedger(path);
    }

    it('is read as in flight, with neither claim id nor lease', async () => {
      const ledger = await legacyLedger();
      const [entry] = await ledger.inFlight('prod');
      expect(entry).toMatchObject({ instanceId: '1', lastOutcome: 'in-flight', attempts: 1 });
      expect(entry).not.toHaveProperty('claimId');
      expect(entry).not.toHaveProperty('leaseUntil');
      // What the sweep's filter protects it from: asked with no claim id, the file
      // ledger marks it (its condition compares undefined with undefined).
      const probe = await legacyLedger();
      expect(await probe.markInterrupted(keyOf(1), 1, undefined as unknown as string, T0)).toBe(true);
    });

    it('is neither marked nor reported by a sweep, however long after', async () => {
      const ledger = await legacyLedger();
      clock.set(T0 + 24 * 60 * MIN - MIN);
      const s = sweeper(emulator, clock, ledger, POLICY);
      const report = await s.run();
      expect(report.unconfirmed).toEqual([]);
      expect(report.errors).toEqual([]);
      const entry = await entryOf(ledger, 1);
      expect(entry).toMatchObject({ attempts: 1, lastOutcome: 'in-flight', outcomes: {} });
      expect(entry).not.toHaveProperty('claimId');
      expect(emulator.count('restart')).toBe(0);
    });
  });
});

describe('failed-node reads', () => {
  it('are made only for the instance going to be restarted; skipped ones keep their own reason', async () => {
    const shell = { nodeName: 'prepare', type: 'Shell' };
    emulator.seed(PROJECT, undefined, [
      failedAgo(1, 30, { node: { nodeName: 'load', type: 'DLISQL' } }),
      // Failed a minute ago: backing off.
      failedAgo(2, 1, { node: shell }),
      // Its one attempt was spent on an earlier failure: budget exhausted.
      failedAgo(3, 30, { node: shell }),
      // Not selected by the policy.
      failedAgo(4, 30, { node: shell }),
    ]);
    const ledger = new MemoryLedger();
    const earlier = T0 - 3 * 60 * MIN;
    expect(
      await ledger.claim(
        keyOf(3),
        claimRequest(earlier, { maxAttempts: 1, claimId: 'c3', failureAt: earlier - 30 * MIN }),
      ),
    ).toBe(true);
    expect(
      await ledger.settle(keyOf(3), { attempt: 1, claimId: 'c3', at: earlier, outcome: 'rejected' }),
    ).toBe(true);

    const report = await sweeper(emulator, clock, ledger, {
      maxAttempts: 1,
      neverRetryNodeTypes: ['shell'],
      excludeJobs: ['job_4'],
    }).run();

    const outcomeOf = (id: number) => report.decisions.find((d) => d.instanceId === String(id))?.outcome;
    expect(outcomeOf(1)).toBe('restarted');
    expect(outcomeOf(2)).toBe('backing-off');
    expect(outcomeOf(3)).toBe('budget-exhausted');
    expect(outcomeOf(4)).toBe('excluded');
    expect(emulator.count('show')).toBe(1);
    expect(report.apiCalls.show).toBe(1);
    expect(emulator.restarts(1)).toBe(1);
    expect(emulator.count('restart')).toBe(1);
  });
});
