import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLedgerTable } from '../../lib/ledger/create-table';
import { DynamoDbLedger, LEASE_INDEX } from '../../lib/ledger/dynamodb-ledger';

/** A client for the dynalite started in globalSetup. */
export function dynaliteClient(): DynamoDBClient {
  const endpoint = process.env.DYNALITE_ENDPOINT;
  if (!endpoint) throw new Error('DYNALITE_ENDPOINT is not set: jest globalSetup starts dynalite');
  return new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

/** A fresh ledger table in dynalite. */
export async function freshDynamoLedger(): Promise<{
  ledger: DynamoDbLedger;
  table: string;
  client: DynamoDBClient;
}> {
  const client = dynaliteClient();
  const table = `ledger-${randomUUID().slice(0, 8)}`;
  await createLedgerTable(client, table);
  return { ledger: new DynamoDbLedger(client, table), table, client };
}

/**
 * A ledger on a fresh table as `createLedgerTable` made it before the index of
 * attempted entries: only the `leases` index (a table an upgrade leaves as it was).
 */
export async function ledgerBeforeTheAttemptsIndex(): Promise<DynamoDbLedger> {
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
