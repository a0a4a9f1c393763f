import { randomUUID } from 'node:crypto';
import type { ClaimRequest, InstanceKey, Ledger } from '../../lib/ledger/ledger';
import { keyString } from '../../lib/ledger/ledger';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const MIN = 60_000;
const LEASE = 3 * MIN;
/** DataArts' time of the failure an attempt answers (its own clock). */
const FAILED = NOW - 30 * MIN;

let counter = 0;
const freshKey = (): InstanceKey => ({
  target: `prod-${randomUUID().slice(0, 6)}`,
  workspace: 'default',
  jobName: `作业_${counter}`,
  instanceId: String(9_007_199_254_740_993n + BigInt(counter++)),
});

type ClaimOptions = Partial<ClaimRequest>;

/** Claims attempt `expectedAttempts + 1`; returns its claim id when granted. */
async function claim(
  ledger: Ledger,
  key: InstanceKey,
  expectedAttempts: number,
  options: ClaimOptions = {},
): Promise<string | undefined> {
  const now = options.now ?? NOW;
  const claimId = options.claimId ?? randomUUID();
  const granted = await ledger.claim(key, {
    expectedAttempts,
    maxAttempts: 3,
    now,
    notBefore: now + 10 * MIN,
    expiresAt: now + 14 * 86_400_000,
    claimId,
    leaseUntil: now + LEASE,
    failureAt: FAILED,
    observedAt: now,
    ...options,
  });
  return granted ? claimId : undefined;
}

/** One behaviour, every implementation: the suite each ledger must pass. */
export function ledgerContract(name: string, create: () => Promise<Ledger>): void {
  describe(`${name} ledger contract`, () => {
    let ledger: Ledger;
    const entryOf = async (key: InstanceKey) => (await ledger.read([key])).get(keyString(key));
    beforeEach(async () => {
      ledger = await create();
    });

    it('reads nothing for unknown keys', async () => {
      expect((await ledger.read([freshKey()])).size).toBe(0);
    });

    it('claims attempt 1 in flight with its lease and failure, then shows it', async () => {
      const key = freshKey();
      const id = await claim(ledger, key, 0);
      expect(id).toBeDefined();
      const entry = await entryOf(key);
      expect(entry).toMatchObject({
        ...key,
        attempts: 1,
        lastAttemptAt: NOW,
        notBefore: NOW + 10 * MIN,
        lastOutcome: 'in-flight',
        claimId: id,
        leaseUntil: NOW + LEASE,
        failureAt: FAILED,
      });
      expect(entry?.expiresAt).toBe(Math.ceil((NOW + 14 * 86_400_000) / 1000));
    });

    it('refuses a claim based on a stale attempt count (compare-and-set)', async () => {
      const key = freshKey();
      expect(await claim(ledger, key, 0)).toBeDefined();
      expect(await claim(ledger, key, 0, { failureAt: FAILED + 1 })).toBeUndefined();
      expect((await entryOf(key))?.attempts).toBe(1);
    });

    it('refuses a claim before notBefore, accepts it after (for a newer failure)', async () => {
      const key = freshKey();
      const id = (await claim(ledger, key, 0)) as string;
      await ledger.settle(key, { attempt: 1, claimId: id, at: NOW, outcome: 'restarted' });
      const later = { failureAt: FAILED + 20 * MIN };
      expect(await claim(ledger, key, 1, { ...later, now: NOW + 5 * MIN })).toBeUndefined();
      expect(await claim(ledger, key, 1, { ...later, now: NOW + 10 * MIN })).toBeDefined();
    });

    it('never answers one failure twice, however late the second claim comes', async () => {
      const key = freshKey();
      const id = (await claim(ledger, key, 0)) as string;
      await ledger.settle(key, { attempt: 1, claimId: id, at: NOW, outcome: 'restarted' });
      // A sweep that listed the instance before the rerun started still sees the old failure.
      expect(await claim(ledger, key, 1, { now: NOW + 60 * MIN })).toBeUndefined();
      expect(await claim(ledger, key, 1, { now: NOW + 60 * MIN, failureAt: FAILED - 1 })).toBeUndefined();
      expect((await entryOf(key))?.attempts).toBe(1);
    });

    it('an unknown outcome blocks the same failure until its lease is over', async () => {
      const key = freshKey();
      const id = (await claim(ledger, key, 0, { notBefore: NOW })) as string;
      await ledger.settle(key, { attempt: 1, claimId: id, at: NOW, outcome: 'unconfirmed', code: 'TIMEOUT' });
      expect(await claim(ledger, key, 1, { now: NOW + LEASE - 1 })).toBeUndefined();
      // A listing taken while the lease ran proves nothing, however late the claim comes.
      expect(
        await claim(ledger, key, 1, { now: NOW + 2 * LEASE, observedAt: NOW + LEASE - 1 }),
      ).toBeUndefined();
      // The lease was over when a listing still showed the very same failure: the rerun never started.
      expect(await claim(ledger, key, 1, { now: NOW + LEASE })).toBeDefined();
      expect((await entryOf(key))?.attempts).toBe(2);
    });

    it('a refused attempt is never repeated for the same failure', async () => {
      const key = freshKey();
      const id = (await claim(ledger, key, 0, { notBefore: NOW })) as string;
      await ledger.settle(key, { attempt: 1, claimId: id, at: NOW, outcome: 'rejected', code: 'DLF.3051' });
      expect(await claim(ledger, key, 1, { now: NOW + 2 * LEASE })).toBeUndefined();
    });

    it.each([0, -1, -FAILED])(
      'refuses every claim naming a failure at %d (no epoch-ms time: 0 is "nothing answered yet"), first or not',
      async (failureAt) => {
        const key = freshKey();
        // Sweep after sweep: never granted, never written.
        expect(await claim(ledger, key, 0, { failureAt })).toBeUndefined();
        expect(await claim(ledger, key, 0, { failureAt, now: NOW + 60 * MIN })).toBeUndefined();
        expect(await entryOf(key)).toBeUndefined();
        // An entry of a real failure refuses it as well, released or not.
        const id = (await claim(ledger, key, 0, { notBefore: NOW })) as string;
        expect(await claim(ledger, key, 1, { failureAt, now: NOW + MIN })).toBeUndefined();
        expect(await ledger.release(key, 1, id, NOW + 1)).toBe(true);
        expect(await claim(ledger, key, 0, { failureAt, now: NOW + 2 })).toBeUndefined();
        expect(await claim(ledger, key, 0, { now: NOW + 2 })).toBeDefined();
      },
    );

    it('never exceeds maxAttempts', async () => {
      const key = freshKey();
      expect(await claim(ledger, key, 0, { maxAttempts: 1 })).toBeDefined();
      expect(
        await claim(ledger, key, 1, { maxAttempts: 1, now: NOW + 60 * MIN, failureAt: NOW + 30 * MIN }),
      ).toBeUndefined();
    });

    it('of 10 concurrent claims of one attempt, exactly one wins', async () => {
      const key = freshKey();
      const results = await Promise.all(Array.from({ length: 10 }, () => claim(ledger, key, 0)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await entryOf(key))?.attempts).toBe(1);
    });

    it('only the owner settles, and a late settle never overwrites a newer claim', async () => {
      const key = freshKey();
      const first = (await claim(ledger, key, 0, { notBefore: NOW })) as string;
      expect(
        await ledger.settle(key, { attempt: 1, claimId: 'not-the-owner', at: NOW, outcome: 'rejected' }),
      ).toBe(false);
      expect(
        await ledger.settle(key, { attempt: 1, claimId: first, at: NOW + 1, outcome: 'restarted' }),
      ).toBe(true);
      const second = (await claim(ledger, key, 1, { now: NOW + MIN, failureAt: NOW })) as string;
      expect(second).toBeDefined();
      // Attempt 1's owner writes again, late: attempt 2 stays in flight.
      expect(
        await ledger.settle(key, { attempt: 1, claimId: first, at: NOW + 2, outcome: 'unconfirmed' }),
      ).toBe(false);
      const entry = await entryOf(key);
      expect(entry).toMatchObject({ attempts: 2, lastOutcome: 'in-flight', claimId: second });
      expect(entry?.outcomes['1']).toEqual({ at: NOW + 1, outcome: 'restarted' });
    });

    it('release uncounts only the owner’s in-flight attempt, and the same failure may be claimed again', async () => {
      const key = freshKey();
      const id = (await claim(ledger, key, 0)) as string;
      expect(await ledger.release(key, 1, 'someone-else', NOW)).toBe(false);
      expect(await ledger.release(key, 2, id, NOW)).toBe(false);
      expect((await entryOf(key))?.attempts).toBe(1);
      expect(await ledger.release(key, 1, id, NOW + 1)).toBe(true);
      expect(await entryOf(key)).toMatchObject({ attempts: 0, lastOutcome: 'released' });
      expect(await claim(ledger, key, 0, { now: NOW + 2 })).toBeDefined();
    });

    it('never releases an attempt whose outcome was recorded', async () => {
      const key = freshKey();
      const id = (await claim(ledger, key, 0)) as string;
      await ledger.settle(key, { attempt: 1, claimId: id, at: NOW, outcome: 'unconfirmed', code: 'TIMEOUT' });
      expect(await ledger.release(key, 1, id, NOW + 1)).toBe(false);
      expect((await entryOf(key))?.attempts).toBe(1);
    });

    it('lists in-flight attempts of a target, and marks an expired one interrupted once', async () => {
      const key = freshKey();
      const id = (await claim(ledger, key, 0)) as string;
      const other = { ...freshKey(), target: key.target };
      const settledId = (await claim(ledger, other, 0)) as string;
      await ledger.settle(other, { attempt: 1, claimId: settledId, at: NOW, outcome: 'restarted' });
      const open = await ledger.inFlight(key.target);
      expect(open.map((e) => e.instanceId)).toEqual([key.instanceId]);
      expect(await ledger.markInterrupted(key, 1, id, NOW + LEASE - 1)).toBe(false);
      const marks = await Promise.all([
        ledger.markInterrupted(key, 1, id, NOW + LEASE),
        ledger.markInterrupted(key, 1, id, NOW + LEASE),
      ]);
      expect(marks.filter(Boolean)).toHaveLength(1);
      expect(await entryOf(key)).toMatchObject({ attempts: 1, lastOutcome: 'unconfirmed' });
      expect((await entryOf(key))?.outcomes['1']).toMatchObject({
        outcome: 'unconfirmed',
        code: 'INTERRUPTED',
      });
      expect(await ledger.inFlight(key.target)).toEqual([]);
      // The slow owner's own outcome still wins over the interruption mark.
      expect(
        await ledger.settle(key, { attempt: 1, claimId: id, at: NOW + LEASE + 1, outcome: 'restarted' }),
      ).toBe(true);
    });

    it('reports an exhausted budget once', async () => {
      const key = freshKey();
      await claim(ledger, key, 0);
      const marks = await Promise.all([ledger.markExhausted(key, NOW), ledger.markExhausted(key, NOW)]);
      expect(marks.filter(Boolean)).toHaveLength(1);
      expect(await ledger.markExhausted(key, NOW + 1)).toBe(false);
    });

    it('names by attemptedKeys every entry of the target with an attempt claimed since `since`', async () => {
      const key = freshKey();
      const later = { ...freshKey(), target: key.target };
      const ids = async (since: number) =>
        (await ledger.attemptedKeys(key.target, since))?.map((k) => k.instanceId).sort();
      const first = (await claim(ledger, key, 0, { maxAttempts: 1 })) as string;
      await claim(ledger, later, 0, { now: NOW + MIN });
      expect(await ids(NOW)).toEqual([key.instanceId, later.instanceId].sort());
      expect(await ids(NOW + 1)).toEqual([later.instanceId]);
      expect(await ledger.attemptedKeys(`${key.target}-other`, 0)).toEqual([]);
      // Whatever became of the attempt, and once its budget is reported exhausted.
      await ledger.settle(key, { attempt: 1, claimId: first, at: NOW, outcome: 'rejected' });
      expect(await ledger.markExhausted(key, NOW + 2 * MIN)).toBe(true);
      expect(await ids(NOW)).toEqual([key.instanceId, later.instanceId].sort());
      const [named] = (await ledger.attemptedKeys(key.target, NOW + MIN)) ?? [];
      expect(named).toEqual(later);
    });

    it('a claim after an exhausted report (maxAttempts raised) clears it: the new budget is reported in turn', async () => {
      const key = freshKey();
      const id = (await claim(ledger, key, 0, { maxAttempts: 1, notBefore: NOW })) as string;
      await ledger.settle(key, { attempt: 1, claimId: id, at: NOW, outcome: 'restarted' });
      expect(await ledger.markExhausted(key, NOW + 1)).toBe(true);
      const raised = { maxAttempts: 2, now: NOW + MIN, failureAt: FAILED + 1 };
      expect(await claim(ledger, key, 1, raised)).toBeDefined();
      expect((await entryOf(key))?.exhaustedReportedAt).toBeUndefined();
      expect(await ledger.markExhausted(key, NOW + 2 * MIN)).toBe(true);
    });

    it('every claim refreshes the entry’s expiry (retention counts from the last attempt)', async () => {
      const key = freshKey();
      const id = (await claim(ledger, key, 0, { notBefore: NOW })) as string;
      await ledger.settle(key, { attempt: 1, claimId: id, at: NOW, outcome: 'restarted' });
      const later = NOW + 3 * 86_400_000;
      await claim(ledger, key, 1, { now: later, failureAt: later - MIN, expiresAt: later + 86_400_000 });
      expect((await entryOf(key))?.expiresAt).toBe(Math.ceil((later + 86_400_000) / 1000));
    });

    it('reserves restarts per target and clock hour in bulk, never past the cap', async () => {
      const target = `t${counter++}`;
      expect(await ledger.reserveHourly(target, NOW, 10, 4)).toBe(4);
      expect(await ledger.reserveHourly(target, NOW + MIN, 10, 4)).toBe(4);
      expect(await ledger.reserveHourly(target, NOW, 10, 4)).toBe(2);
      expect(await ledger.reserveHourly(target, NOW, 10, 4)).toBe(0);
      expect(await ledger.hourlyCount(target, NOW + 30 * MIN)).toBe(10);
      expect(await ledger.hourlyCount(target, NOW + 60 * MIN)).toBe(0);
      await ledger.releaseHourly(target, NOW, 3);
      expect(await ledger.hourlyCount(target, NOW)).toBe(7);
      expect(await ledger.reserveHourly(`${target}-other`, NOW, 0, 5)).toBe(0);
    });

    it('concurrent reservations never exceed the cap together', async () => {
      const target = `t${counter++}`;
      const granted = await Promise.all(
        Array.from({ length: 6 }, () => ledger.reserveHourly(target, NOW, 10, 3)),
      );
      expect(granted.reduce((a, b) => a + b, 0)).toBe(10);
      expect(await ledger.hourlyCount(target, NOW)).toBe(10);
    });

    it('reads many keys at once', async () => {
      const keys = Array.from({ length: 150 }, freshKey);
      await Promise.all(keys.filter((_, i) => i % 3 === 0).map((k) => claim(ledger, k, 0)));
      const entries = await ledger.read(keys);
      expect(entries.size).toBe(50);
    });

    it('takes any string as a key part, lone surrogates included', async () => {
      const key = { ...freshKey(), jobName: 'bad\ud800name#1' };
      expect(await claim(ledger, key, 0)).toBeDefined();
      expect((await entryOf(key))?.jobName).toBe('bad\ud800name#1');
    });
  });
}

/** For ledgers that delete expired entries themselves (file, memory): DynamoDB's TTL does it in AWS. */
export function pruningContract(name: string, create: () => Promise<Ledger>): void {
  it(`${name}: entries past their retention are dropped by a later write`, async () => {
    const ledger = await create();
    const old = freshKey();
    await claim(ledger, old, 0, { expiresAt: NOW + MIN });
    const fresh = freshKey();
    await claim(ledger, fresh, 0, { now: NOW + 2 * MIN, failureAt: NOW });
    const entries = await ledger.read([old, fresh]);
    expect(entries.has(keyString(old))).toBe(false);
    expect(entries.has(keyString(fresh))).toBe(true);
  });
}
