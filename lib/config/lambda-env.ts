import { ConfigError } from '../errors';
import type { NotifyPolicy } from '../notify/summary';
import { parseDuration } from '../util/duration';
import { parseConfig } from './parse';
import type { Config } from './types';

/** The function's settings, from the environment serverless.yml sets from stage params. */
export interface LambdaSettings {
  config: Config;
  topicArn?: string;
  notifyPolicy: NotifyPolicy;
  stage: string;
  /** Kept free at the end of the invocation for notifications and the last writes. */
  deadlineMarginMs: number;
}

function json(env: NodeJS.ProcessEnv, name: string, fallback: unknown): unknown {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(name, 'is not valid JSON');
  }
}

/** TOPIC_ARN, or TOPIC_NAME in the function's own region and account (`none`: no SNS). */
function topic(env: NodeJS.ProcessEnv, functionArn: string | undefined): { topicArn?: string } {
  if (env.TOPIC_ARN) return { topicArn: env.TOPIC_ARN };
  const parts = functionArn?.split(':');
  if (!env.TOPIC_NAME || env.TOPIC_NAME === 'none' || !parts || parts.length < 5) return {};
  return { topicArn: `arn:${parts[1]}:sns:${parts[3]}:${parts[4]}:${env.TOPIC_NAME}` };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(name, 'is required (set by serverless.yml from the stage params)');
  return value;
}

/**
 * AUTORETRY_TARGETS, AUTORETRY_POLICY, AUTORETRY_CLIENT and AUTORETRY_NOTIFY hold the
 * JSON of the config file's `targets`, `policy`, `client` and `notify`; the ledger is the stack's table.
 * `overrides` (from a manual event) replace policy keys before validation.
 */
export function settingsFromEnv(
  env: NodeJS.ProcessEnv,
  overrides: Record<string, unknown> = {},
  functionArn?: string,
): LambdaSettings {
  const policy = json(env, 'AUTORETRY_POLICY', {});
  const raw = {
    targets: json(env, 'AUTORETRY_TARGETS', undefined),
    ledger: {
      type: 'dynamodb',
      table: required(env, 'LEDGER_TABLE'),
      ...(env.LEDGER_RETENTION ? { retention: env.LEDGER_RETENTION } : {}),
      // Local runs (serverless invoke local) point at dynalite or DynamoDB Local.
      ...(env.LEDGER_ENDPOINT ? { endpoint: env.LEDGER_ENDPOINT } : {}),
    },
    policy:
      typeof policy === 'object' && policy !== null && !Array.isArray(policy)
        ? { ...policy, ...overrides }
        : policy,
    client: json(env, 'AUTORETRY_CLIENT', {}),
    notify: json(env, 'AUTORETRY_NOTIFY', {}),
  };
  if (raw.targets === undefined)
    throw new ConfigError('AUTORETRY_TARGETS', 'is required: a JSON array of targets');
  const notifyPolicy = (env.NOTIFY_POLICY ?? 'on-activity') as NotifyPolicy;
  if (!['always', 'on-activity', 'on-problem'].includes(notifyPolicy)) {
    throw new ConfigError(
      'NOTIFY_POLICY',
      `must be "always", "on-activity" or "on-problem", got "${notifyPolicy}"`,
    );
  }
  return {
    config: parseConfig(raw),
    ...topic(env, functionArn),
    notifyPolicy,
    stage: env.STAGE ?? 'dev',
    deadlineMarginMs: parseDuration(env.DEADLINE_MARGIN ?? '10s', 'DEADLINE_MARGIN'),
  };
}
