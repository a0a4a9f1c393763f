/**
 * A ledger table made before the `spent` index (by an older `createLedgerTable`,
 * `npm run local-stack`, or by hand from the README) has only `leases`, and
 * `createLedgerTable` leaves an existing table as it is: the sweep must still restart
 * its failures on it.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { DynamoDbLedger, LEASE_INDEX } from '../../lib/ledger/dynamodb-ledger';
import { dynaliteClient } from '../support/dynamo';
import { emulatorPerTest, failedAgo, sweeper } from '../support/sweep-setup';
import { PROJECT } from '../support/targets';

let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

/** The table as createLedgerTable made it before the change: only the `leases` index. */
async function tableBeforeTheChange(): Promise<DynamoDbLedger> {
  const client = dynaliteClient();
  const table = `ledger-old-${randomUUID().slice(0, 8)}`;
  await client.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'leaseTarget', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: LEASE_INDEX,
          KeySchema: [{ AttributeName: 'leaseTarget', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (Table?.TableStatus === 'ACTIVE' && indexes.every((i) => i.IndexStatus === 'ACTIVE')) break;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return new DynamoDbLedger(client, table);
}

describe('a DynamoDB ledger table made before the spent index', () => {
  it('a failure is still restarted after the upgrade', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 40)]);
    const ledger = await tableBeforeTheChange();

    const report = await sweeper(emulator, clock, ledger, { maxRestartsPerSweep: 5 }).run();

    expect(report.targets[0]?.error).toBeUndefined();
    expect(report.restarted.map((r) => r.instanceId)).toEqual(['1']);
  }, 120_000);
});
