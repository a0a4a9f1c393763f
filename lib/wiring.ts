import type { Config, TargetConfig } from './config/types';
import { type Account, AccountPool } from './dataarts/account';
import { AkSkAuthenticator, TokenAuthenticator } from './dataarts/auth';
import type { Authenticator, Credentials } from './dataarts/auth-types';
import { DataArtsClient } from './dataarts/client';
import { IamTokenProvider } from './dataarts/iam-token';
import { DEFAULT_TRANSPORT, Transport, type TransportOptions } from './dataarts/transport';
import { ConfigError } from './errors';
import type { TargetApi } from './sweep/target-input';
import type { Clock } from './util/time';

/**
 * Builds one DataArts client per target. Targets that use one credential share one
 * Account: its rate limit (`policy.rateLimit`) and concurrency (`policy.concurrency`)
 * are per credential, because the gateway counts per user, and its first 401 stops
 * every target of that credential.
 */
export function buildTargets(
  config: Config,
  credentials: Credentials,
  clock: Clock,
  overrides: Partial<TransportOptions> = {},
): Array<{ target: TargetConfig; client: TargetApi }> {
  const options: TransportOptions = {
    ...DEFAULT_TRANSPORT,
    timeoutMs: config.client.timeoutMs,
    retries: config.client.retries,
    maxRetryAfterMs: config.client.maxRetryAfterMs,
    ratePerSecond: config.policy.rateLimit,
    concurrency: config.policy.concurrency,
    ...overrides,
  };
  const accounts = new AccountPool(options);
  return config.targets.map((target, index) => {
    const { account, authenticator } = authenticatorFor(target, index, credentials, clock, options, accounts);
    const transport = new Transport({ baseUrl: target.endpoint, account, authenticator, options });
    const client = new DataArtsClient(
      transport,
      { projectId: target.projectId, ...(target.workspace ? { workspace: target.workspace } : {}) },
      {
        paging: config.client.paging,
        maxWindowMs: config.client.maxWindowMs,
        maxRequests: config.client.maxListRequests,
      },
    );
    return { target, client };
  });
}

/** The target's credential as an Account (shared) and an authenticator for its project. */
function authenticatorFor(
  target: TargetConfig,
  index: number,
  credentials: Credentials,
  clock: Clock,
  options: TransportOptions,
  accounts: AccountPool,
): { account: Account; authenticator: Authenticator } {
  const now = () => clock.now();
  if (credentials.kind === 'aksk') {
    const authenticator = new AkSkAuthenticator(credentials, target.projectId, now);
    return { account: accounts.for(credentials), authenticator };
  }
  const iamEndpoint = target.iamEndpoint ?? credentials.iamEndpoint;
  if (!iamEndpoint) {
    throw new ConfigError(
      `targets[${index}].iamEndpoint`,
      'is required with IAM user credentials (or set HUAWEICLOUD_IAM_ENDPOINT)',
    );
  }
  const user = { ...credentials, iamEndpoint };
  const account = accounts.for(user);
  // A token is project-scoped: one per project, shared by that project's targets.
  const tokens = account.tokenProvider(
    target.projectId,
    () => new IamTokenProvider(user, target.projectId, now, options),
  );
  return { account, authenticator: new TokenAuthenticator(tokens) };
}
