import { parseConfig } from '../../lib/config/parse';
import type { RetryRule } from '../../lib/config/types';
import type { Instance } from '../../lib/dataarts/instance';
import type { InstanceKey, LedgerEntry } from '../../lib/ledger/ledger';
import { decide, failureTime } from '../../lib/policy/decide';
import { type Decision, SKIP_REASONS } from '../../lib/policy/decision';
import { isNewerFailure, isSameFailure } from '../../lib/policy/failure-identity';
import { resolveRule } from '../../lib/policy/rules';
import { claimRequest } from '../support/ledger-entries';
import { MemoryLedger } from '../support/memory-ledger';

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

/** A ledger entry; an override of `undefined` removes the field. */
const entry = (overrides: { [K in keyof LedgerEntry]?: LedgerEntry[K] | undefined } = {}): LedgerEntry => {
  const result: Record<string, unknown> = {
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
  };
  for (const key of Object.keys(result)) if (result[key] === undefined) delete result[key];
  return result as unknown as LedgerEntry;
};

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

/** Exact decisions, detail text included: what the report and the dry run show an operator. */
describe('decide: every reason, exactly as reported', () => {
  const base = config.policy.defaults;
  const policy = config.policy;
  const run = (
    instance: Instance,
    ledgerEntry: LedgerEntry | undefined,
    rule: RetryRule = base,
    context: { supersededBy?: string } = {},
  ) => decide(instance, ledgerEntry, rule, NOW, { policy, ...context });
  const budget = { rule: 'default', maxAttempts: 3 };

  it.each([
    'waiting',
    'running',
    'success',
    'pause',
    'skip-by-depend',
    'freeze',
    'waiting-confirm',
    'forceSuccess',
    'ignoreSuccess',
  ])('status %s is not a failure', (status) => {
    expect(run(failed({ status }), undefined)).toEqual({
      action: 'skip',
      reason: 'not-failed',
      detail: `status ${status}`,
      rule: 'default',
    });
  });

  it('a restartable status outside the rule’s statuses names them', () => {
    expect(run(failed({ status: 'manual-stop' }), undefined, { ...base, statuses: ['fail', 'x'] })).toEqual({
      action: 'skip',
      reason: 'status-not-selected',
      detail: 'status manual-stop is not in statuses [fail, x]',
      rule: 'default',
    });
    // `fail` is restartable too: a rule that selects only manual-stop skips it the same way.
    expect(run(failed(), undefined, { ...base, statuses: ['manual-stop'] })).toMatchObject({
      reason: 'status-not-selected',
      detail: 'status fail is not in statuses [manual-stop]',
    });
  });

  it('running-exception and unknown statuses', () => {
    expect(run(failed({ status: 'running-exception' }), undefined)).toEqual({
      action: 'skip',
      reason: 'status-not-restartable',
      detail: 'status running-exception cannot be rerun',
      rule: 'default',
    });
    expect(run(failed({ status: 'quantum' }), undefined)).toEqual({
      action: 'skip',
      reason: 'unknown-status',
      detail: 'unknown status "quantum"',
      rule: 'default',
    });
  });

  it('excluded and disabled', () => {
    expect(run(failed({ jobName: 'tmp_x' }), undefined)).toEqual({
      action: 'skip',
      reason: 'excluded',
      detail: SKIP_REASONS.excluded,
      rule: 'default',
    });
    expect(run(failed(), undefined, { ...base, name: 'rules[0] (x)', enabled: false })).toEqual({
      action: 'skip',
      reason: 'disabled-by-rule',
      detail: 'disabled by rules[0] (x)',
      rule: 'rules[0] (x)',
    });
  });

  it('a manual instance (type 2) is never rerun, even when a rule lists type 2', () => {
    const manual = {
      action: 'skip',
      reason: 'instance-type',
      detail: 'manually scheduled instances (type 2) cannot be rerun',
      rule: 'default',
    };
    expect(run(failed({ instanceType: 2 }), undefined)).toEqual(manual);
    expect(run(failed({ instanceType: 2 }), undefined, { ...base, instanceTypes: [0, 2] })).toEqual(manual);
    expect(run(failed({ instanceType: 6 }), undefined, { ...base, instanceTypes: [0, 5] })).toEqual({
      action: 'skip',
      reason: 'instance-type',
      detail: 'instance type 6 is not in instanceTypes [0, 5]',
      rule: 'default',
    });
  });

  it('operator overrides say which one', () => {
    expect(run(failed({ forceSuccess: true }), undefined)).toEqual({
      action: 'skip',
      reason: 'operator-override',
      detail: 'marked force-success by an operator',
      rule: 'default',
    });
    expect(run(failed({ ignoreSuccess: true }), undefined)).toEqual({
      action: 'skip',
      reason: 'operator-override',
      detail: 'marked ignore-success by an operator',
      rule: 'default',
    });
    expect(run(failed({ forceSuccess: false, ignoreSuccess: false }), undefined)).toMatchObject({
      action: 'restart',
    });
  });

  it('the failure time is the start, else the end, else the plan time; none at all is reported', () => {
    const restartAt = (instance: Instance) => run(instance, undefined);
    expect(restartAt(failed({ endTime: NOW - 10 * MIN, startTime: NOW - 20 * MIN }))).toEqual({
      action: 'restart',
      attempt: 1,
      ...budget,
      failureAt: NOW - 20 * MIN,
      // The fields the answer had, for the claim to record (lib/policy/failure-identity.ts).
      failureStart: NOW - 20 * MIN,
      failureEnd: NOW - 10 * MIN,
    });
    const endOnly = restartAt(failed({ endTime: NOW - 10 * MIN, startTime: undefined }));
    expect(endOnly).toMatchObject({ failureAt: NOW - 10 * MIN, failureEnd: NOW - 10 * MIN });
    expect(endOnly).not.toHaveProperty('failureStart');
    const planOnly = restartAt(
      failed({ endTime: undefined, startTime: undefined, planTime: NOW - 60 * MIN }),
    );
    expect(planOnly).toMatchObject({ failureAt: NOW - 60 * MIN });
    expect(planOnly).not.toHaveProperty('failureStart');
    expect(planOnly).not.toHaveProperty('failureEnd');
    expect(restartAt(failed({ endTime: undefined, planTime: undefined }))).toEqual({
      action: 'skip',
      reason: 'no-failure-time',
      detail: SKIP_REASONS['no-failure-time'],
      rule: 'default',
    });
  });

  it('the first retry delay counts from the end of the run, else from the failure time', () => {
    expect(run(failed({ startTime: NOW - 60 * MIN, endTime: NOW - 4 * MIN }), undefined)).toMatchObject({
      reason: 'backing-off',
      until: NOW + MIN,
    });
    expect(run(failed({ startTime: NOW - 4 * MIN, endTime: undefined }), undefined)).toMatchObject({
      reason: 'backing-off',
      until: NOW + MIN,
    });
  });

  it('backing off names the attempt and the time, and is eligible at exactly that time', () => {
    const ended = failed({ endTime: NOW - 2 * MIN });
    expect(run(ended, undefined)).toEqual({
      action: 'skip',
      reason: 'backing-off',
      detail: 'next attempt 1 of 3 at 2026-11-24T08:03:00Z',
      attempt: 1,
      ...budget,
      until: NOW + 3 * MIN,
    });
    expect(run(failed({ endTime: NOW - 5 * MIN }), undefined)).toMatchObject({ action: 'restart' });
    expect(run(failed(), entry({ notBefore: NOW }))).toMatchObject({ action: 'restart', attempt: 2 });
    expect(run(failed(), entry({ notBefore: NOW + 1 }))).toMatchObject({
      reason: 'backing-off',
      until: NOW + 1,
    });
  });

  it('a time beyond any date (an end in nanoseconds) never throws: its detail shows the number as given', () => {
    const endTime = (NOW - 30 * MIN) * 1e6;
    expect(run(failed({ endTime }), undefined)).toMatchObject({
      reason: 'backing-off',
      detail: `next attempt 1 of 3 at ${endTime + 5 * MIN} (not a time)`,
    });
  });

  it('budget exhausted and superseded', () => {
    expect(run(failed(), entry({ attempts: 3 }))).toEqual({
      action: 'skip',
      reason: 'budget-exhausted',
      detail: '3 of 3 attempts used',
      attempt: 3,
      ...budget,
    });
    expect(
      run(failed(), entry({ attempts: 2 }), { ...base, skipSuperseded: true }, { supersededBy: '42' }),
    ).toEqual({
      action: 'skip',
      reason: 'superseded',
      detail: 'newer instance 42 of this job succeeded',
      attempt: 3,
      ...budget,
    });
    expect(run(failed(), undefined, { ...base, skipSuperseded: true })).toMatchObject({ action: 'restart' });
  });

  describe('the previous attempt', () => {
    const failedAt = NOW - 30 * MIN;
    const last = (overrides: { [K in keyof LedgerEntry]?: LedgerEntry[K] | undefined }) =>
      entry({ failureAt: failedAt, notBefore: NOW - MIN, claimId: 'c', ...overrides });

    it('in flight under its lease', () => {
      expect(run(failed(), last({ lastOutcome: 'in-flight', leaseUntil: NOW + 1 }))).toEqual({
        action: 'skip',
        reason: 'in-flight',
        detail: 'attempt 1 is in flight until 2026-11-24T08:00:00.001Z',
        until: NOW + 1,
        attempt: 1,
        ...budget,
      });
      // Also for a newer failure: the lease holder decides first.
      expect(
        run(failed({ endTime: NOW - 10 * MIN }), last({ lastOutcome: 'in-flight', leaseUntil: NOW + 1 })),
      ).toMatchObject({ reason: 'in-flight' });
    });

    it('an unknown outcome holds the same failure while its lease runs, then frees it', () => {
      for (const lastOutcome of ['in-flight', 'unconfirmed'] as const) {
        expect(run(failed(), last({ lastOutcome, leaseUntil: NOW }))).toMatchObject({
          action: 'restart',
          attempt: 2,
        });
        expect(run(failed(), last({ lastOutcome, leaseUntil: undefined }))).toMatchObject({
          action: 'restart',
        });
      }
      expect(run(failed(), last({ lastOutcome: 'unconfirmed', leaseUntil: NOW + MIN }))).toEqual({
        action: 'skip',
        reason: 'outcome-unknown',
        detail: 'attempt 1: outcome unknown until 2026-11-24T08:01:00Z',
        until: NOW + MIN,
        attempt: 1,
        ...budget,
      });
    });

    it('a known outcome holds the very failure it answered (and older ones), never a newer one', () => {
      const answered = {
        action: 'skip',
        reason: 'already-attempted',
        detail: 'attempt 1 (restarted) answered this failure; waiting for a new one',
        attempt: 1,
        ...budget,
      };
      expect(run(failed(), last({ lastOutcome: 'restarted', leaseUntil: NOW + MIN }))).toEqual(answered);
      expect(run(failed(), last({ lastOutcome: 'restarted', failureAt: failedAt + 1 }))).toEqual(answered);
      expect(run(failed(), last({ lastOutcome: 'restarted', failureAt: failedAt - 1 }))).toMatchObject({
        action: 'restart',
        attempt: 2,
        failureAt: failedAt,
      });
      // An entry from before failures were recorded holds nothing.
      expect(run(failed(), last({ lastOutcome: 'restarted', failureAt: undefined }))).toMatchObject({
        action: 'restart',
      });
    });

    it('tells a failure by its fields: dropped or added fields are the same failure, a later end a new one', () => {
      const S = failedAt - 20 * MIN;
      const byFields = (overrides: Parameters<typeof last>[0]) =>
        last({ failureAt: S, failureStart: S, failureEnd: failedAt, ...overrides });
      // The same run answered without its startTime (failureTime moves from S to the end): held.
      expect(run(failed({ endTime: failedAt }), byFields({ lastOutcome: 'restarted' }))).toMatchObject({
        reason: 'already-attempted',
      });
      // No comparable field: refused as already attempted, never rerun.
      expect(
        run(
          failed({ endTime: undefined, startTime: S + MIN }),
          byFields({ lastOutcome: 'restarted', failureStart: undefined }),
        ),
      ).toMatchObject({ reason: 'already-attempted' });
      // A rerun that kept the instance's start and ended later: new; its claim names a time above the entry's.
      expect(
        run(failed({ startTime: S, endTime: failedAt + 10 * MIN }), byFields({ lastOutcome: 'restarted' })),
      ).toMatchObject({
        action: 'restart',
        attempt: 2,
        failureAt: S + 1,
        failureStart: S,
        failureEnd: failedAt + 10 * MIN,
      });
      // An unknown outcome, lease over, the same run without its start: the same failure, named as before.
      expect(
        run(failed({ endTime: failedAt }), byFields({ lastOutcome: 'unconfirmed', leaseUntil: NOW })),
      ).toEqual({
        action: 'restart',
        attempt: 2,
        ...budget,
        failureAt: S,
        failureStart: S,
        failureEnd: failedAt,
      });
      // ... but an unknown outcome and an answer that cannot be told from it: refused.
      expect(
        run(
          failed({ endTime: undefined, startTime: S + MIN }),
          byFields({ lastOutcome: 'unconfirmed', leaseUntil: NOW, failureStart: undefined }),
        ),
      ).toMatchObject({ reason: 'already-attempted' });
      // After a reset (count 0) of a rerun: an answer that cannot be told from its failure is refused.
      expect(
        run(
          failed({ endTime: undefined, startTime: S + MIN }),
          byFields({ attempts: 0, lastOutcome: 'restarted', failureStart: undefined }),
        ),
      ).toMatchObject({ action: 'skip', reason: 'already-attempted', attempt: 1 });
      expect(
        run(failed({ endTime: failedAt }), byFields({ attempts: 0, lastOutcome: 'restarted' })),
      ).toMatchObject({
        action: 'restart',
        attempt: 1,
        failureAt: S,
      });
    });

    it('a released attempt (count 0) or an entry without an outcome holds nothing', () => {
      expect(run(failed(), last({ attempts: 0, lastOutcome: 'released' }))).toMatchObject({
        action: 'restart',
        attempt: 1,
      });
      expect(run(failed(), last({ lastOutcome: undefined }))).toMatchObject({
        action: 'restart',
        attempt: 2,
      });
    });

    it('a refused last attempt with the budget used is exhausted (needs a human); a restarted one waits', () => {
      expect(run(failed(), last({ attempts: 3, lastOutcome: 'rejected' }))).toMatchObject({
        reason: 'budget-exhausted',
        attempt: 3,
      });
      expect(run(failed(), last({ attempts: 3, lastOutcome: 'not-found' }))).toMatchObject({
        reason: 'budget-exhausted',
      });
      expect(run(failed(), last({ attempts: 3, lastOutcome: 'restarted' }))).toMatchObject({
        reason: 'already-attempted',
        attempt: 3,
      });
      expect(run(failed(), last({ attempts: 2, lastOutcome: 'rejected' }))).toMatchObject({
        reason: 'already-attempted',
        detail: 'attempt 2 (rejected) answered this failure; waiting for a new one',
      });
      expect(
        run(failed(), last({ attempts: 3, lastOutcome: 'unconfirmed', leaseUntil: NOW + 1 })),
      ).toMatchObject({
        reason: 'outcome-unknown',
      });
    });
  });
});

/**
 * The failure a decision answers is named by start, else end, else plan time: one failed
 * run must stay one failure when a later answer lacks a field (at most one rerun per
 * observed failure), and a rerun that fails again must be a new one even when its
 * instance keeps its startTime (nothing silently missed).
 */
describe('failureTime across sweeps, with zero backoff', () => {
  const zeroBackoff = parseConfig({
    targets: [{ name: 't', endpoint: 'https://x', projectId: 'p' }],
    ledger: { type: 'file', path: 'l.json' },
    // The README: the promises hold with zero backoff.
    policy: { maxAttempts: 3, firstRetryDelay: '0s', backoff: { base: '0s', max: '0s' } },
  }).policy;
  const rule = resolveRule('ods_orders', zeroBackoff);
  const context = { policy: zeroBackoff };
  const key: InstanceKey = { target: 't', workspace: 'default', jobName: 'ods_orders', instanceId: '1' };

  /** A failed run planned 90 minutes ago, with these times. */
  const failedRun = (times: Partial<Instance>): Instance => failed({ planTime: NOW - 90 * MIN, ...times });

  /** Sweep-like: read, decide, claim, settle as `outcome`. Returns whether a restart went out. */
  async function sweepOnce(
    ledger: MemoryLedger,
    instance: Instance,
    now: number,
    outcome: 'restarted' | 'unconfirmed',
  ) {
    const entry = [...(await ledger.read([key])).values()][0];
    const decision = decide(instance, entry, rule, now, context);
    if (decision.action !== 'restart') return false;
    const claimId = `c${now}`;
    const claimed = await ledger.claim(
      key,
      claimRequest(now, {
        expectedAttempts: decision.attempt - 1,
        maxAttempts: decision.maxAttempts,
        claimId,
        failureAt: decision.failureAt,
        ...(decision.failureStart === undefined ? {} : { failureStart: decision.failureStart }),
        ...(decision.failureEnd === undefined ? {} : { failureEnd: decision.failureEnd }),
      }),
    );
    if (!claimed) return false;
    await ledger.settle(key, { attempt: decision.attempt, claimId, at: now, outcome });
    return true;
  }

  describe('one failed run named two ways', () => {
    const S1 = NOW - 60 * MIN;
    const E1 = NOW - 30 * MIN;

    it('the same failed run, answered once with startTime and once without, is one failure', () => {
      // Every field but jobName, instanceId and status is optional (reference sheet).
      const full = failedRun({ startTime: S1, endTime: E1 });
      const bare = failedRun({ endTime: E1 });
      const answered = (i: Instance) => ({
        failureAt: failureTime(i) ?? 0,
        ...(i.startTime === undefined ? {} : { failureStart: i.startTime }),
        ...(i.endTime === undefined ? {} : { failureEnd: i.endTime }),
      });
      expect(isNewerFailure(bare, answered(full))).toBe(false);
      expect(isNewerFailure(full, answered(bare))).toBe(false);
      expect(isSameFailure(bare, answered(full))).toBe(true);
      expect(isSameFailure(full, answered(bare))).toBe(true);
    });

    it('a later answer of the same failure that lacks startTime gets no second rerun (restart lag, zero backoff)', async () => {
      const ledger = new MemoryLedger();
      // Sweep 1: the failure, with startTime; the restart is accepted (DataArts applies it after a lag).
      expect(await sweepOnce(ledger, failedRun({ startTime: S1, endTime: E1 }), NOW, 'restarted')).toBe(true);
      // Sweep 2, 30 s later, within the restart lag: the SAME failed run, this answer without startTime.
      expect(await sweepOnce(ledger, failedRun({ endTime: E1 }), NOW + 30_000, 'restarted')).toBe(false);
    });

    it('an unknown outcome blocks the same failure while its lease runs, also when startTime drops out', async () => {
      const ledger = new MemoryLedger();
      // 502 after DataArts acted: unconfirmed, lease 190 s.
      expect(await sweepOnce(ledger, failedRun({ startTime: S1, endTime: E1 }), NOW, 'unconfirmed')).toBe(
        true,
      );
      // 10 s later, lease still running, same failed run without startTime.
      expect(await sweepOnce(ledger, failedRun({ endTime: E1 }), NOW + 10_000, 'unconfirmed')).toBe(false);
      // After the lease, the very same failure still shows (the rerun never started): claimed again, once.
      expect(await sweepOnce(ledger, failedRun({ endTime: E1 }), NOW + 200_000, 'restarted')).toBe(true);
      expect(
        await sweepOnce(ledger, failedRun({ startTime: S1, endTime: E1 }), NOW + 400_000, 'restarted'),
      ).toBe(false);
    });
  });

  describe('a new failure must not be refused forever', () => {
    it('a rerun that fails again later is a new failure even if the answer keeps the instance startTime', async () => {
      // Nothing in the reference says a rerun moves the instance's startTime (e.g. a rerun from
      // the failed node, retry_location error_node); the end time of a rerun always moves.
      const S1 = NOW - 60 * MIN;
      const ledger = new MemoryLedger();
      expect(
        await sweepOnce(
          ledger,
          failedRun({ startTime: S1, endTime: NOW - 30 * MIN }),
          NOW - 20 * MIN,
          'restarted',
        ),
      ).toBe(true);
      // The rerun ran and failed again, ending 5 minutes ago; startTime still S1.
      const again = failedRun({ startTime: S1, endTime: NOW - 5 * MIN });
      const entry = [...(await ledger.read([key])).values()][0];
      const decision = decide(again, entry, rule, NOW, context);
      expect(decision).toMatchObject({ action: 'restart', attempt: 2 });
    });
  });
});
