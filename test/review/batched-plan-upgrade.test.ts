/**
 * Review of issue 15: the DynamoDB ledger now queries a `spent` index. A table made
 * before the change (by `createLedgerTable`, `npm run local-stack`, or by hand from the
 * README's "The ledger" section, which names only `leases`) has no such index:
 * `createLedgerTable` leaves an existing table as it is, and every sweep then halts
 * every target ("ledger unreadable") and restarts nothing, until someone adds the
 * index. The sweep that worked before the upgrade should still restart the failure
 * (reading the entries as before, or at least saying what to add).
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { DynamoDbLedger, LEASE_INDEX } from '../../lib/ledger/dynamodb-ledger';
import { dynaliteClient } from '../support/dynamo';
import { sweeper } from '../support/sweep-setup';
import { emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
});
afterEach(async () => emulator.close());

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
    emulator.seed(PROJECT, undefined, [
      {
        jobName: 'job_1',
        instanceId: 1,
        status: 'fail',
        planTime: T0 - 50 * MIN,
        startTime: T0 - 50 * MIN,
        endTime: T0 - 40 * MIN,
      },
    ]);
    const ledger = await tableBeforeTheChange();

    const report = await sweeper(emulator, clock, ledger, { maxRestartsPerSweep: 5 }).run();

    expect(report.targets[0]?.error).toBeUndefined();
    expect(report.restarted.map((r) => r.instanceId)).toEqual(['1']);
  }, 120_000);
});
