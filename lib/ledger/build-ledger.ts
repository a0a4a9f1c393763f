import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LedgerConfig } from '../config/schema/ledger';
import { ledgerDynamoClient } from './dynamodb-client';
import { DynamoDbLedger } from './dynamodb-ledger';
import { FileLedger } from './file-ledger';
import type { Ledger } from './ledger';

/**
 * The ledger a configuration names. The Lambda builds its DynamoDB ledger itself
 * (lib/lambda/container.ts), so the file ledger stays out of the function's bundle.
 */
export function buildLedger(config: LedgerConfig, dynamo?: DynamoDBClient): Ledger {
  if (config.type === 'file') return new FileLedger(config.path);
  return new DynamoDbLedger(dynamo ?? ledgerDynamoClient(config), config.table);
}
