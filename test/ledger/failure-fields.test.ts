/** The answered failure's fields on the entry: set at claim, removed when absent, on release, on a reset that restores the previous failure. */

import type { ClaimRequest, InstanceKey, Ledger } from '../../lib/ledger/ledger';
import type { LedgerHistory } from '../../lib/ledger/ledger-history';
import { claimRequest } from '../support/ledger-entries';
import { MEMORY_AND_DYNAMO } from '../support/ledger-kinds';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const key: InstanceKey = { target: 't', workspace: 'default', jobName: 'j', instanceId: '1' };
const request = (over: Partial<ClaimRequest>): ClaimRequest => claimRequest(NOW, over);

type Full = Ledger & LedgerHistory;
const entryOf = async (ledger: Full) => [...(await ledger.read([key])).values()][0];

describe.each<[string, () => Promise<Full>]>(MEMORY_AND_DYNAMO)(
  '%s ledger: the answered failure’s fields',
  (_name, make) => {
    it('are recorded at claim and removed when the next claim lacks them', async () => {
      const ledger = await make();
      expect(await ledger.claim(key, request({ failureStart: NOW - 60_000, failureEnd: NOW - 30_000 }))).toBe(
        true,
      );
      expect(await entryOf(ledger)).toMatchObject({ failureStart: NOW - 60_000, failureEnd: NOW - 30_000 });
      await ledger.settle(key, { attempt: 1, claimId: 'c1', at: NOW, outcome: 'restarted' });
      const next = request({
        expectedAttempts: 1,
        claimId: 'c2',
        failureAt: NOW - 10_000,
        failureEnd: NOW - 5_000,
      });
      expect(await ledger.claim(key, next)).toBe(true);
      const entry = await entryOf(ledger);
      expect(entry).toMatchObject({ failureAt: NOW - 10_000, failureEnd: NOW - 5_000 });
      expect(entry?.failureStart).toBeUndefined();
    });

    it('are removed on release, and on a reset that restores the previous failure', async () => {
      const ledger = await make();
      await ledger.claim(key, request({ failureStart: NOW - 60_000, failureEnd: NOW - 30_000 }));
      expect(await ledger.release(key, 1, 'c1', NOW)).toBe(true);
      let entry = await entryOf(ledger);
      expect(entry).toMatchObject({ failureAt: 0, attempts: 0 });
      expect(entry?.failureStart).toBeUndefined();
      expect(entry?.failureEnd).toBeUndefined();

      await ledger.claim(
        key,
        request({ claimId: 'c2', failureStart: NOW - 60_000, failureEnd: NOW - 30_000 }),
      );
      await ledger.settle(key, { attempt: 1, claimId: 'c2', at: NOW, outcome: 'rejected' });
      expect((await ledger.reset(key, { now: NOW + 1, by: 'op', reason: 'r' })).status).toBe('reset');
      entry = await entryOf(ledger);
      expect(entry).toMatchObject({ failureAt: 0, attempts: 0 });
      expect(entry?.failureStart).toBeUndefined();
      expect(entry?.failureEnd).toBeUndefined();
    });

    it('stay after a reset of a rerun (that failure stays answered)', async () => {
      const ledger = await make();
      await ledger.claim(key, request({ failureStart: NOW - 60_000, failureEnd: NOW - 30_000 }));
      await ledger.settle(key, { attempt: 1, claimId: 'c1', at: NOW, outcome: 'restarted' });
      expect((await ledger.reset(key, { now: NOW + 1, by: 'op', reason: 'r' })).status).toBe('reset');
      expect(await entryOf(ledger)).toMatchObject({
        attempts: 0,
        failureAt: NOW - 60_000,
        failureStart: NOW - 60_000,
        failureEnd: NOW - 30_000,
      });
    });
  },
);
