import { randomUUID } from 'node:crypto';
import type { ClaimRequest, InstanceKey, Ledger } from '../../lib/ledger/ledger';
import type { LedgerHistory } from '../../lib/ledger/ledger-history';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const MIN = 60_000;
const LEASE = 3 * MIN;
const FAILED = NOW - 30 * MIN;
const WHO = { by: 'alice@ops', reason: 'fixed the source table' };

const keyIn = (target: string, jobName: string, instanceId: string): InstanceKey => ({
  target,
  workspace: 'default',
  jobName,
  instanceId,
});

function request(expectedAttempts: number, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  const now = overrides.now ?? NOW;
  return {
    expectedAttempts,
    maxAttempts: 3,
    now,
    notBefore: now + 10 * MIN,
    expiresAt: now + 14 * 86_400_000,
    claimId: randomUUID(),
    leaseUntil: now + LEASE,
    failureAt: FAILED,
    observedAt: now,
    ...overrides,
  };
}

/** Claims and settles one attempt; returns its claim request. */
async function attempt(
  ledger: Ledger,
  key: InstanceKey,
  expected: number,
  outcome: 'restarted' | 'rejected' | 'not-found',
  overrides: Partial<ClaimRequest> = {},
): Promise<ClaimRequest> {
  const claim = request(expected, overrides);
  expect(await ledger.claim(key, claim)).toBe(true);
  const settled = await ledger.settle(key, {
    attempt: expected + 1,
    claimId: claim.claimId,
    at: claim.now + 1,
    outcome,
    ...(outcome === 'restarted' ? {} : { code: 'DLF.3051' }),
  });
  expect(settled).toBe(true);
  return claim;
}

/** history and reset, every implementation: the operator's side of the ledger. */
export function historyContract(name: string, create: () => Promise<Ledger & LedgerHistory>): void {
  describe(`${name} ledger: history and reset`, () => {
    let ledger: Ledger & LedgerHistory;
    let target: string;
    beforeEach(async () => {
      ledger = await create();
      target = `t-${randomUUID().slice(0, 8)}`;
    });

    it('selects entries by target, job and instance', async () => {
      const a = keyIn(target, '作业_a', '9007199254740993');
      const b = keyIn(target, 'job_b', '2');
      const other = keyIn(`${target}-other`, '作业_a', '3');
      for (const key of [a, b, other]) await attempt(ledger, key, 0, 'restarted');
      const ids = async (selector: Parameters<LedgerHistory['history']>[0]) =>
        (await ledger.history(selector)).map((e) => e.instanceId).sort();
      expect(await ids({ target })).toEqual(['2', '9007199254740993']);
      expect(await ids({ target, jobName: '作业_a' })).toEqual(['9007199254740993']);
      expect(await ids({ instanceId: '3' })).toEqual(['3']);
      expect(await ids({ target, instanceId: '3' })).toEqual([]);
      const [entry] = await ledger.history({ target, instanceId: '2' });
      expect(entry?.outcomes['1']).toMatchObject({ outcome: 'restarted', at: NOW + 1 });
    });

    it('resets a used budget, keeps the cleared attempts and who/why in the entry', async () => {
      const key = keyIn(target, 'ods_orders', '11');
      await attempt(ledger, key, 0, 'restarted');
      await attempt(ledger, key, 1, 'restarted', { now: NOW + 20 * MIN, failureAt: FAILED + 10 * MIN });
      expect(await ledger.markExhausted(key, NOW + 21 * MIN)).toBe(true);
      const at = NOW + 30 * MIN;
      const result = await ledger.reset(key, { now: at, ...WHO });
      expect(result.status).toBe('reset');
      const [entry] = await ledger.history({ target, instanceId: '11' });
      expect(entry).toMatchObject({ attempts: 0, outcomes: {}, notBefore: at });
      expect(entry?.exhaustedReportedAt).toBeUndefined();
      expect(entry?.resets).toEqual([
        {
          at,
          ...WHO,
          attempts: 2,
          outcomes: {
            '1': { at: NOW + 1, outcome: 'restarted' },
            '2': { at: NOW + 20 * MIN + 1, outcome: 'restarted' },
          },
        },
      ]);
      // The budget is back for a new failure; the one already rerun is never rerun again.
      expect(await ledger.claim(key, request(0, { now: at, failureAt: FAILED + 10 * MIN }))).toBe(false);
      expect(await ledger.claim(key, request(0, { now: at, failureAt: FAILED + 25 * MIN }))).toBe(true);
      expect(await ledger.markExhausted(key, at)).toBe(true);
    });

    it('a reset takes the entry out of attemptedKeys (no attempt counted any more)', async () => {
      const key = keyIn(target, 'ods_spent', '12');
      await attempt(ledger, key, 0, 'rejected', { maxAttempts: 1 });
      const named = async () => (await ledger.attemptedKeys(target, 0))?.map((k) => k.instanceId);
      expect(await named()).toContain('12');
      expect((await ledger.reset(key, { now: NOW + MIN, ...WHO })).status).toBe('reset');
      expect(await named()).not.toContain('12');
    });

    it('after a refused last attempt, the reset frees that very failure (it never reran)', async () => {
      const key = keyIn(target, 'ods_orders', '12');
      await attempt(ledger, key, 0, 'rejected');
      expect((await ledger.reset(key, { now: NOW + MIN, ...WHO })).status).toBe('reset');
      expect(await ledger.claim(key, request(0, { now: NOW + MIN }))).toBe(true);
    });

    it('after a last attempt whose instance was not found, the reset frees that very failure', async () => {
      const key = keyIn(target, 'ods_orders', '15');
      await attempt(ledger, key, 0, 'not-found');
      expect(await ledger.claim(key, request(0, { now: NOW + MIN }))).toBe(false);
      expect((await ledger.reset(key, { now: NOW + MIN, ...WHO })).status).toBe('reset');
      expect(await ledger.claim(key, request(0, { now: NOW + MIN }))).toBe(true);
    });

    it('stores no field without a value, after a claim or a reset (as DynamoDB stores an item)', async () => {
      const key = keyIn(target, 'ods_orders', '16');
      const noUndefined = async () => {
        const [entry] = await ledger.history({ target, instanceId: '16' });
        expect(Object.entries(entry ?? {}).filter(([, value]) => value === undefined)).toEqual([]);
      };
      await attempt(ledger, key, 0, 'restarted');
      await noUndefined();
      expect((await ledger.reset(key, { now: NOW + MIN, ...WHO })).status).toBe('reset');
      await noUndefined();
    });

    it('a lease ending exactly now is over: the attempt is reported interrupted, not in flight', async () => {
      const key = keyIn(target, 'ods_orders', '17');
      expect(await ledger.claim(key, request(0))).toBe(true);
      const atEnd = await ledger.reset(key, { now: NOW + LEASE, ...WHO });
      expect(atEnd).toMatchObject({ status: 'refused', reason: expect.stringContaining('interrupted') });
    });

    it('never resets an attempt in flight, nor one whose lease runs, nor one whose sweep died', async () => {
      const key = keyIn(target, 'ods_orders', '13');
      const claim = request(0);
      expect(await ledger.claim(key, claim)).toBe(true);
      const live = await ledger.reset(key, { now: NOW + MIN, ...WHO });
      expect(live).toMatchObject({ status: 'refused', reason: expect.stringContaining('in flight until') });
      const dead = await ledger.reset(key, { now: NOW + LEASE + 1, ...WHO });
      expect(dead).toMatchObject({ status: 'refused', reason: expect.stringContaining('interrupted') });
      expect(
        await ledger.settle(key, { attempt: 1, claimId: claim.claimId, at: NOW, outcome: 'unconfirmed' }),
      ).toBe(true);
      const unknown = await ledger.reset(key, { now: NOW + MIN, ...WHO });
      expect(unknown).toMatchObject({ status: 'refused', reason: expect.stringContaining('unknown until') });
      expect((await ledger.history({ target }))[0]?.attempts).toBe(1);
      expect((await ledger.reset(key, { now: NOW + LEASE, ...WHO })).status).toBe('reset');
    });

    it('refuses a key it has no entry for', async () => {
      const result = await ledger.reset(keyIn(target, 'nope', '1'), { now: NOW, ...WHO });
      expect(result).toEqual({ status: 'refused', reason: 'no ledger entry' });
    });

    it('keeps every reset, in order', async () => {
      const key = keyIn(target, 'ods_orders', '14');
      await attempt(ledger, key, 0, 'restarted');
      await ledger.reset(key, { now: NOW + MIN, by: 'a', reason: 'one' });
      await attempt(ledger, key, 0, 'restarted', { now: NOW + 20 * MIN, failureAt: FAILED + 15 * MIN });
      await ledger.reset(key, { now: NOW + 30 * MIN, by: 'b', reason: 'two' });
      const [entry] = await ledger.history({ target });
      expect(entry?.resets?.map((r) => [r.by, r.reason, r.attempts])).toEqual([
        ['a', 'one', 1],
        ['b', 'two', 1],
      ]);
    });
  });
}
