import type { Credentials } from '../dataarts/auth-types';
import { assertHeaderSafe } from '../dataarts/header-values';
import { ConfigError } from '../errors';

/**
 * Huawei credentials from environment variables (the command line, and the Lambda's
 * secret, whose keys are the same names). AK/SK uses the official SDK names; an IAM
 * user uses HUAWEICLOUD_IAM_*. Values never appear in errors. An AK, SK or security
 * token that a header cannot carry as it is (whitespace, a trailing newline, control
 * or non-ASCII characters) is refused here, naming the variable, before any request:
 * sent, it would cost a failed signature toward the AK lock, or fetch would refuse it
 * with an error that quotes the header.
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
    assertHeaderSafe('HUAWEICLOUD_SDK_AK', ak);
    assertHeaderSafe('HUAWEICLOUD_SDK_SK', sk);
    const token = env.HUAWEICLOUD_SDK_SECURITY_TOKEN;
    if (token) assertHeaderSafe('HUAWEICLOUD_SDK_SECURITY_TOKEN', token);
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
