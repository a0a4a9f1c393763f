import { randomUUID } from 'node:crypto';
import type { InstanceKey, Ledger } from '../../lib/ledger/ledger';
import { keyString } from '../../lib/ledger/ledger';
import type { LedgerHistory } from '../../lib/ledger/ledger-history';
import type { LedgerRecovery } from '../../lib/ledger/ledger-recovery';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const MIN = 60_000;
const EXPIRES = NOW + 14 * 86_400_000;

let counter = 0;
const freshKey = (target = `prod-${randomUUID().slice(0, 6)}`, jobName = `作业#${counter}`): InstanceKey => ({
  target,
  workspace: 'default',
  jobName,
  instanceId: String(9_007_199_254_740_993n + BigInt(counter++)),
});

type RecoveryLedger = Ledger & LedgerRecovery & LedgerHistory;

/** Claims the next attempt for a failure at `failureAt` and settles it with `outcome`. */
async function attempt(
  ledger: Ledger,
  key: InstanceKey,
  expected: number,
  outcome: 'restarted' | 'rejected' | 'in-flight',
  failureAt = NOW - 30 * MIN + expected,
): Promise<string> {
  const claimId = randomUUID();
  const now = NOW + expected;
  const granted = await ledger.claim(key, {
    expectedAttempts: expected,
    maxAttempts: 5,
    now,
    notBefore: now,
    expiresAt: EXPIRES,
    claimId,
    leaseUntil: now + 3 * MIN,
    failureAt,
    observedAt: now,
  });
  expect(granted).toBe(true);
  if (outcome !== 'in-flight') await ledger.settle(key, { attempt: expected + 1, claimId, at: now, outcome });
  return claimId;
}

/** Recovery records: additive, once per attempt, identical on every ledger. */
export function recoveryContract(name: string, create: () => Promise<RecoveryLedger>): void {
  describe(`${name} ledger recovery contract`, () => {
    let ledger: RecoveryLedger;
    beforeEach(async () => {
      ledger = await create();
    });
    const entryOf = async (key: InstanceKey) => (await ledger.read([key])).get(keyString(key));

    it('lists a restarted attempt as awaiting its verdict, and only that', async () => {
      const target = `prod-${randomUUID().slice(0, 6)}`;
      const restarted = freshKey(target);
      const rejected = freshKey(target);
      const inFlight = freshKey(target);
      await attempt(ledger, restarted, 0, 'restarted');
      await attempt(ledger, rejected, 0, 'rejected');
      await attempt(ledger, inFlight, 0, 'in-flight');
      await attempt(ledger, freshKey(), 0, 'restarted');
      const awaiting = await ledger.awaitingVerdict(target);
      expect(awaiting.map((e) => e.instanceId)).toEqual([restarted.instanceId]);
      // The in-flight attempt is still found by inFlight, and only it.
      expect((await ledger.inFlight(target)).map((e) => e.instanceId)).toEqual([inFlight.instanceId]);
    });

    it('records a verdict once: a second sweep cannot repeat it, and nothing else changes', async () => {
      const key = freshKey();
      await attempt(ledger, key, 0, 'restarted');
      const before = await entryOf(key);
      expect(await ledger.markRecovery(key, 1, 'recovered', NOW + 20 * MIN, EXPIRES)).toBe(true);
      expect(await ledger.markRecovery(key, 1, 'recovered', NOW + 21 * MIN, EXPIRES)).toBe(false);
      expect(await ledger.markRecovery(key, 1, 'failed-again', NOW + 22 * MIN, EXPIRES)).toBe(false);
      const after = await entryOf(key);
      expect(after?.outcomes['1']).toEqual({
        ...before?.outcomes['1'],
        recovery: 'recovered',
        judgedAt: NOW + 20 * MIN,
      });
      expect({ ...after, outcomes: undefined }).toEqual({ ...before, outcomes: undefined });
      expect(await ledger.awaitingVerdict(key.target)).toEqual([]);
    });

    it('two sweeps at once: exactly one records the verdict', async () => {
      const key = freshKey();
      await attempt(ledger, key, 0, 'restarted');
      const results = await Promise.all([
        ledger.markRecovery(key, 1, 'failed-again', NOW, EXPIRES),
        ledger.markRecovery(key, 1, 'failed-again', NOW, EXPIRES),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('refuses a verdict on an attempt that was not restarted, is not the last, or does not exist', async () => {
      const rejected = freshKey();
      await attempt(ledger, rejected, 0, 'rejected');
      expect(await ledger.markRecovery(rejected, 1, 'recovered', NOW, EXPIRES)).toBe(false);
      const moved = freshKey();
      await attempt(ledger, moved, 0, 'restarted');
      await attempt(ledger, moved, 1, 'in-flight', NOW);
      expect(await ledger.markRecovery(moved, 1, 'failed-again', NOW, EXPIRES)).toBe(false);
      expect((await entryOf(moved))?.lastOutcome).toBe('in-flight');
      expect(await ledger.markRecovery(freshKey(), 1, 'recovered', NOW, EXPIRES)).toBe(false);
    });

    it('refuses a verdict on an earlier restarted attempt once a later one restarted too', async () => {
      const key = freshKey();
      await attempt(ledger, key, 0, 'restarted');
      await attempt(ledger, key, 1, 'restarted', NOW);
      expect(await ledger.markRecovery(key, 1, 'recovered', NOW, EXPIRES)).toBe(false);
      expect((await entryOf(key))?.outcomes['1']?.recovery).toBeUndefined();
      expect(await ledger.markRecovery(key, 2, 'recovered', NOW, EXPIRES)).toBe(true);
    });

    it('a reset ends the wait: no verdict is awaited for a cleared attempt', async () => {
      const key = freshKey();
      await attempt(ledger, key, 0, 'restarted');
      expect((await ledger.awaitingVerdict(key.target)).map((e) => e.instanceId)).toEqual([key.instanceId]);
      const reset = await ledger.reset(key, { now: NOW + 10 * MIN, by: 'ops', reason: 'fixed' });
      expect(reset.status).toBe('reset');
      expect(await ledger.awaitingVerdict(key.target)).toEqual([]);
    });

    it('counts verdicts per job: of that target and those jobs only, awaited ones not counted', async () => {
      const target = `prod-${randomUUID().slice(0, 6)}`;
      for (let i = 0; i < 3; i++) {
        const key = freshKey(target, 'flaky');
        await attempt(ledger, key, 0, 'restarted');
        await ledger.markRecovery(key, 1, 'failed-again', NOW, EXPIRES);
      }
      const good = freshKey(target, 'good');
      await attempt(ledger, good, 0, 'restarted');
      await ledger.markRecovery(good, 1, 'recovered', NOW, EXPIRES);
      // Awaiting its verdict: no verdict to count.
      await attempt(ledger, freshKey(target, 'good'), 0, 'restarted');
      // The same job name in another target, and a job not asked for.
      const elsewhere = freshKey(`${target}-other`, 'good');
      await attempt(ledger, elsewhere, 0, 'restarted');
      await ledger.markRecovery(elsewhere, 1, 'failed-again', NOW, EXPIRES);
      const unasked = freshKey(target, 'unasked');
      await attempt(ledger, unasked, 0, 'restarted');
      await ledger.markRecovery(unasked, 1, 'failed-again', NOW, EXPIRES);
      const counts = await ledger.jobRecovery(target, ['flaky', 'good', 'unseen']);
      expect(counts.get('flaky')).toEqual({ recovered: 0, failedAgain: 3 });
      expect(counts.get('good')).toEqual({ recovered: 1, failedAgain: 0 });
      expect(counts.has('unseen')).toBe(false);
      expect(counts.has('unasked')).toBe(false);
    });
  });
}
