import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { Emulator } from '../../emulator/server';
import type { LambdaDeps } from '../../lib/lambda/run-sweep';
import { SecretCache } from '../../lib/lambda/secret';
import type { Clock } from '../../lib/util/time';
import { freshDynamoLedger } from './dynamo';
import { AK, FAST, PROJECT, SK } from './targets';

export const secretsMock = mockClient(SecretsManagerClient);
export const snsMock = mockClient(SNSClient);
export const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:dataarts-autoretry-test-sweep';
export const ctx = (remainingMs: number) => ({
  getRemainingTimeInMillis: () => remainingMs,
  invokedFunctionArn: FUNCTION_ARN,
});

/**
 * Lambda dependencies wired to the emulator and dynalite, with SNS and Secrets Manager
 * faked; every log and EMF line the function writes lands in `output`.
 */
export async function lambdaDeps(
  emulator: Emulator,
  clock: Clock,
  output: string[],
  secret: Record<string, unknown> = {},
): Promise<LambdaDeps> {
  secretsMock.reset();
  snsMock.reset();
  secretsMock.on(GetSecretValueCommand).resolves({
    SecretString: JSON.stringify({ HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, ...secret }),
  });
  snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
  const { table, client } = await freshDynamoLedger();
  return {
    env: {
      STAGE: 'test',
      AUTORETRY_TARGETS: JSON.stringify([{ name: 'prod', endpoint: emulator.url, projectId: PROJECT }]),
      AUTORETRY_POLICY: JSON.stringify({ rateLimit: 1000, stormGuard: { enabled: false } }),
      LEDGER_TABLE: table,
      SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:autoretry',
      TOPIC_NAME: 'dataarts-autoretry-test-summary',
      NOTIFY_POLICY: 'always',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    },
    secret: new SecretCache(new SecretsManagerClient({ region: 'eu-west-1' }), 'arn', 0, () => clock.now()),
    sns: new SNSClient({ region: 'eu-west-1' }),
    dynamo: client,
    clock,
    write: (text) => output.push(text),
    transport: FAST,
  };
}
