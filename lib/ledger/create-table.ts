import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { ATTEMPTS_INDEX, LEASE_INDEX } from './dynamodb-ledger';

/**
 * Creates the ledger table the way serverless.yml declares it (for tests, the demo
 * and the benchmark; in AWS the stack creates it) and waits until it is ACTIVE.
 */
export async function createLedgerTable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'leaseTarget', AttributeType: 'S' },
          { AttributeName: 'attemptTarget', AttributeType: 'S' },
          { AttributeName: 'lastAttemptAt', AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: LEASE_INDEX,
            KeySchema: [{ AttributeName: 'leaseTarget', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: ATTEMPTS_INDEX,
            KeySchema: [
              { AttributeName: 'attemptTarget', KeyType: 'HASH' },
              { AttributeName: 'lastAttemptAt', KeyType: 'RANGE' },
            ],
            Projection: {
              ProjectionType: 'INCLUDE',
              NonKeyAttributes: ['target', 'workspace', 'jobName', 'instanceId'],
            },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (Table?.TableStatus === 'ACTIVE' && indexes.every((i) => i.IndexStatus === 'ACTIVE')) return;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
