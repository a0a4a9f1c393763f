/**
 * A ledger table made before the `spent` index (by an older `createLedgerTable`,
 * `npm run local-stack`, or by hand from the README) has only `leases`, and
 * `createLedgerTable` leaves an existing table as it is: the sweep must still restart
 * its failures on it.
 */
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { ledgerBeforeTheAttemptsIndex } from '../support/dynamo';
import { emulatorPerTest, failedAgo, sweeper } from '../support/sweep-setup';
import { PROJECT } from '../support/targets';

let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

describe('a DynamoDB ledger table made before the spent index', () => {
  it('a failure is still restarted after the upgrade', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 40)]);
    const ledger = await ledgerBeforeTheAttemptsIndex();

    const report = await sweeper(emulator, clock, ledger, { maxRestartsPerSweep: 5 }).run();

    expect(report.targets[0]?.error).toBeUndefined();
    expect(report.restarted.map((r) => r.instanceId)).toEqual(['1']);
  }, 120_000);
});
