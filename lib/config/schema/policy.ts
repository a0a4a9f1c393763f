import * as v from 'valibot';
import { compileGlob } from '../../util/glob';
import type { DeepReadonly } from '../deep-readonly';
import { type PolicyFields, PolicyFieldsSchema } from './policy-fields';
import { pathTo } from './primitives';

type Rule = PolicyFields['rules'][number];
type Backoff = PolicyFields['backoff'];

const asList = (globs: string | string[]) => (typeof globs === 'string' ? [globs] : globs);

const backoffConfig = (b: Backoff) => ({ baseMs: b.base, factor: b.factor, maxMs: b.max, jitter: b.jitter });

/** The policy's own per-job settings: what applies to a job no rule matches. */
function defaultRule(p: PolicyFields) {
  return {
    name: 'default',
    enabled: true,
    // Read as strings: the sweep compares them with whatever status DataArts lists.
    statuses: p.statuses as readonly string[],
    instanceTypes: p.instanceTypes,
    maxAttempts: p.maxAttempts,
    firstRetryDelayMs: p.firstRetryDelay,
    backoff: backoffConfig(p.backoff),
    ...(p.restart === undefined ? {} : { restart: p.restart }),
    skipSuperseded: p.skipSuperseded,
    neverRetryOn: p.neverRetryOn as readonly string[],
    ...(p.retryOn === undefined ? {} : { retryOn: p.retryOn as readonly string[] }),
    ...(p.failedNodeTypes === undefined ? {} : { failedNodeTypes: p.failedNodeTypes as readonly string[] }),
    neverRetryNodeTypes: p.neverRetryNodeTypes as readonly string[],
    unknownFailure: p.unknownFailure,
  };
}

/** The retry policy that applies to one job (defaults merged with the first matching rule). */
export type RetryRule = DeepReadonly<ReturnType<typeof defaultRule>> & {
  readonly restart?: DeepReadonly<NonNullable<PolicyFields['restart']>>;
  readonly retryOn?: readonly string[];
  readonly failedNodeTypes?: readonly string[];
};
export type BackoffConfig = RetryRule['backoff'];
export type Jitter = BackoffConfig['jitter'];

/** A rule's settings; its backoff fields replace the policy's one by one. */
function ruleOverride({ match, firstRetryDelay, backoff, ...same }: Rule, base: BackoffConfig) {
  const overrides: Partial<Omit<RetryRule, 'name'>> = {
    ...same,
    ...(firstRetryDelay === undefined ? {} : { firstRetryDelayMs: firstRetryDelay }),
    ...(backoff === undefined
      ? {}
      : {
          backoff: {
            ...base,
            ...(backoff.base === undefined ? {} : { baseMs: backoff.base }),
            ...(backoff.factor === undefined ? {} : { factor: backoff.factor }),
            ...(backoff.max === undefined ? {} : { maxMs: backoff.max }),
            ...(backoff.jitter === undefined ? {} : { jitter: backoff.jitter }),
          },
        }),
  };
  const globs = asList(match);
  return { match: globs, matchers: globs.map(compileGlob), overrides };
}

/**
 * A backoff whose cap is below its base, the policy's or a rule's (whose fields replace
 * the policy's one by one). Checked beside the other problems of the policy, each
 * backoff only where it and what it builds on are valid.
 */
function checkBackoffs({ dataset, addIssue }: v.RawCheckContext<PolicyFields>) {
  const paths = (dataset.issues ?? []).map((issue) => (issue.path ?? []).map((item) => item.key));
  const broken = (...keys: (string | number)[]) =>
    paths.some((path) => keys.every((key, i) => path[i] === key));
  // Not an object, or no valid base for any backoff: nothing to compare.
  if (paths.some((path) => path.length === 0) || broken('backoff')) return;
  const p = dataset.value as PolicyFields;
  const base = backoffConfig(p.backoff);
  const rulesValid = !paths.some((path) => path.length === 1 && path[0] === 'rules');
  const backoffs = [
    { at: ['backoff'] as (string | number)[], backoff: base },
    ...(rulesValid ? p.rules : []).flatMap((rule, i) =>
      broken('rules', i)
        ? []
        : [{ at: ['rules', i, 'backoff'], backoff: ruleOverride(rule, base).overrides.backoff }],
    ),
  ];
  for (const { at, backoff } of backoffs) {
    if (backoff && backoff.maxMs < backoff.baseMs)
      addIssue({
        message: `must be at least backoff.base (${backoff.baseMs} ms), got ${backoff.maxMs} ms`,
        path: pathTo(...at, 'max'),
      });
  }
}

/** The incident settings in milliseconds, as the breaker reads them. */
function resolveIncidents(i: PolicyFields['incidents']) {
  return {
    enabled: i.enabled,
    minJobs: i.minJobs,
    windowMs: i.window,
    probe: { firstMs: i.probe.first, maxMs: i.probe.max },
    release: { first: i.release.first, everyMs: i.release.every },
    causes: i.causes,
  };
}

/** Resolves the policy as written into what the sweep uses. */
function resolvePolicy(p: PolicyFields) {
  const defaults = defaultRule(p);
  const rules = p.rules.map((rule) => ruleOverride(rule, defaults.backoff));
  const jobs = asList(p.jobs);
  const excludeJobs = asList(p.excludeJobs);
  return {
    lookbackMs: p.lookback,
    jobs,
    excludeJobs,
    jobMatchers: jobs.map(compileGlob),
    excludeMatchers: excludeJobs.map(compileGlob),
    defaults,
    rules,
    maxRestartsPerSweep: p.maxRestartsPerSweep,
    maxRestartsPerHour: p.maxRestartsPerHour,
    stormGuard: p.stormGuard,
    incidents: resolveIncidents(p.incidents),
    concurrency: p.concurrency,
    rateLimit: p.rateLimit,
  };
}

/** The retry policy: validated, defaults applied, rules resolved, globs compiled. */
export const PolicySchema = v.pipe(PolicyFieldsSchema, v.rawCheck(checkBackoffs), v.transform(resolvePolicy));

export type PolicyConfig = DeepReadonly<v.InferOutput<typeof PolicySchema>>;
export type RuleOverride = PolicyConfig['rules'][number];
export type IncidentsConfig = PolicyConfig['incidents'];
