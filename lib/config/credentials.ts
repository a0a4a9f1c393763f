import type { Credentials } from '../dataarts/auth';
import { ConfigError } from '../errors';

/**
 * Huawei credentials from environment variables (the command line). AK/SK uses the
 * official SDK names; an IAM user uses HUAWEICLOUD_IAM_*. Values never appear in errors.
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): Credentials {
  const ak = env.HUAWEICLOUD_SDK_AK;
  const sk = env.HUAWEICLOUD_SDK_SK;
  if (ak || sk) {
    if (!ak || !sk)
      throw new ConfigError(
        ak ? 'HUAWEICLOUD_SDK_SK' : 'HUAWEICLOUD_SDK_AK',
        'must be set together with the other',
      );
    const token = env.HUAWEICLOUD_SDK_SECURITY_TOKEN;
    return { kind: 'aksk', ak, sk, ...(token ? { securityToken: token } : {}) };
  }
  const user = env.HUAWEICLOUD_IAM_USER;
  if (user) {
    const missing = ['HUAWEICLOUD_IAM_PASSWORD', 'HUAWEICLOUD_IAM_DOMAIN'].find((name) => !env[name]);
    if (missing) throw new ConfigError(missing, 'must be set with HUAWEICLOUD_IAM_USER');
    return {
      kind: 'password',
      user,
      password: env.HUAWEICLOUD_IAM_PASSWORD as string,
      domain: env.HUAWEICLOUD_IAM_DOMAIN as string,
      iamEndpoint: env.HUAWEICLOUD_IAM_ENDPOINT ?? '',
    };
  }
  throw new ConfigError(
    'credentials',
    'set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (optionally HUAWEICLOUD_SDK_SECURITY_TOKEN), ' +
      'or HUAWEICLOUD_IAM_USER, HUAWEICLOUD_IAM_PASSWORD, HUAWEICLOUD_IAM_DOMAIN (and HUAWEICLOUD_IAM_ENDPOINT or targets[].iamEndpoint)',
  );
}

/** Every secret value in the credentials, for scrubbing and for tests that scan output. */
export function secretValues(credentials: Credentials): string[] {
  return credentials.kind === 'aksk'
    ? [credentials.sk, ...(credentials.securityToken ? [credentials.securityToken] : [])]
    : [credentials.password];
}
