import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as v from 'valibot';
import { credentialsFromEnv, secretValues } from '../config/credentials';
import { parseWith } from '../config/issues';
import { strict } from '../config/schema/primitives';
import type { Credentials } from '../dataarts/auth-types';
import { ConfigError } from '../errors';
import { WebhooksSchema, webhookSecrets } from '../notify/webhook-schema';
import type { Webhook } from '../notify/webhook-types';

/** A credential as the secret stores it; its value never appears in an error. */
const credential = () => v.exactOptional(v.string('must be a string'));

/**
 * The one secret (JSON) holding Huawei credentials and webhook URLs:
 * {
 *   "HUAWEICLOUD_SDK_AK": "...", "HUAWEICLOUD_SDK_SK": "...", "HUAWEICLOUD_SDK_SECURITY_TOKEN": "...",
 *   // or "HUAWEICLOUD_IAM_USER", "HUAWEICLOUD_IAM_PASSWORD", "HUAWEICLOUD_IAM_DOMAIN", "HUAWEICLOUD_IAM_ENDPOINT"
 *   "webhooks": { "slack": "https://...", "feishu": {"url": "...", "secret": "..."},
 *                 "dingtalk": {"url": "...", "secret": "..."}, "wecom": "https://...", "generic": "https://..." }
 * }
 * Which credential keys must go together is credentialsFromEnv's rule (the command
 * line reads the same names from the environment).
 */
export const SecretSchema = strict({
  HUAWEICLOUD_SDK_AK: credential(),
  HUAWEICLOUD_SDK_SK: credential(),
  HUAWEICLOUD_SDK_SECURITY_TOKEN: credential(),
  HUAWEICLOUD_IAM_USER: credential(),
  HUAWEICLOUD_IAM_PASSWORD: credential(),
  HUAWEICLOUD_IAM_DOMAIN: credential(),
  HUAWEICLOUD_IAM_ENDPOINT: credential(),
  webhooks: v.optional(WebhooksSchema, {}),
});

export type SecretPayload = v.InferInput<typeof SecretSchema>;

export interface SweepSecret {
  credentials: Credentials;
  webhooks: Webhook[];
  /** Every secret value, for scrubbing and for tests that scan output. */
  values: string[];
}

/** Reads the secret's JSON text; errors name the missing or malformed key, never a value. */
export function parseSecret(text: string | undefined): SweepSecret {
  if (!text) throw new ConfigError('secret', 'is empty: store a JSON object (see docs/deploy.md)');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError('secret', 'is not valid JSON');
  }
  const { webhooks, ...env } = parseWith(SecretSchema, json, { root: 'secret', hideValues: true });
  const credentials = credentialsFromEnv(env);
  return { credentials, webhooks, values: [...secretValues(credentials), ...webhookSecrets(webhooks)] };
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
