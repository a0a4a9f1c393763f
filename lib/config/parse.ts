import type { RestartOptions } from '../dataarts/client';
import { ConfigError } from '../errors';
import { globToRegExp } from '../util/glob';
import {
  describe,
  type Json,
  optional,
  readArray,
  readBoolean,
  readDuration,
  readEnum,
  readInteger,
  readNumber,
  readObject,
  readString,
} from './read';
import type {
  BackoffConfig,
  ClientConfig,
  Config,
  LedgerConfig,
  PolicyConfig,
  RetryRule,
  RuleOverride,
  StormGuardConfig,
  TargetConfig,
} from './types';

/** Every default in one place; the README's settings table and config.schema.json mirror it. */
export const DEFAULTS = {
  lookback: '24h',
  statuses: ['fail'],
  instanceTypes: [0, 5, 6, 7],
  maxAttempts: 3,
  firstRetryDelay: '5m',
  backoff: { base: '10m', factor: 2, max: '2h', jitter: 'equal' },
  maxRestartsPerSweep: 50,
  maxRestartsPerHour: 200,
  stormGuard: { enabled: true, maxFailedJobs: 20, maxFailedRatio: 0.5, minInstances: 20 },
  concurrency: 4,
  rateLimit: 10,
  client: {
    timeout: '10s',
    retries: 3,
    maxRetryAfter: '30s',
    paging: 'auto',
    maxWindow: '7d',
    maxListRequests: 500,
    restartLag: '60s',
  },
  retention: '14d',
} as const;

export const RETRYABLE_STATUSES = ['fail', 'manual-stop'] as const;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const PROJECT_ID = /^[A-Za-z0-9-]{1,64}$/;

/** The per-job settings: set in `policy` for every job, overridden per job in `rules[]`. */
const RULE_SETTINGS = [
  'statuses',
  'instanceTypes',
  'maxAttempts',
  'firstRetryDelay',
  'backoff',
  'restart',
  'skipSuperseded',
] as const;

export const KEYS = {
  root: ['$schema', 'targets', 'ledger', 'policy', 'client'],
  target: ['name', 'endpoint', 'projectId', 'workspace', 'iamEndpoint'],
  ledgerDynamo: ['type', 'table', 'endpoint', 'region', 'retention'],
  ledgerFile: ['type', 'path', 'retention'],
  policy: [
    'lookback',
    'jobs',
    'excludeJobs',
    ...RULE_SETTINGS,
    'rules',
    'maxRestartsPerSweep',
    'maxRestartsPerHour',
    'stormGuard',
    'concurrency',
    'rateLimit',
  ],
  rule: ['match', 'enabled', ...RULE_SETTINGS],
  backoff: ['base', 'factor', 'max', 'jitter'],
  restart: ['retryLocation', 'nodeName', 'jobParamVersion', 'ignoreObsMonitor'],
  stormGuard: ['enabled', 'maxFailedJobs', 'maxFailedRatio', 'minInstances'],
  client: ['timeout', 'retries', 'maxRetryAfter', 'paging', 'maxWindow', 'maxListRequests', 'restartLag'],
} as const;

function readUrl(value: unknown, field: string): string {
  const text = readString(value, field);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(field, `must be an http(s) URL, got ${describe(text)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(field, `must be an http(s) URL, got ${describe(text)}`);
  }
  if (url.username || url.password) throw new ConfigError(field, 'must not contain credentials');
  return text.replace(/\/+$/, '');
}

function readTarget(value: unknown, field: string): TargetConfig {
  const raw = readObject(value, field, KEYS.target);
  const target: TargetConfig = {
    name: readString(raw.name, `${field}.name`, {
      pattern: NAME,
      hint: '1-64 letters, digits, "_", "." or "-"',
    }),
    endpoint: readUrl(raw.endpoint, `${field}.endpoint`),
    projectId: readString(raw.projectId, `${field}.projectId`, {
      pattern: PROJECT_ID,
      hint: 'a project id (letters, digits, "-")',
    }),
  };
  return {
    ...target,
    ...(raw.workspace === undefined ? {} : { workspace: readString(raw.workspace, `${field}.workspace`) }),
    ...(raw.iamEndpoint === undefined
      ? {}
      : { iamEndpoint: readUrl(raw.iamEndpoint, `${field}.iamEndpoint`) }),
  };
}

/**
 * The place a target addresses, as one comparable string: the endpoint with scheme and
 * host in lower case, the default port and trailing slashes dropped, then the project and
 * the workspace (`(default)` when none is set, which is the default workspace). Two
 * targets with one identity would each get their own retry budget for the same instances.
 */
export function targetIdentity(target: Pick<TargetConfig, 'endpoint' | 'projectId' | 'workspace'>): string {
  const workspace = target.workspace === undefined ? '(default)' : target.workspace;
  return `${normalizeEndpoint(target.endpoint)} project ${target.projectId} workspace ${workspace}`;
}

/** WHATWG URL parsing already lower-cases scheme and host and drops the scheme's default port. */
function normalizeEndpoint(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** Each place is swept by one target only: a second one would rerun every instance again. */
function checkDistinctTargets(targets: readonly TargetConfig[]): void {
  const seen = new Map<string, number>();
  targets.forEach((target, i) => {
    const identity = targetIdentity(target);
    const first = seen.get(identity);
    if (first !== undefined) {
      throw new ConfigError(
        `targets[${i}]`,
        `addresses the same project and workspace as targets[${first}] ("${targets[first]?.name}"): ${identity}`,
      );
    }
    seen.set(identity, i);
  });
}

function readLedger(value: unknown, lookbackMs: number): LedgerConfig {
  const type = readEnum(
    typeof value === 'object' && value !== null ? (value as Json).type : undefined,
    'ledger.type',
    ['dynamodb', 'file'] as const,
  );
  const raw = readObject(value, 'ledger', type === 'dynamodb' ? KEYS.ledgerDynamo : KEYS.ledgerFile);
  const retentionMs = optional(
    raw,
    'retention',
    'ledger',
    readDuration,
    readDuration(DEFAULTS.retention, 'ledger.retention'),
  );
  if (retentionMs <= lookbackMs) {
    throw new ConfigError(
      'ledger.retention',
      'must be longer than policy.lookback, or an expired record could let an instance be retried again',
    );
  }
  if (type === 'file') return { type, path: readString(raw.path, 'ledger.path'), retentionMs };
  return {
    type,
    table: readString(raw.table, 'ledger.table', {
      pattern: /^[A-Za-z0-9_.-]{3,255}$/,
      hint: 'a DynamoDB table name',
    }),
    retentionMs,
    ...(raw.endpoint === undefined ? {} : { endpoint: readUrl(raw.endpoint, 'ledger.endpoint') }),
    ...(raw.region === undefined ? {} : { region: readString(raw.region, 'ledger.region') }),
  };
}

const readGlob = (value: unknown, field: string) => readString(value, field);
const readGlobs = (value: unknown, field: string) =>
  typeof value === 'string' ? [readGlob(value, field)] : readArray(value, field, readGlob, { min: 1 });

function readStatuses(value: unknown, field: string): string[] {
  return readArray(value, field, (v, f) => readEnum(v, f, RETRYABLE_STATUSES), { min: 1 });
}

function readInstanceTypes(value: unknown, field: string): number[] {
  return readArray(
    value,
    field,
    (v, f) => {
      const type = readInteger(v, f, 0, 99);
      if (type === 2)
        throw new ConfigError(f, '2 (manually scheduled) cannot be rerun by DataArts; leave it out');
      return type;
    },
    { min: 1 },
  );
}

function readBackoff(value: unknown, field: string, base: BackoffConfig): BackoffConfig {
  const raw = readObject(value, field, KEYS.backoff);
  const backoff: BackoffConfig = {
    baseMs: optional(raw, 'base', field, readDuration, base.baseMs),
    factor: optional(raw, 'factor', field, (v, f) => readNumber(v, f, 1, 10), base.factor),
    maxMs: optional(raw, 'max', field, readDuration, base.maxMs),
    jitter: optional(
      raw,
      'jitter',
      field,
      (v, f) => readEnum(v, f, ['equal', 'full', 'none'] as const),
      base.jitter,
    ),
  };
  if (backoff.maxMs < backoff.baseMs) throw new ConfigError(`${field}.max`, `must be at least ${field}.base`);
  return backoff;
}

function readRestart(value: unknown, field: string): RestartOptions {
  const raw = readObject(value, field, KEYS.restart);
  const options: RestartOptions = {};
  if (raw.retryLocation !== undefined) {
    options.retryLocation = readEnum(raw.retryLocation, `${field}.retryLocation`, [
      'error_node',
      'first_node',
      'specified_node',
    ] as const);
  }
  if (raw.nodeName !== undefined) options.nodeName = readString(raw.nodeName, `${field}.nodeName`);
  if (raw.jobParamVersion !== undefined) {
    options.jobParamVersion = readEnum(raw.jobParamVersion, `${field}.jobParamVersion`, [
      'original_version',
      'latest_version',
    ] as const);
  }
  if (raw.ignoreObsMonitor !== undefined)
    options.ignoreObsMonitor = readBoolean(raw.ignoreObsMonitor, `${field}.ignoreObsMonitor`);
  if ((options.retryLocation === 'specified_node') !== (options.nodeName !== undefined)) {
    throw new ConfigError(
      `${field}.nodeName`,
      'is required with retryLocation "specified_node", and only then',
    );
  }
  return options;
}

/** The fields a rule may override, read from `raw`; `base` supplies the backoff fields not given. */
function readRuleFields(raw: Json, field: string, base: RetryRule): Partial<Omit<RetryRule, 'name'>> {
  const out: { -readonly [K in keyof Omit<RetryRule, 'name'>]?: RetryRule[K] } = {};
  const at = (key: string) => (field ? `${field}.${key}` : key);
  if (raw.enabled !== undefined) out.enabled = readBoolean(raw.enabled, at('enabled'));
  if (raw.statuses !== undefined) out.statuses = readStatuses(raw.statuses, at('statuses'));
  if (raw.instanceTypes !== undefined)
    out.instanceTypes = readInstanceTypes(raw.instanceTypes, at('instanceTypes'));
  if (raw.maxAttempts !== undefined) out.maxAttempts = readInteger(raw.maxAttempts, at('maxAttempts'), 1, 20);
  if (raw.firstRetryDelay !== undefined)
    out.firstRetryDelayMs = readDuration(raw.firstRetryDelay, at('firstRetryDelay'));
  if (raw.backoff !== undefined) out.backoff = readBackoff(raw.backoff, at('backoff'), base.backoff);
  if (raw.restart !== undefined) out.restart = readRestart(raw.restart, at('restart'));
  if (raw.skipSuperseded !== undefined)
    out.skipSuperseded = readBoolean(raw.skipSuperseded, at('skipSuperseded'));
  return out;
}

function readStormGuard(value: unknown): StormGuardConfig {
  const d = DEFAULTS.stormGuard;
  const raw = readObject(value, 'policy.stormGuard', KEYS.stormGuard);
  const f = 'policy.stormGuard';
  return {
    enabled: optional(raw, 'enabled', f, readBoolean, d.enabled),
    maxFailedJobs: optional(
      raw,
      'maxFailedJobs',
      f,
      (v, x) => readInteger(v, x, 0, 1_000_000),
      d.maxFailedJobs,
    ),
    maxFailedRatio: optional(raw, 'maxFailedRatio', f, (v, x) => readNumber(v, x, 0, 1), d.maxFailedRatio),
    minInstances: optional(
      raw,
      'minInstances',
      f,
      (v, x) => readInteger(v, x, 1, 10_000_000),
      d.minInstances,
    ),
  };
}

function readPolicy(value: unknown): PolicyConfig {
  const raw = readObject(value === undefined ? {} : value, 'policy', KEYS.policy);
  const f = 'policy';
  const builtIn: RetryRule = {
    name: 'default',
    enabled: true,
    statuses: [...DEFAULTS.statuses],
    instanceTypes: [...DEFAULTS.instanceTypes],
    maxAttempts: DEFAULTS.maxAttempts,
    firstRetryDelayMs: readDuration(DEFAULTS.firstRetryDelay, 'firstRetryDelay'),
    backoff: {
      baseMs: readDuration(DEFAULTS.backoff.base, 'backoff.base'),
      factor: DEFAULTS.backoff.factor,
      maxMs: readDuration(DEFAULTS.backoff.max, 'backoff.max'),
      jitter: DEFAULTS.backoff.jitter,
    },
    skipSuperseded: false,
  };
  const defaults: RetryRule = { ...builtIn, ...readRuleFields(raw, f, builtIn) };
  const rules = optional(
    raw,
    'rules',
    f,
    (v, field) =>
      readArray(
        v,
        field,
        (item, itemField): RuleOverride => {
          const rule = readObject(item, itemField, KEYS.rule);
          if (rule.match === undefined)
            throw new ConfigError(`${itemField}.match`, 'is required: a job-name glob or a list of them');
          const match = readGlobs(rule.match, `${itemField}.match`);
          return {
            match,
            matchers: match.map(globToRegExp),
            overrides: readRuleFields(rule, itemField, defaults),
          };
        },
        { max: 200 },
      ),
    [] as RuleOverride[],
  );
  const jobs = optional(raw, 'jobs', f, readGlobs, ['*']);
  const excludeJobs = optional(
    raw,
    'excludeJobs',
    f,
    (v, x) => (Array.isArray(v) && v.length === 0 ? [] : readGlobs(v, x)),
    [] as string[],
  );
  return {
    lookbackMs: optional(
      raw,
      'lookback',
      f,
      (v, x) => {
        const ms = readDuration(v, x);
        if (ms < 60_000 || ms > 30 * 86_400_000) throw new ConfigError(x, 'must be from 1m to 30d');
        return ms;
      },
      readDuration(DEFAULTS.lookback, 'lookback'),
    ),
    jobs,
    excludeJobs,
    jobMatchers: jobs.map(globToRegExp),
    excludeMatchers: excludeJobs.map(globToRegExp),
    defaults,
    rules,
    maxRestartsPerSweep: optional(
      raw,
      'maxRestartsPerSweep',
      f,
      (v, x) => readInteger(v, x, 0, 100_000),
      DEFAULTS.maxRestartsPerSweep,
    ),
    maxRestartsPerHour: optional(
      raw,
      'maxRestartsPerHour',
      f,
      (v, x) => readInteger(v, x, 0, 1_000_000),
      DEFAULTS.maxRestartsPerHour,
    ),
    stormGuard: raw.stormGuard === undefined ? readStormGuard({}) : readStormGuard(raw.stormGuard),
    concurrency: optional(raw, 'concurrency', f, (v, x) => readInteger(v, x, 1, 64), DEFAULTS.concurrency),
    rateLimit: optional(raw, 'rateLimit', f, (v, x) => readNumber(v, x, 0.1, 1000), DEFAULTS.rateLimit),
  };
}

function readClient(value: unknown): ClientConfig {
  const raw = readObject(value === undefined ? {} : value, 'client', KEYS.client);
  const d = DEFAULTS.client;
  const f = 'client';
  const maxWindowMs = optional(
    raw,
    'maxWindow',
    f,
    readDuration,
    readDuration(d.maxWindow, 'client.maxWindow'),
  );
  if (maxWindowMs < 60_000) throw new ConfigError('client.maxWindow', 'must be at least 1m');
  return {
    timeoutMs: optional(
      raw,
      'timeout',
      f,
      (v, x) => {
        const ms = readDuration(v, x);
        if (ms < 100 || ms > 120_000) throw new ConfigError(x, 'must be from 100ms to 120s');
        return ms;
      },
      readDuration(d.timeout, 'client.timeout'),
    ),
    retries: optional(raw, 'retries', f, (v, x) => readInteger(v, x, 0, 10), d.retries),
    maxRetryAfterMs: optional(
      raw,
      'maxRetryAfter',
      f,
      readDuration,
      readDuration(d.maxRetryAfter, 'client.maxRetryAfter'),
    ),
    paging: optional(
      raw,
      'paging',
      f,
      (v, x) => readEnum(v, x, ['auto', 'page', 'record', 'none'] as const),
      d.paging,
    ),
    maxWindowMs,
    maxListRequests: optional(
      raw,
      'maxListRequests',
      f,
      (v, x) => readInteger(v, x, 10, 100_000),
      d.maxListRequests,
    ),
    restartLagMs: optional(
      raw,
      'restartLag',
      f,
      (v, x) => {
        const ms = readDuration(v, x);
        if (ms > 3_600_000) throw new ConfigError(x, 'must be at most 1h');
        return ms;
      },
      readDuration(d.restartLag, 'client.restartLag'),
    ),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof RegExp) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Validates a configuration (parsed JSON) into one typed, frozen object. Unknown
 * keys are rejected; every error is a ConfigError naming the field and what is allowed.
 */
export function parseConfig(input: unknown): Config {
  const raw = readObject(input, '', KEYS.root);
  const targets = readArray(raw.targets, 'targets', readTarget, { min: 1, max: 50 });
  const names = new Set<string>();
  targets.forEach((t, i) => {
    if (names.has(t.name))
      throw new ConfigError(`targets[${i}].name`, `"${t.name}" is used twice; names must be unique`);
    names.add(t.name);
  });
  checkDistinctTargets(targets);
  if (raw.ledger === undefined)
    throw new ConfigError(
      'ledger',
      'is required: {"type": "dynamodb", "table": ...} or {"type": "file", "path": ...}',
    );
  const policy = readPolicy(raw.policy);
  return deepFreeze({
    targets,
    ledger: readLedger(raw.ledger, policy.lookbackMs),
    policy,
    client: readClient(raw.client),
  });
}

/** Reads a config file's text: JSON errors are ConfigErrors too. */
export function parseConfigText(text: string, source: string): Config {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(source, `is not valid JSON (${(error as Error).message})`);
  }
  return parseConfig(json);
}
