import type { InstanceKey, Ledger } from '../../lib/ledger/ledger';
import { keyString } from '../../lib/ledger/ledger';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const MIN = 60_000;

let counter = 0;
const freshKey = (): InstanceKey => ({
  target: 'prod',
  workspace: 'default',
  jobName: `作业_${counter}`,
  instanceId: String(9_007_199_254_740_993n + BigInt(counter++)),
});

const claim = (ledger: Ledger, key: InstanceKey, expectedAttempts: number, now = NOW, maxAttempts = 3) =>
  ledger.claim(key, {
    expectedAttempts,
    maxAttempts,
    now,
    notBefore: now + 10 * MIN,
    expiresAt: now + 14 * 86_400_000,
  });

/** One behaviour, every implementation: the suite each ledger must pass. */
export function ledgerContract(name: string, create: () => Promise<Ledger>): void {
  describe(`${name} ledger contract`, () => {
    let ledger: Ledger;
    beforeEach(async () => {
      ledger = await create();
    });

    it('reads nothing for unknown keys', async () => {
      expect((await ledger.read([freshKey()])).size).toBe(0);
    });

    it('claims attempt 1, then shows it', async () => {
      const key = freshKey();
      expect(await claim(ledger, key, 0)).toBe(true);
      const entry = (await ledger.read([key])).get(keyString(key));
      expect(entry).toMatchObject({
        ...key,
        attempts: 1,
        lastAttemptAt: NOW,
        notBefore: NOW + 10 * MIN,
        lastOutcome: 'claimed',
      });
      expect(entry?.expiresAt).toBe(Math.ceil((NOW + 14 * 86_400_000) / 1000));
    });

    it('refuses a claim based on a stale attempt count (compare-and-set)', async () => {
      const key = freshKey();
      expect(await claim(ledger, key, 0)).toBe(true);
      expect(await claim(ledger, key, 0)).toBe(false);
      expect((await ledger.read([key])).get(keyString(key))?.attempts).toBe(1);
    });

    it('refuses a claim before notBefore, accepts it after', async () => {
      const key = freshKey();
      await claim(ledger, key, 0);
      expect(await claim(ledger, key, 1, NOW + 5 * MIN)).toBe(false);
      expect(await claim(ledger, key, 1, NOW + 10 * MIN)).toBe(true);
    });

    it('never exceeds maxAttempts', async () => {
      const key = freshKey();
      expect(await claim(ledger, key, 0, NOW, 1)).toBe(true);
      expect(await claim(ledger, key, 1, NOW + 60 * MIN, 1)).toBe(false);
    });

    it('of 10 concurrent claims of one attempt, exactly one wins', async () => {
      const key = freshKey();
      const results = await Promise.all(Array.from({ length: 10 }, () => claim(ledger, key, 0)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await ledger.read([key])).get(keyString(key))?.attempts).toBe(1);
    });

    it('records outcomes per attempt', async () => {
      const key = freshKey();
      await claim(ledger, key, 0);
      await ledger.record(key, 1, { at: NOW + 1, outcome: 'restarted' });
      await claim(ledger, key, 1, NOW + 10 * MIN);
      await ledger.record(key, 2, { at: NOW + 10 * MIN, outcome: 'rejected', code: 'DLF.3051' });
      const entry = (await ledger.read([key])).get(keyString(key));
      expect(entry?.lastOutcome).toBe('rejected');
      expect(entry?.outcomes).toEqual({
        '1': { at: NOW + 1, outcome: 'restarted' },
        '2': { at: NOW + 10 * MIN, outcome: 'rejected', code: 'DLF.3051' },
      });
    });

    it('release uncounts only the attempt it names, and lets it be claimed again at once', async () => {
      const key = freshKey();
      await claim(ledger, key, 0);
      await ledger.release(key, 2, NOW);
      expect((await ledger.read([key])).get(keyString(key))?.attempts).toBe(1);
      await ledger.release(key, 1, NOW + 1);
      const entry = (await ledger.read([key])).get(keyString(key));
      expect(entry).toMatchObject({ attempts: 0, lastOutcome: 'released' });
      expect(await claim(ledger, key, 0, NOW + 2)).toBe(true);
    });

    it('records an interrupted claim once, and only while it is still just claimed', async () => {
      const key = freshKey();
      await claim(ledger, key, 0);
      const results = await Promise.all([
        ledger.recordIfClaimed(key, 1, { at: NOW, outcome: 'unconfirmed', code: 'INTERRUPTED' }),
        ledger.recordIfClaimed(key, 1, { at: NOW, outcome: 'unconfirmed', code: 'INTERRUPTED' }),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await ledger.read([key])).get(keyString(key))?.lastOutcome).toBe('unconfirmed');
      const other = freshKey();
      await claim(ledger, other, 0);
      await ledger.record(other, 1, { at: NOW, outcome: 'restarted' });
      expect(await ledger.recordIfClaimed(other, 1, { at: NOW, outcome: 'unconfirmed' })).toBe(false);
    });

    it('reports an exhausted budget once', async () => {
      const key = freshKey();
      await claim(ledger, key, 0);
      const marks = await Promise.all([ledger.markExhausted(key, NOW), ledger.markExhausted(key, NOW)]);
      expect(marks.filter(Boolean)).toHaveLength(1);
      expect(await ledger.markExhausted(key, NOW + 1)).toBe(false);
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
  });
}
