import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { type InvocationContext, runLambdaSweep } from '../lib/lambda/run-sweep';
import { EnvSecret, SecretCache } from '../lib/lambda/secret';
import { jsonLogger, type LogLevel } from '../lib/log';
import { systemClock } from '../lib/util/time';

/** AWS clients live across warm invocations; so does the secret cache (5 minutes). */
const secretArn = process.env.SECRET_ARN ?? '';
const secret =
  secretArn === 'env'
    ? // `serverless invoke local` against the emulator: HUAWEICLOUD_* variables, no secret.
      new EnvSecret(process.env)
    : new SecretCache(new SecretsManagerClient({}), secretArn);
const sns = new SNSClient({});
const dynamo = new DynamoDBClient({
  maxAttempts: 6,
  ...(process.env.LEDGER_ENDPOINT ? { endpoint: process.env.LEDGER_ENDPOINT } : {}),
});
const level = (process.env.LOG_LEVEL ?? 'info') as LogLevel;

/** The scheduled (EventBridge) and manual sweep. Only wires; the work is in lib/. */
export const handler = async (event: unknown, context: InvocationContext) =>
  runLambdaSweep(event, context, {
    env: process.env,
    secret,
    sns,
    dynamo,
    clock: systemClock,
    logger: (redact) =>
      jsonLogger(level, (line) => process.stdout.write(line), { service: 'dataarts-autoretry' }, redact),
    writeMetric: (line) => process.stdout.write(`${line}\n`),
  });
