import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLedgerTable } from '../../lib/ledger/create-table';
import { DynamoDbLedger } from '../../lib/ledger/dynamodb-ledger';

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
