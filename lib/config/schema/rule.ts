import * as v from 'valibot';
import { unsafePattern } from '../../util/unsafe-pattern';
import { duration } from './duration';
import { bool, describe, int, jsonSchema, list, num, oneOf, say, strict, text } from './primitives';

/** Statuses a policy may retry: `running-exception` cannot be rerun by DataArts. */
export const RETRYABLE_STATUSES = ['fail', 'manual-stop'] as const;

export const StatusesSchema = list(oneOf(RETRYABLE_STATUSES), { min: 1 });

export const InstanceTypesSchema = v.pipe(
  list(
    v.pipe(int(0, 99), v.notValue(2, '2 (manually scheduled) cannot be rerun by DataArts; leave it out')),
    { min: 1 },
  ),
  jsonSchema({ description: '0 normal, 5 PatchData, 6 subjob, 7 run once. 2 (manual) cannot be rerun.' }),
);

export const MaxAttemptsSchema = int(1, 20);

const BACKOFF = {
  base: duration(),
  factor: num(1, 10),
  max: duration(),
  jitter: oneOf(['equal', 'full', 'none']),
};

/** The policy's backoff: every field has its default. */
export const BackoffSchema = strict({
  base: v.optional(BACKOFF.base, '10m'),
  factor: v.optional(BACKOFF.factor, 2),
  max: v.optional(BACKOFF.max, '2h'),
  jitter: v.optional(BACKOFF.jitter, 'equal'),
});

/** A rule's backoff: the fields it sets replace the policy's, one by one. */
export const BackoffOverrideSchema = strict({
  base: v.exactOptional(BACKOFF.base),
  factor: v.exactOptional(BACKOFF.factor),
  max: v.exactOptional(BACKOFF.max),
  jitter: v.exactOptional(BACKOFF.jitter),
});

const NODE_NAME_RULE = 'is required with retryLocation "specified_node", and only then';

/** The optional body of the restart call (newer Huawei Cloud editions); sent only when set. */
export const RestartSchema = v.pipe(
  strict({
    retryLocation: v.exactOptional(oneOf(['error_node', 'first_node', 'specified_node'])),
    nodeName: v.exactOptional(text()),
    jobParamVersion: v.exactOptional(oneOf(['original_version', 'latest_version'])),
    ignoreObsMonitor: v.exactOptional(bool()),
  }),
  v.forward(
    v.partialCheck(
      [['retryLocation'], ['nodeName']],
      (r) => (r.retryLocation === 'specified_node') === (r.nodeName !== undefined),
      NODE_NAME_RULE,
    ),
    ['nodeName'],
  ),
  jsonSchema({
    description: 'Optional body of the restart call (newer Huawei Cloud editions). Sent only when set.',
    if: { properties: { retryLocation: { const: 'specified_node' } }, required: ['retryLocation'] },
    // biome-ignore lint/suspicious/noThenProperty: a JSON-schema keyword, not a thenable.
    then: { required: ['nodeName'] },
    else: { not: { required: ['nodeName'] } },
  }),
);

/** A case-insensitive regular expression matched against the first 2,000 characters of `errorMessage`. */
const PatternSchema = v.pipe(
  text(),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? unsafePattern(dataset.value) : undefined;
    if (problem) addIssue({ message: `${problem}, got ${describe(dataset.value)}` });
  }),
);

const patterns = (description: string) =>
  v.pipe(list(PatternSchema, { max: 100 }), jsonSchema({ description }));
const nodeTypes = (description: string) => v.pipe(list(text(), { max: 100 }), jsonSchema({ description }));

/** Rules on why an instance failed (lib/policy/failure-rules.ts); a rule's replace the policy's key by key. */
export const FailureRuleSchemas = {
  neverRetryOn: patterns('Skip a failure whose errorMessage matches one of these (case-insensitive).'),
  retryOn: patterns('When set, retry only failures whose errorMessage matches one of these.'),
  failedNodeTypes: nodeTypes(
    'When set, retry only failures of a node of these types (one show request each).',
  ),
  neverRetryNodeTypes: nodeTypes('Skip failures of a node of these types (one show request each).'),
  unknownFailure: v.pipe(
    oneOf(['retry', 'skip']),
    jsonSchema({
      description:
        'What message and node rules do when the failure is unknown (no errorMessage, no node type).',
    }),
  ),
};

/** The per-job settings a rule may set; `policy` sets the same keys for every job. */
export const RuleSchema = strict(
  {
    match: v.pipe(globs(1), jsonSchema({ description: 'Job-name glob(s) this rule applies to.' })),
    enabled: v.exactOptional(bool()),
    statuses: v.exactOptional(StatusesSchema),
    instanceTypes: v.exactOptional(InstanceTypesSchema),
    maxAttempts: v.exactOptional(MaxAttemptsSchema),
    firstRetryDelay: v.exactOptional(duration()),
    backoff: v.exactOptional(BackoffOverrideSchema),
    restart: v.exactOptional(RestartSchema),
    skipSuperseded: v.exactOptional(bool()),
    neverRetryOn: v.exactOptional(FailureRuleSchemas.neverRetryOn),
    retryOn: v.exactOptional(FailureRuleSchemas.retryOn),
    failedNodeTypes: v.exactOptional(FailureRuleSchemas.failedNodeTypes),
    neverRetryNodeTypes: v.exactOptional(FailureRuleSchemas.neverRetryNodeTypes),
    unknownFailure: v.exactOptional(FailureRuleSchemas.unknownFailure),
  },
  { match: 'a job-name glob or a list of them' },
);

/** Job-name glob(s): `*` any run of characters, `?` one character; a string or a list. */
export function globs(min: number) {
  return v.union([text(), list(text(), { min })], say('must be a job-name glob or a list of them'));
}
