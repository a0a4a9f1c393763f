import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The ledger's DynamoDB client, for the command line and the Lambda alike. The SDK's
 * defaults wait on a stalled connection forever (no request or connection timeout):
 * here a try gives up after `connectionTimeout`/`requestTimeout` and frees its socket,
 * and throttling is retried a few times. The sweep bounds each whole call on top of
 * this (`ledger.timeout`, lib/ledger/bounded-ledger.ts).
 */
export function ledgerDynamoClient(options: { endpoint?: string | undefined; region?: string | undefined }) {
  return new DynamoDBClient({
    maxAttempts: 4,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 3_000 },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
  });
}
