/**
 * Review: recovery tracking after an operator reset. A reset of an entry whose last
 * attempt was `restarted` (no verdict yet) keeps `lastOutcome: restarted` with
 * `attempts: 0, outcomes: {}`: it stays "awaiting a verdict" that `markRecovery` can
 * never record, so every sweep in the look-back pays a show for it, and on DynamoDB
 * the item stays in the sparse `leases` index (`awaiting-verdict#<target>`) until TTL.
 */

import type { InstanceKey, Ledger } from '../../lib/ledger/ledger';
import type { LedgerHistory } from '../../lib/ledger/ledger-history';
import type { LedgerRecovery } from '../../lib/ledger/ledger-recovery';
import { claimRequest } from '../support/ledger-entries';
import { MEMORY_AND_DYNAMO } from '../support/ledger-kinds';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const key: InstanceKey = { target: 't', workspace: 'default', jobName: 'ods_orders', instanceId: '1' };

type Full = Ledger & LedgerHistory & LedgerRecovery;

async function restartedThenReset(ledger: Full): Promise<void> {
  expect(await ledger.claim(key, claimRequest(NOW))).toBe(true);
  expect(await ledger.settle(key, { attempt: 1, claimId: 'c1', at: NOW, outcome: 'restarted' })).toBe(true);
  const reset = await ledger.reset(key, { now: NOW + 300_000, by: 'op@host', reason: 'fixed' });
  expect(reset.status).toBe('reset');
}

describe.each<[string, () => Promise<Full>]>(MEMORY_AND_DYNAMO)(
  '%s ledger: reset of a rerun awaiting its verdict',
  (_name, make) => {
    it('is no longer awaiting a verdict it can never get', async () => {
      const ledger = await make();
      await restartedThenReset(ledger);
      const awaiting = await ledger.awaitingVerdict('t');
      if (awaiting.length > 0) {
        // Whatever a sweep sees, the verdict cannot be written: the entry is stuck awaiting.
        const entry = awaiting[0]!;
        expect(
          await ledger.markRecovery(entry, entry.attempts, 'recovered', NOW + 400_000, NOW + 86_400_000),
        ).toBe(true);
      }
      expect(await ledger.awaitingVerdict('t')).toEqual([]); // fails: stays awaiting (and in the leases index)
    });
  },
);
