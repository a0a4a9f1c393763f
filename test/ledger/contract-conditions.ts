import { randomUUID } from 'node:crypto';
import type { ClaimRequest, InstanceKey, Ledger } from '../../lib/ledger/ledger';
import { keyString } from '../../lib/ledger/ledger';
import { claimRequest } from '../support/ledger-entries';

/**
 * The second contract suite: each condition of claim, settle, release, the interrupted
 * mark, the exhausted mark and the hourly reservations, pinned at its boundary (equal,
 * one less, one more), on every ledger. Mutation testing (`npm run mutate`) showed
 * which of them the behavioural suite in contract.ts left loose.
 */

const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const MIN = 60_000;
const LEASE = 3 * MIN;
const FAILED = NOW - 30 * MIN;

let counter = 0;
const freshKey = (): InstanceKey => ({
  target: `cond-${randomUUID().slice(0, 8)}`,
  workspace: 'ws',
  jobName: `job_${counter}`,
  instanceId: String(1000 + counter++),
});

const request = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => {
  const now = overrides.now ?? NOW;
  return claimRequest(now, {
    claimId: randomUUID(),
    leaseUntil: now + LEASE,
    failureAt: FAILED,
    ...overrides,
  });
};

export function conditionsContract(name: string, create: () => Promise<Ledger>): void {
  describe(`${name} ledger: every condition at its boundary`, () => {
    let ledger: Ledger;
    const entryOf = async (key: InstanceKey) => (await ledger.read([key])).get(keyString(key));
    /** Claims and returns the claim id, failing the test if refused. */
    const claimed = async (key: InstanceKey, overrides: Partial<ClaimRequest> = {}) => {
      const claim = request(overrides);
      expect(await ledger.claim(key, claim)).toBe(true);
      return claim.claimId;
    };
    /** Attempt 1 settled with `outcome` at NOW, for failure FAILED. */
    const settledOnce = async (key: InstanceKey, outcome: 'restarted' | 'unconfirmed' | 'rejected') => {
      const claimId = await claimed(key);
      expect(await ledger.settle(key, { attempt: 1, claimId, at: NOW, outcome })).toBe(true);
      return claimId;
    };

    beforeEach(async () => {
      ledger = await create();
    });

    describe('claim', () => {
      it('needs the attempt count the decision saw: not one more, not one less', async () => {
        const key = freshKey();
        expect(await ledger.claim(key, request({ expectedAttempts: 1 }))).toBe(false);
        expect(await entryOf(key)).toBeUndefined();
        await settledOnce(key, 'restarted');
        const newer = { failureAt: FAILED + MIN, now: NOW + MIN };
        expect(await ledger.claim(key, request({ ...newer, expectedAttempts: 0 }))).toBe(false);
        expect(await ledger.claim(key, request({ ...newer, expectedAttempts: 2 }))).toBe(false);
        expect(await ledger.claim(key, request({ ...newer, expectedAttempts: 1 }))).toBe(true);
        expect((await entryOf(key))?.attempts).toBe(2);
      });

      it('stops at maxAttempts exactly', async () => {
        const key = freshKey();
        expect(await ledger.claim(key, request({ maxAttempts: 0 }))).toBe(false);
        await settledOnce(key, 'restarted');
        const next = { expectedAttempts: 1, failureAt: FAILED + MIN };
        expect(await ledger.claim(key, request({ ...next, maxAttempts: 1 }))).toBe(false);
        expect(await ledger.claim(key, request({ ...next, maxAttempts: 2 }))).toBe(true);
      });

      it('waits for notBefore: refused one ms before, granted at it', async () => {
        const key = freshKey();
        const claimId = await claimed(key, { notBefore: NOW + 10 * MIN });
        await ledger.settle(key, { attempt: 1, claimId, at: NOW, outcome: 'restarted' });
        const next = { expectedAttempts: 1, failureAt: FAILED + MIN };
        expect(await ledger.claim(key, request({ ...next, now: NOW + 10 * MIN - 1 }))).toBe(false);
        expect(await ledger.claim(key, request({ ...next, now: NOW + 10 * MIN }))).toBe(true);
      });

      it('after a known outcome, needs a failure newer by at least 1 ms', async () => {
        const key = freshKey();
        await settledOnce(key, 'restarted');
        const next = { expectedAttempts: 1, now: NOW + MIN };
        expect(await ledger.claim(key, request({ ...next, failureAt: FAILED }))).toBe(false);
        expect(await ledger.claim(key, request({ ...next, failureAt: FAILED - 1 }))).toBe(false);
        expect(await ledger.claim(key, request({ ...next, failureAt: FAILED + 1 }))).toBe(true);
      });

      it('after an unknown outcome, the same failure only when the lease had ended by the listing', async () => {
        const key = freshKey();
        await settledOnce(key, 'unconfirmed');
        const same = { expectedAttempts: 1, now: NOW + 2 * LEASE };
        expect(await ledger.claim(key, request({ ...same, observedAt: NOW + LEASE - 1 }))).toBe(false);
        // An older failure is never answered, lease or not.
        expect(await ledger.claim(key, request({ ...same, failureAt: FAILED - 1 }))).toBe(false);
        expect(await ledger.claim(key, request({ ...same, observedAt: NOW + LEASE }))).toBe(true);
      });

      it('an attempt left in flight frees the same failure once its lease is over (no mark needed)', async () => {
        const key = freshKey();
        await claimed(key);
        const same = { expectedAttempts: 1, now: NOW + 2 * LEASE };
        expect(await ledger.claim(key, request({ ...same, observedAt: NOW + LEASE - 1 }))).toBe(false);
        expect(await ledger.claim(key, request({ ...same, observedAt: NOW + LEASE }))).toBe(true);
      });

      it('a refused attempt never frees the same failure, however late', async () => {
        const key = freshKey();
        await settledOnce(key, 'rejected');
        const late = NOW + 10 * LEASE;
        expect(await ledger.claim(key, request({ expectedAttempts: 1, now: late, observedAt: late }))).toBe(
          false,
        );
      });

      it('writes the whole attempt and keeps the earlier outcomes', async () => {
        const key = freshKey();
        await settledOnce(key, 'restarted');
        const second = request({
          expectedAttempts: 1,
          now: NOW + 20 * MIN,
          notBefore: NOW + 40 * MIN,
          leaseUntil: NOW + 23 * MIN,
          failureAt: FAILED + 15 * MIN,
          expiresAt: NOW + 86_400_000 + 1,
        });
        expect(await ledger.claim(key, second)).toBe(true);
        expect(await entryOf(key)).toEqual({
          ...key,
          attempts: 2,
          lastAttemptAt: NOW + 20 * MIN,
          notBefore: NOW + 40 * MIN,
          lastOutcome: 'in-flight',
          claimId: second.claimId,
          leaseUntil: NOW + 23 * MIN,
          failureAt: FAILED + 15 * MIN,
          previousFailureAt: FAILED,
          outcomes: { '1': { at: NOW, outcome: 'restarted' } },
          expiresAt: Math.ceil((NOW + 86_400_000 + 1) / 1000),
        });
      });
    });

    describe('settle', () => {
      it('only attempt n of claim c, while its outcome is unknown', async () => {
        const key = freshKey();
        const claimId = await claimed(key);
        const record = { at: NOW + 1, outcome: 'unconfirmed' as const, code: 'TIMEOUT' };
        expect(await ledger.settle(key, { ...record, attempt: 2, claimId })).toBe(false);
        expect(await ledger.settle(key, { ...record, attempt: 0, claimId })).toBe(false);
        expect(await ledger.settle(key, { ...record, attempt: 1, claimId: `${claimId}x` })).toBe(false);
        expect(await ledger.settle(freshKey(), { ...record, attempt: 1, claimId })).toBe(false);
        expect((await entryOf(key))?.lastOutcome).toBe('in-flight');
        expect(await ledger.settle(key, { ...record, attempt: 1, claimId })).toBe(true);
        // unconfirmed is still unknown: the owner may settle it once it knows.
        expect(await ledger.settle(key, { attempt: 1, claimId, at: NOW + 2, outcome: 'restarted' })).toBe(
          true,
        );
        expect(await ledger.settle(key, { attempt: 1, claimId, at: NOW + 3, outcome: 'rejected' })).toBe(
          false,
        );
        expect(await entryOf(key)).toMatchObject({
          attempts: 1,
          claimId,
          lastOutcome: 'restarted',
          outcomes: { '1': { at: NOW + 2, outcome: 'restarted' } },
        });
      });

      it('records the code and leaves the in-flight list', async () => {
        const key = freshKey();
        const claimId = await claimed(key);
        expect((await ledger.inFlight(key.target)).map((e) => e.instanceId)).toEqual([key.instanceId]);
        await ledger.settle(key, { attempt: 1, claimId, at: NOW + 5, outcome: 'rejected', code: 'DLF.1' });
        expect((await entryOf(key))?.outcomes).toEqual({
          '1': { at: NOW + 5, outcome: 'rejected', code: 'DLF.1' },
        });
        expect(await ledger.inFlight(key.target)).toEqual([]);
      });

      it('never settles a released attempt', async () => {
        const key = freshKey();
        const claimId = await claimed(key);
        expect(await ledger.release(key, 1, claimId, NOW + 1)).toBe(true);
        expect(await ledger.settle(key, { attempt: 1, claimId, at: NOW + 2, outcome: 'restarted' })).toBe(
          false,
        );
        expect(await ledger.settle(key, { attempt: 0, claimId, at: NOW + 2, outcome: 'restarted' })).toBe(
          false,
        );
      });
    });

    describe('release', () => {
      it('only the owner’s attempt while in flight; writes released, notBefore now, the earlier failure', async () => {
        const key = freshKey();
        await settledOnce(key, 'restarted');
        const claimId = await claimed(key, { expectedAttempts: 1, failureAt: FAILED + MIN, now: NOW + MIN });
        expect(await ledger.release(key, 1, claimId, NOW + 2 * MIN)).toBe(false);
        expect(await ledger.release(key, 2, 'other', NOW + 2 * MIN)).toBe(false);
        expect(await ledger.release(freshKey(), 2, claimId, NOW + 2 * MIN)).toBe(false);
        expect(await ledger.release(key, 2, claimId, NOW + 2 * MIN)).toBe(true);
        expect(await entryOf(key)).toMatchObject({
          attempts: 1,
          lastOutcome: 'released',
          notBefore: NOW + 2 * MIN,
          failureAt: FAILED,
          outcomes: {
            '1': { at: NOW, outcome: 'restarted' },
            '2': { at: NOW + 2 * MIN, outcome: 'released' },
          },
        });
        expect(await ledger.inFlight(key.target)).toEqual([]);
        expect(await ledger.release(key, 2, claimId, NOW + 3 * MIN)).toBe(false);
        // The first failure stays answered; the released one may be claimed again at once.
        const again = { expectedAttempts: 1, now: NOW + 2 * MIN };
        expect(await ledger.claim(key, request({ ...again, failureAt: FAILED }))).toBe(false);
        expect(await ledger.claim(key, request({ ...again, failureAt: FAILED + MIN }))).toBe(true);
      });

      it('a first attempt released leaves no failure answered', async () => {
        const key = freshKey();
        const claimId = await claimed(key);
        expect(await ledger.release(key, 1, claimId, NOW)).toBe(true);
        expect(await entryOf(key)).toMatchObject({ attempts: 0, failureAt: 0, lastOutcome: 'released' });
      });

      it('never releases an attempt marked interrupted', async () => {
        const key = freshKey();
        const claimId = await claimed(key);
        expect(await ledger.markInterrupted(key, 1, claimId, NOW + LEASE)).toBe(true);
        expect(await ledger.release(key, 1, claimId, NOW + LEASE)).toBe(false);
        expect((await entryOf(key))?.attempts).toBe(1);
      });
    });

    describe('interrupted and exhausted marks', () => {
      it('marks only attempt n of claim c, in flight, at or after the end of its lease', async () => {
        const key = freshKey();
        const claimId = await claimed(key);
        const end = NOW + LEASE;
        expect(await ledger.markInterrupted(key, 2, claimId, end)).toBe(false);
        expect(await ledger.markInterrupted(key, 1, 'other', end)).toBe(false);
        expect(await ledger.markInterrupted(freshKey(), 1, claimId, end)).toBe(false);
        expect(await ledger.markInterrupted(key, 1, claimId, end - 1)).toBe(false);
        expect(await ledger.markInterrupted(key, 1, claimId, end)).toBe(true);
        expect(await entryOf(key)).toMatchObject({
          attempts: 1,
          lastOutcome: 'unconfirmed',
          outcomes: { '1': { at: end, outcome: 'unconfirmed', code: 'INTERRUPTED' } },
        });
      });

      it('never marks a settled attempt', async () => {
        const key = freshKey();
        const claimId = await settledOnce(key, 'unconfirmed');
        expect(await ledger.markInterrupted(key, 1, claimId, NOW + 2 * LEASE)).toBe(false);
        expect((await entryOf(key))?.outcomes['1']?.code).toBeUndefined();
      });

      it('marks exhaustion only on an existing entry, once, with its time', async () => {
        const key = freshKey();
        expect(await ledger.markExhausted(key, NOW)).toBe(false);
        expect(await entryOf(key)).toBeUndefined();
        await claimed(key);
        expect(await ledger.markExhausted(key, NOW + 7)).toBe(true);
        expect(await ledger.markExhausted(key, NOW + 8)).toBe(false);
        expect((await entryOf(key))?.exhaustedReportedAt).toBe(NOW + 7);
      });
    });

    describe('in-flight list', () => {
      it('lists this target’s attempts in flight, live or expired, and no other target’s', async () => {
        const key = freshKey();
        const claimId = await claimed(key);
        await claimed({ ...freshKey(), target: `${key.target}-other` });
        const [open] = await ledger.inFlight(key.target);
        expect(open).toMatchObject({ ...key, attempts: 1, claimId, lastOutcome: 'in-flight' });
        expect(await ledger.inFlight(`${key.target}-none`)).toEqual([]);
      });

      it('returns copies: changing what was read changes nothing stored', async () => {
        const key = freshKey();
        await claimed(key);
        const read = await entryOf(key);
        if (read) read.attempts = 99;
        const [listed] = await ledger.inFlight(key.target);
        if (listed) listed.lastOutcome = 'restarted';
        expect(await entryOf(key)).toMatchObject({ attempts: 1, lastOutcome: 'in-flight' });
        expect(await ledger.inFlight(key.target)).toHaveLength(1);
      });
    });

    describe('hourly reservations', () => {
      it('grants what is left under the cap, nothing once it is reached or lowered', async () => {
        const target = `h-${randomUUID().slice(0, 8)}`;
        expect(await ledger.reserveHourly(target, NOW, 5, 0)).toBe(0);
        expect(await ledger.hourlyCount(target, NOW)).toBe(0);
        expect(await ledger.reserveHourly(target, NOW, 5, 5)).toBe(5);
        expect(await ledger.reserveHourly(target, NOW, 5, 1)).toBe(0);
        expect(await ledger.reserveHourly(target, NOW, 3, 1)).toBe(0);
        expect(await ledger.hourlyCount(target, NOW)).toBe(5);
        expect(await ledger.reserveHourly(target, NOW, 7, 9)).toBe(2);
        expect(await ledger.hourlyCount(target, NOW)).toBe(7);
      });

      it('counts per target and per clock hour', async () => {
        const target = `h-${randomUUID().slice(0, 8)}`;
        const hour = Date.UTC(2026, 10, 24, 8);
        expect(await ledger.reserveHourly(target, hour + 59 * MIN, 10, 3)).toBe(3);
        expect(await ledger.hourlyCount(target, hour)).toBe(3);
        expect(await ledger.hourlyCount(target, hour - 1)).toBe(0);
        expect(await ledger.hourlyCount(target, hour + 60 * MIN)).toBe(0);
        expect(await ledger.hourlyCount(`${target}x`, hour)).toBe(0);
      });

      it('gives back what was not used; giving back nothing changes nothing', async () => {
        const target = `h-${randomUUID().slice(0, 8)}`;
        expect(await ledger.reserveHourly(target, NOW, 10, 6)).toBe(6);
        await ledger.releaseHourly(target, NOW, 0);
        expect(await ledger.hourlyCount(target, NOW)).toBe(6);
        await ledger.releaseHourly(target, NOW, -2);
        expect(await ledger.hourlyCount(target, NOW)).toBe(6);
        await ledger.releaseHourly(target, NOW, 6);
        expect(await ledger.hourlyCount(target, NOW)).toBe(0);
        expect(await ledger.reserveHourly(target, NOW, 10, 10)).toBe(10);
      });
    });
  });
}

/** Expiry boundaries, for the ledgers that delete expired data themselves (file, memory). */
export function expiryConditions(name: string, create: () => Promise<Ledger>): void {
  describe(`${name} ledger: expiry at its boundary`, () => {
    it('drops an entry on the first write at or after its expiry, not one ms before', async () => {
      const ledger = await create();
      const old = freshKey();
      // Stored in whole seconds, rounded up: NOW + 1 ms expires at NOW + 1 s.
      expect(await ledger.claim(old, request({ expiresAt: NOW + 1 }))).toBe(true);
      const write = (now: number) => ledger.claim(freshKey(), request({ now, failureAt: now }));
      await write(NOW + 999);
      expect((await ledger.read([old])).size).toBe(1);
      await write(NOW + 1000);
      expect((await ledger.read([old])).size).toBe(0);
    });

    it('drops hourly counters two days after their hour, on the next claim', async () => {
      const ledger = await create();
      const target = `e-${randomUUID().slice(0, 8)}`;
      const hour = Date.UTC(2026, 10, 24, 8);
      await ledger.reserveHourly(target, hour + 30 * MIN, 10, 4);
      const claimAt = (now: number) => ledger.claim(freshKey(), request({ now, failureAt: now }));
      await claimAt(hour + 2 * 86_400_000 - 1);
      expect(await ledger.hourlyCount(target, hour)).toBe(4);
      await claimAt(hour + 2 * 86_400_000);
      expect(await ledger.hourlyCount(target, hour)).toBe(0);
    });
  });
}
