import * as v from 'valibot';
import { duration, LOOKBACK_BOUNDS } from './duration';
import { IncidentsSchema } from './incidents';
import { bool, int, jsonSchema, list, num, strict } from './primitives';
import {
  BackoffSchema,
  FailureRuleSchemas,
  FIRST_RETRY_DELAY,
  globs,
  InstanceTypesSchema,
  MaxAttemptsSchema,
  RestartSchema,
  RuleSchema,
  SkipSupersededSchema,
  StatusesSchema,
} from './rule';

const StormGuardSchema = v.pipe(
  strict({
    enabled: v.pipe(
      v.optional(bool(), true),
      jsonSchema({ description: 'Restart nothing on a target when a storm is suspected.' }),
    ),
    maxFailedJobs: v.pipe(
      v.optional(int(0, 1_000_000), 20),
      jsonSchema({ description: 'Storm when more than this many distinct jobs failed in the window.' }),
    ),
    maxFailedRatio: v.pipe(
      v.optional(num(0, 1), 0.5),
      jsonSchema({
        description: '...or when more than this share of the instances planned in the window failed.',
      }),
    ),
    minInstances: v.pipe(
      v.optional(int(1, 10_000_000), 20),
      jsonSchema({ description: '...the ratio counts from this many instances on.' }),
    ),
    window: v.pipe(
      v.optional(duration(), '1h'),
      jsonSchema({
        description:
          'Only failures that ended this recently count (clamped to lookback); the ratio counts instances planned in it.',
      }),
    ),
  }),
  jsonSchema({ description: 'Restart nothing on a target whose failures look like an outage, not a job.' }),
);

/**
 * The retry policy as written: the per-job settings with their defaults (overridden
 * per job by `rules`), and the settings that shape the whole sweep, which rules
 * cannot change. `resolvePolicy` (policy.ts) turns it into what the sweep uses.
 */
export const PolicyFieldsSchema = strict({
  lookback: v.optional(duration(LOOKBACK_BOUNDS, 'Window of plan time swept.'), '24h'),
  jobs: v.pipe(
    v.optional(globs(1), ['*']),
    jsonSchema({ description: 'Job-name glob(s) to include (`*`, `?`).' }),
  ),
  excludeJobs: v.pipe(
    v.optional(globs(0), []),
    jsonSchema({ description: 'Job-name glob(s) to exclude (wins over jobs).' }),
  ),
  statuses: v.optional(StatusesSchema, ['fail']),
  instanceTypes: v.optional(InstanceTypesSchema, [0, 5, 6, 7]),
  maxAttempts: v.optional(MaxAttemptsSchema, 3),
  firstRetryDelay: v.optional(duration({}, FIRST_RETRY_DELAY), '5m'),
  backoff: v.optional(BackoffSchema, {}),
  restart: v.exactOptional(RestartSchema),
  skipSuperseded: v.optional(SkipSupersededSchema, false),
  neverRetryOn: v.optional(FailureRuleSchemas.neverRetryOn, []),
  retryOn: v.exactOptional(FailureRuleSchemas.retryOn),
  failedNodeTypes: v.exactOptional(FailureRuleSchemas.failedNodeTypes),
  neverRetryNodeTypes: v.optional(FailureRuleSchemas.neverRetryNodeTypes, []),
  unknownFailure: v.optional(FailureRuleSchemas.unknownFailure, 'retry'),
  rules: v.pipe(
    v.optional(list(RuleSchema, { max: 200 }), []),
    jsonSchema({ description: 'Ordered per-job overrides; the first whose match fits a job wins.' }),
  ),
  maxRestartsPerSweep: v.pipe(
    v.optional(int(0, 100_000), 50),
    jsonSchema({ description: 'Restarts per sweep over all targets, shared round-robin by priority.' }),
  ),
  maxRestartsPerHour: v.pipe(
    v.optional(int(0, 1_000_000), 200),
    jsonSchema({ description: 'Restarts per target per clock hour, counted across sweeps in the ledger.' }),
  ),
  stormGuard: v.optional(StormGuardSchema, {}),
  incidents: v.optional(IncidentsSchema, {}),
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
