import { parseConfig } from '../../lib/config/parse';
import type { Instance } from '../../lib/dataarts/instance';
import type { LedgerEntry } from '../../lib/ledger/ledger';
import { decide } from '../../lib/policy/decide';
import type { Decision } from '../../lib/policy/decision';
import { resolveRule } from '../../lib/policy/rules';

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const config = parseConfig({
  targets: [{ name: 't', endpoint: 'https://x', projectId: 'p' }],
  ledger: { type: 'file', path: 'l.json' },
  policy: {
    excludeJobs: ['tmp_*'],
    rules: [
      { match: 'legacy_*', enabled: false },
      { match: 'cancellable_*', statuses: ['fail', 'manual-stop'] },
      { match: 'patch_only_*', instanceTypes: [5] },
      { match: 'dedupe_*', skipSuperseded: true },
      { match: 'one_shot_*', maxAttempts: 1 },
    ],
  },
});

/** A failed instance; an override of `undefined` removes the field. */
const failed = (overrides: { [K in keyof Instance]?: Instance[K] | undefined } = {}): Instance => {
  const instance: Record<string, unknown> = {
    jobName: 'ods_orders',
    instanceId: '1',
    status: 'fail',
    planTime: NOW - 60 * MIN,
    endTime: NOW - 30 * MIN,
    instanceType: 0,
    ...overrides,
  };
  for (const key of Object.keys(instance)) if (instance[key] === undefined) delete instance[key];
  return instance as unknown as Instance;
};

const entry = (overrides: Partial<LedgerEntry> = {}): LedgerEntry => ({
  target: 't',
  workspace: 'default',
  jobName: 'ods_orders',
  instanceId: '1',
  attempts: 1,
  lastAttemptAt: NOW - 40 * MIN,
  notBefore: NOW - 30 * MIN,
  outcomes: {},
  expiresAt: 0,
  ...overrides,
});

type Row = [
  string,
  Instance,
  LedgerEntry | undefined,
  Partial<Decision> & Record<string, unknown>,
  { supersededBy?: string }?,
];

const rows: Row[] = [
  [
    'a fresh failure is restarted as attempt 1 of 3',
    failed(),
    undefined,
    { action: 'restart', attempt: 1, maxAttempts: 3, rule: 'default' },
  ],
  [
    'attempt 2 after the backoff passed',
    failed(),
    entry(),
    { action: 'restart', attempt: 2, maxAttempts: 3 },
  ],
  [
    'running is not failed',
    failed({ status: 'running' }),
    undefined,
    { action: 'skip', reason: 'not-failed' },
  ],
  [
    'success is not failed',
    failed({ status: 'success' }),
    undefined,
    { action: 'skip', reason: 'not-failed' },
  ],
  [
    'waiting is not failed',
    failed({ status: 'waiting' }),
    undefined,
    { action: 'skip', reason: 'not-failed' },
  ],
  [
    'manual-stop is opt-in',
    failed({ status: 'manual-stop' }),
    undefined,
    { action: 'skip', reason: 'status-not-selected' },
  ],
  [
    'manual-stop when a rule opts in',
    failed({ jobName: 'cancellable_x', status: 'manual-stop' }),
    undefined,
    { action: 'restart', attempt: 1 },
  ],
  [
    'running-exception cannot be rerun',
    failed({ status: 'running-exception' }),
    undefined,
    { action: 'skip', reason: 'status-not-restartable' },
  ],
  [
    'an unknown status is never retried',
    failed({ status: 'quantum' }),
    undefined,
    { action: 'skip', reason: 'unknown-status' },
  ],
  [
    'manual instances (type 2) cannot be rerun',
    failed({ instanceType: 2 }),
    undefined,
    { action: 'skip', reason: 'instance-type' },
  ],
  [
    'a type outside instanceTypes',
    failed({ jobName: 'patch_only_a', instanceType: 0 }),
    undefined,
    { action: 'skip', reason: 'instance-type' },
  ],
  ['missing instanceType is allowed', failed({ instanceType: undefined }), undefined, { action: 'restart' }],
  ['excluded by glob', failed({ jobName: 'tmp_scratch' }), undefined, { action: 'skip', reason: 'excluded' }],
  [
    'disabled by a rule',
    failed({ jobName: 'legacy_etl' }),
    undefined,
    { action: 'skip', reason: 'disabled-by-rule' },
  ],
  [
    'force-success set by an operator',
    failed({ forceSuccess: true }),
    undefined,
    { action: 'skip', reason: 'operator-override' },
  ],
  [
    'ignore-success set by an operator',
    failed({ ignoreSuccess: true }),
    undefined,
    { action: 'skip', reason: 'operator-override' },
  ],
  [
    'budget exhausted',
    failed(),
    entry({ attempts: 3 }),
    { action: 'skip', reason: 'budget-exhausted', attempt: 3, maxAttempts: 3 },
  ],
  [
    'budget of a one-shot rule',
    failed({ jobName: 'one_shot_a' }),
    entry({ attempts: 1 }),
    { action: 'skip', reason: 'budget-exhausted' },
  ],
  [
    'first retry waits firstRetryDelay after the failure ended',
    failed({ endTime: NOW - 2 * MIN }),
    undefined,
    { action: 'skip', reason: 'backing-off', until: NOW + 3 * MIN },
  ],
  [
    'backing off until notBefore',
    failed({ endTime: NOW - 30 * MIN }),
    entry({ notBefore: NOW + 7 * MIN }),
    { action: 'skip', reason: 'backing-off', until: NOW + 7 * MIN, attempt: 2 },
  ],
  [
    'without endTime, startTime counts',
    failed({ endTime: undefined, startTime: NOW - MIN }),
    undefined,
    { action: 'skip', reason: 'backing-off', until: NOW + 4 * MIN },
  ],
  [
    'superseded by a newer success (rule opts in)',
    failed({ jobName: 'dedupe_daily' }),
    undefined,
    { action: 'skip', reason: 'superseded' },
    { supersededBy: '9' },
  ],
  [
    'superseded is ignored unless opted in',
    failed(),
    undefined,
    { action: 'restart' },
    { supersededBy: '9' },
  ],
];

describe('decide', () => {
  it.each(rows)('%s', (_name, instance, ledgerEntry, expected, extra = {}) => {
    const rule = resolveRule(instance.jobName, config.policy);
    const decision = decide(instance, ledgerEntry, rule, NOW, { policy: config.policy, ...extra });
    expect(decision).toMatchObject(expected);
  });

  it('names the rule that applied', () => {
    const rule = resolveRule('one_shot_a', config.policy);
    expect(rule.name).toBe('rules[4] (one_shot_*)');
    expect(
      decide(failed({ jobName: 'one_shot_a' }), undefined, rule, NOW, { policy: config.policy }),
    ).toMatchObject({ rule: 'rules[4] (one_shot_*)', maxAttempts: 1 });
  });

  it('first matching rule wins', () => {
    const policy = parseConfig({
      ...{
        targets: [{ name: 't', endpoint: 'https://x', projectId: 'p' }],
        ledger: { type: 'file', path: 'l' },
      },
      policy: {
        rules: [
          { match: 'a*', maxAttempts: 1 },
          { match: 'ab*', maxAttempts: 5 },
        ],
      },
    }).policy;
    expect(resolveRule('abc', policy).maxAttempts).toBe(1);
  });
});
