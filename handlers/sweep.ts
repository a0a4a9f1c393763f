import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { runLambdaSweep } from '../lib/lambda/run-sweep';
import { SecretCache } from '../lib/lambda/secret';
import { jsonLogger, type LogLevel } from '../lib/log';
import { systemClock } from '../lib/util/time';

/** AWS clients live across warm invocations; so does the secret cache (5 minutes). */
const secret = new SecretCache(new SecretsManagerClient({}), process.env.SECRET_ARN ?? '');
const sns = new SNSClient({});
const dynamo = new DynamoDBClient({ maxAttempts: 6 });
const level = (process.env.LOG_LEVEL ?? 'info') as LogLevel;

/** The scheduled (EventBridge) and manual sweep. Only wires; the work is in lib/. */
export const handler = async (event: unknown, context: { getRemainingTimeInMillis(): number }) =>
  runLambdaSweep(event, context.getRemainingTimeInMillis(), {
    env: process.env,
    secret,
    sns,
    dynamo,
    clock: systemClock,
    logger: (redact) => jsonLogger(level, (line) => process.stdout.write(line), { service: 'dataarts-autoretry' }, redact),
    writeMetric: (line) => process.stdout.write(`${line}\n`),
  });
