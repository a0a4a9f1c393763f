import * as v from 'valibot';
import { duration, LOOKBACK_BOUNDS } from './duration';
import { bool, int, jsonSchema, list, num, strict } from './primitives';
import {
  BackoffSchema,
  FailureRuleSchemas,
  globs,
  InstanceTypesSchema,
  MaxAttemptsSchema,
  RestartSchema,
  RuleSchema,
  StatusesSchema,
} from './rule';

const StormGuardSchema = strict({
  enabled: v.optional(bool(), true),
  maxFailedJobs: v.pipe(
    v.optional(int(0, 1_000_000), 20),
    jsonSchema({ description: 'Storm when more than this many distinct jobs failed in the window.' }),
  ),
  maxFailedRatio: v.optional(num(0, 1), 0.5),
  minInstances: v.optional(int(1, 10_000_000), 20),
  window: v.pipe(
    v.optional(duration(), '1h'),
    jsonSchema({
      description:
        'Only failures that ended this recently count (clamped to lookback); the ratio counts instances planned in it.',
    }),
  ),
});

/**
 * The retry policy as written: the per-job settings with their defaults (overridden
 * per job by `rules`), and the settings that shape the whole sweep, which rules
 * cannot change. `resolvePolicy` (policy.ts) turns it into what the sweep uses.
 */
export const PolicyFieldsSchema = strict({
  lookback: v.optional(duration(LOOKBACK_BOUNDS), '24h'),
  jobs: v.optional(globs(1), ['*']),
  excludeJobs: v.optional(globs(0), []),
  statuses: v.optional(StatusesSchema, ['fail']),
  instanceTypes: v.optional(InstanceTypesSchema, [0, 5, 6, 7]),
  maxAttempts: v.optional(MaxAttemptsSchema, 3),
  firstRetryDelay: v.optional(duration(), '5m'),
  backoff: v.optional(BackoffSchema, {}),
  restart: v.exactOptional(RestartSchema),
  skipSuperseded: v.optional(bool(), false),
  neverRetryOn: v.optional(FailureRuleSchemas.neverRetryOn, []),
  retryOn: v.exactOptional(FailureRuleSchemas.retryOn),
  failedNodeTypes: v.exactOptional(FailureRuleSchemas.failedNodeTypes),
  neverRetryNodeTypes: v.optional(FailureRuleSchemas.neverRetryNodeTypes, []),
  unknownFailure: v.optional(FailureRuleSchemas.unknownFailure, 'retry'),
  rules: v.optional(list(RuleSchema, { max: 200 }), []),
  maxRestartsPerSweep: v.optional(int(0, 100_000), 50),
  maxRestartsPerHour: v.optional(int(0, 1_000_000), 200),
  stormGuard: v.optional(StormGuardSchema, {}),
  concurrency: v.pipe(
    v.optional(int(1, 64), 4),
    jsonSchema({ description: 'Requests in flight per credential, shared by every target that uses it.' }),
  ),
  rateLimit: v.pipe(
    v.optional(num(0.1, 1000), 10),
    jsonSchema({ description: 'Requests per second per credential, over all its targets.' }),
  ),
});

export type PolicyFields = v.InferOutput<typeof PolicyFieldsSchema>;
/** The storm guard's thresholds (its `window` is applied by the sweep, which picks what is counted). */
export type StormGuardConfig = Readonly<Omit<v.InferOutput<typeof StormGuardSchema>, 'window'>>;
