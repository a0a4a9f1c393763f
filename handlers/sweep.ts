import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { createLambdaSweep } from '../lib/lambda/run-sweep';
import { EnvSecret, SecretCache } from '../lib/lambda/secret';
import { ledgerDynamoClient } from '../lib/ledger/dynamodb-client';
import { systemClock } from '../lib/util/time';

/**
 * Everything here lives across warm invocations: the AWS clients, the secret cache
 * (5 minutes), and in the sweep the settings, logger, metrics, ledger and DataArts
 * clients (see lib/lambda/container.ts).
 */
const secretArn = process.env.SECRET_ARN ?? '';
const secret =
  secretArn === 'env'
    ? // `serverless invoke local` against the emulator: HUAWEICLOUD_* variables, no secret.
      new EnvSecret(process.env)
    : new SecretCache(new SecretsManagerClient({}), secretArn);
const dynamo = ledgerDynamoClient({ endpoint: process.env.LEDGER_ENDPOINT });

/** The scheduled (EventBridge) and manual sweep. Only wires; the work is in lib/. */
export const handler = createLambdaSweep({
  env: process.env,
  secret,
  sns: new SNSClient({}),
  dynamo,
  clock: systemClock,
  write: (text) => process.stdout.write(text),
});
