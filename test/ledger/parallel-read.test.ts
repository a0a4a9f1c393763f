import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbLedger } from '../../lib/ledger/dynamodb-ledger';

describe('DynamoDbLedger.read', () => {
  it('reads 1,000 batches of 100 keys in parallel, at most 8 in flight, every key once', async () => {
    const mock = mockClient(DynamoDBDocumentClient);
    let inFlight = 0;
    let most = 0;
    let calls = 0;
    const asked = new Set<string>();
    mock
      .on(BatchGetCommand as never)
      .callsFake(async (input: { RequestItems: Record<string, { Keys: Array<{ pk: string }> }> }) => {
        calls++;
        inFlight++;
        most = Math.max(most, inFlight);
        for (const key of input.RequestItems.t?.Keys ?? []) asked.add(key.pk);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return { Responses: { t: [] } };
      });
    const ledger = new DynamoDbLedger(new DynamoDBClient({ region: 'eu-west-1' }), 't');
    const keys = Array.from({ length: 100_000 }, (_, i) => ({
      target: 'prod',
      workspace: 'default',
      jobName: `job_${i}`,
      instanceId: String(i),
    }));
    await ledger.read(keys);
    expect({ calls, most, keys: asked.size }).toEqual({ calls: 1000, most: 8, keys: 100_000 });
    mock.restore();
  });
});
