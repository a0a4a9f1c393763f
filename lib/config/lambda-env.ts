import { ConfigError } from '../errors';
import { parseDuration } from '../util/duration';
import { parseConfig } from './parse';
import type { NotifyPolicy } from './schema/notify';
import { loadStageConfig } from './stage-config';
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

/** Where the config file's sections come from: a stage configuration file, or the stage params. */
const SECTION_VARIABLES = {
  targets: 'AUTORETRY_TARGETS',
  policy: 'AUTORETRY_POLICY',
  client: 'AUTORETRY_CLIENT',
  notify: 'AUTORETRY_NOTIFY',
} as const;

/**
 * `targets`, `policy`, `client` and `notify`: from the file AUTORETRY_CONFIG_FILE names
 * (config/<stage>.json in the package: no 4 KB limit), else from the stage params'
 * variables. Never both for one section: two sources would merge silently.
 */
function sections(
  env: NodeJS.ProcessEnv,
  root: string | undefined,
): Record<keyof typeof SECTION_VARIABLES, unknown> {
  const fromEnv = {
    targets: json(env, 'AUTORETRY_TARGETS', undefined),
    policy: json(env, 'AUTORETRY_POLICY', {}),
    client: json(env, 'AUTORETRY_CLIENT', {}),
    notify: json(env, 'AUTORETRY_NOTIFY', {}),
  };
  const path = env.AUTORETRY_CONFIG_FILE?.trim();
  if (!path) return fromEnv;
  const file = loadStageConfig(path, root);
  const out = { ...fromEnv };
  for (const [section, variable] of Object.entries(SECTION_VARIABLES) as Array<[keyof typeof out, string]>) {
    if (file[section] === undefined) continue;
    const set = fromEnv[section];
    const empty =
      set === undefined || (typeof set === 'object' && set !== null && Object.keys(set).length === 0);
    if (!empty)
      throw new ConfigError(
        variable,
        `is set, and ${path} sets ${section} too: keep one (set the stage param to '')`,
      );
    out[section] = file[section];
  }
  return out;
}

/**
 * AUTORETRY_TARGETS, AUTORETRY_POLICY, AUTORETRY_CLIENT and AUTORETRY_NOTIFY hold the
 * JSON of the config file's `targets`, `policy`, `client` and `notify`, unless
 * AUTORETRY_CONFIG_FILE names a stage configuration file holding them (relative to
 * `root`, the package root; default the working directory); the ledger is the
 * stack's table. `overrides` (from a manual event) replace policy keys before validation.
 */
export function settingsFromEnv(
  env: NodeJS.ProcessEnv,
  overrides: Record<string, unknown> = {},
  functionArn?: string,
  root?: string,
): LambdaSettings {
  const { targets, policy, client, notify } = sections(env, root);
  const raw = {
    targets,
    ledger: {
      type: 'dynamodb',
      table: required(env, 'LEDGER_TABLE'),
      ...(env.LEDGER_RETENTION ? { retention: env.LEDGER_RETENTION } : {}),
      ...(env.LEDGER_TIMEOUT ? { timeout: env.LEDGER_TIMEOUT } : {}),
      // Local runs (serverless invoke local) point at dynalite or DynamoDB Local.
      ...(env.LEDGER_ENDPOINT ? { endpoint: env.LEDGER_ENDPOINT } : {}),
    },
    policy:
      typeof policy === 'object' && policy !== null && !Array.isArray(policy)
        ? { ...policy, ...overrides }
        : policy,
    client,
    notify,
  };
  if (raw.targets === undefined)
    throw new ConfigError(
      'AUTORETRY_TARGETS',
      'is required: a JSON array of targets (or AUTORETRY_CONFIG_FILE, a stage configuration file with targets)',
    );
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
