import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { credentialsFromEnv, secretValues } from '../config/credentials';
import { readObject, readString } from '../config/read';
import type { Credentials } from '../dataarts/auth';
import { ConfigError } from '../errors';
import type { Webhook } from '../notify/webhooks';

/**
 * The one secret (JSON) holding Huawei credentials and webhook URLs:
 * {
 *   "HUAWEICLOUD_SDK_AK": "...", "HUAWEICLOUD_SDK_SK": "...", "HUAWEICLOUD_SDK_SECURITY_TOKEN": "...",
 *   // or "HUAWEICLOUD_IAM_USER", "HUAWEICLOUD_IAM_PASSWORD", "HUAWEICLOUD_IAM_DOMAIN", "HUAWEICLOUD_IAM_ENDPOINT"
 *   "webhooks": { "slack": "https://...", "feishu": {"url": "...", "secret": "..."},
 *                 "dingtalk": {"url": "...", "secret": "..."}, "wecom": "https://...", "generic": "https://..." }
 * }
 * Errors name the missing or malformed key, never a value.
 */
export interface SweepSecret {
  credentials: Credentials;
  webhooks: Webhook[];
  /** Every secret value, for scrubbing and for tests that scan output. */
  values: string[];
}

const CREDENTIAL_KEYS = [
  'HUAWEICLOUD_SDK_AK',
  'HUAWEICLOUD_SDK_SK',
  'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  'HUAWEICLOUD_IAM_USER',
  'HUAWEICLOUD_IAM_PASSWORD',
  'HUAWEICLOUD_IAM_DOMAIN',
  'HUAWEICLOUD_IAM_ENDPOINT',
];
const WEBHOOK_KINDS = ['slack', 'feishu', 'dingtalk', 'wecom', 'generic'] as const;

export function parseSecret(text: string | undefined): SweepSecret {
  if (!text) throw new ConfigError('secret', 'is empty: store a JSON object (see the README, "The secret")');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError('secret', 'is not valid JSON');
  }
  const raw = readObject(json, 'secret', [...CREDENTIAL_KEYS, 'webhooks']);
  const env: Record<string, string> = {};
  for (const key of CREDENTIAL_KEYS) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] !== 'string') throw new ConfigError(`secret.${key}`, 'must be a string');
    env[key] = raw[key] as string;
  }
  const credentials = credentialsFromEnv(env);
  const webhooks: Webhook[] = [];
  if (raw.webhooks !== undefined) {
    const hooks = readObject(raw.webhooks, 'secret.webhooks', WEBHOOK_KINDS);
    for (const kind of WEBHOOK_KINDS) {
      const value = hooks[kind];
      if (value === undefined) continue;
      const field = `secret.webhooks.${kind}`;
      if (typeof value === 'string') {
        webhooks.push({ kind, url: readHttpsUrl(value, field) });
        continue;
      }
      const hook = readObject(
        value,
        field,
        kind === 'feishu' || kind === 'dingtalk' ? ['url', 'secret'] : ['url'],
      );
      const url = readHttpsUrl(hook.url, `${field}.url`);
      const secret = hook.secret === undefined ? undefined : readString(hook.secret, `${field}.secret`);
      webhooks.push(
        (kind === 'feishu' || kind === 'dingtalk') && secret
          ? { kind, url, secret }
          : ({ kind, url } as Webhook),
      );
    }
  }
  const values = [
    ...Object.entries(env)
      .filter(([key]) => !/_AK$|_USER$|_DOMAIN$|_ENDPOINT$/.test(key))
      .map(([, value]) => value),
    ...webhooks.flatMap((w) => [w.url, ...('secret' in w && w.secret ? [w.secret] : [])]),
  ];
  return { credentials, webhooks, values };
}

function readHttpsUrl(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ConfigError(field, 'must be a URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(field, 'must be an http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigError(field, 'must be an http(s) URL');
  return value;
}

/** Credentials from the environment instead of a secret: for `serverless invoke local`. */
export class EnvSecret {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async get(): Promise<SweepSecret> {
    const credentials = credentialsFromEnv(this.env);
    return { credentials, webhooks: [], values: secretValues(credentials) };
  }
}

/** Reads the secret, cached across warm invocations for `ttlMs`. */
export class SecretCache {
  private cached: { value: SweepSecret; at: number } | undefined;

  constructor(
    private readonly client: Pick<SecretsManagerClient, 'send'>,
    private readonly secretId: string,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<SweepSecret> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.value;
    let text: string | undefined;
    try {
      const answer = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
      text = answer.SecretString;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      throw new ConfigError(
        'SECRET_ARN',
        `cannot read the secret (${name}); check the ARN and the function's permission`,
      );
    }
    const value = parseSecret(text);
    this.cached = { value, at: this.now() };
    return value;
  }
}
