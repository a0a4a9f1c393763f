import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config, TargetConfig } from './config/types';
import { AkSkAuthenticator, type Authenticator, type Credentials, TokenAuthenticator } from './dataarts/auth';
import { DataArtsClient } from './dataarts/client';
import { IamTokenProvider } from './dataarts/iam-token';
import { Transport, type TransportOptions } from './dataarts/transport';
import { ConfigError } from './errors';
import { DynamoDbLedger } from './ledger/dynamodb-ledger';
import { FileLedger } from './ledger/file-ledger';
import type { Ledger } from './ledger/ledger';
import type { TargetApi } from './sweep/target-sweep';
import type { Clock } from './util/time';

/** Builds one DataArts client per target, each with its own rate limiter and concurrency. */
export function buildTargets(
  config: Config,
  credentials: Credentials,
  clock: Clock,
  overrides: Partial<TransportOptions> = {},
): Array<{ target: TargetConfig; client: TargetApi }> {
  const options: Partial<TransportOptions> = {
    timeoutMs: config.client.timeoutMs,
    retries: config.client.retries,
    maxRetryAfterMs: config.client.maxRetryAfterMs,
    ratePerSecond: config.policy.rateLimit,
    concurrency: config.policy.concurrency,
    ...overrides,
  };
  return config.targets.map((target, index) => {
    const transport = new Transport({
      baseUrl: target.endpoint,
      authenticator: authenticatorFor(target, index, credentials, clock, options),
      options,
    });
    const client = new DataArtsClient(
      transport,
      { projectId: target.projectId, ...(target.workspace ? { workspace: target.workspace } : {}) },
      { paging: config.client.paging, maxWindowMs: config.client.maxWindowMs },
    );
    return { target, client };
  });
}

function authenticatorFor(
  target: TargetConfig,
  index: number,
  credentials: Credentials,
  clock: Clock,
  options: Partial<TransportOptions>,
): Authenticator {
  if (credentials.kind === 'aksk')
    return new AkSkAuthenticator(credentials, target.projectId, () => clock.now());
  const iamEndpoint = target.iamEndpoint ?? credentials.iamEndpoint;
  if (!iamEndpoint) {
    throw new ConfigError(
      `targets[${index}].iamEndpoint`,
      'is required with IAM user credentials (or set HUAWEICLOUD_IAM_ENDPOINT)',
    );
  }
  const tokens = new IamTokenProvider(
    { ...credentials, iamEndpoint },
    target.projectId,
    () => clock.now(),
    options,
  );
  return new TokenAuthenticator(tokens);
}

export function buildLedger(config: Config['ledger'], dynamo?: DynamoDBClient): Ledger {
  if (config.type === 'file') return new FileLedger(config.path);
  const client =
    dynamo ??
    new DynamoDBClient({
      maxAttempts: 6,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.region ? { region: config.region } : {}),
    });
  return new DynamoDbLedger(client, config.table);
}
