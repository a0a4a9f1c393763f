import type { Ledger } from '../../lib/ledger/ledger';
import type { LedgerHistory } from '../../lib/ledger/ledger-history';
import type { LedgerRecovery } from '../../lib/ledger/ledger-recovery';
import { freshDynamoLedger } from './dynamo';
import { MemoryLedger } from './memory-ledger';

/** The two ledgers with history and recovery, for `describe.each`: [name, a fresh one]. */
export const MEMORY_AND_DYNAMO: Array<[string, () => Promise<Ledger & LedgerHistory & LedgerRecovery>]> = [
  ['memory', async () => new MemoryLedger()],
  ['DynamoDB (dynalite)', async () => (await freshDynamoLedger()).ledger],
];
