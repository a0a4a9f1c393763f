import * as v from 'valibot';
import { unsafePattern } from '../../util/unsafe-pattern';
import { duration } from './duration';
import { bool, describe, int, jsonSchema, list, num, oneOf, say, strict, text } from './primitives';

/** Statuses a policy may retry: `running-exception` cannot be rerun by DataArts. */
export const RETRYABLE_STATUSES = ['fail', 'manual-stop'] as const;

export const StatusesSchema = v.pipe(
  list(oneOf(RETRYABLE_STATUSES), { min: 1 }),
  jsonSchema({ description: 'Statuses to retry: fail, or manual-stop (cancelled; opt-in).' }),
);

export const InstanceTypesSchema = v.pipe(
  list(
    v.pipe(int(0, 99), v.notValue(2, '2 (manually scheduled) cannot be rerun by DataArts; leave it out')),
    { min: 1 },
  ),
  jsonSchema({ description: '0 normal, 5 PatchData, 6 subjob, 7 run once. 2 (manual) cannot be rerun.' }),
);

export const MaxAttemptsSchema = v.pipe(
  int(1, 20),
  jsonSchema({ description: 'Reruns per instance, ever.' }),
);

const BACKOFF = {
  base: duration({}, 'Spacing after attempt 1.'),
  factor: v.pipe(num(1, 10), jsonSchema({ description: 'Growth of the spacing per attempt.' })),
  max: duration({}, 'Cap of the spacing.'),
  jitter: v.pipe(
    oneOf(['equal', 'full', 'none']),
    jsonSchema({
      description: 'equal: random in [d/2, d] (a minimum spacing always holds); full: [0, d]; none.',
    }),
  ),
};

/** The policy's backoff: every field has its default. */
export const BackoffSchema = v.pipe(
  strict({
    base: v.optional(BACKOFF.base, '10m'),
    factor: v.optional(BACKOFF.factor, 2),
    max: v.optional(BACKOFF.max, '2h'),
    jitter: v.optional(BACKOFF.jitter, 'equal'),
  }),
  jsonSchema({ description: 'Spacing between reruns of one instance.' }),
);

/** A rule's backoff: the fields it sets replace the policy's, one by one. */
export const BackoffOverrideSchema = v.pipe(
  strict({
    base: v.exactOptional(BACKOFF.base),
    factor: v.exactOptional(BACKOFF.factor),
    max: v.exactOptional(BACKOFF.max),
    jitter: v.exactOptional(BACKOFF.jitter),
  }),
  jsonSchema({ description: "Spacing between reruns; the fields set replace the policy's, one by one." }),
);

const NODE_NAME_RULE = 'is required with retryLocation "specified_node", and only then';

/** The optional body of the restart call (newer Huawei Cloud editions); sent only when set. */
export const RestartSchema = v.pipe(
  strict({
    retryLocation: v.exactOptional(
      v.pipe(
        oneOf(['error_node', 'first_node', 'specified_node']),
        jsonSchema({ description: 'Where the rerun starts: the failed node, the first node, or nodeName.' }),
      ),
    ),
    nodeName: v.exactOptional(
      v.pipe(
        text(),
        jsonSchema({ description: 'The node to rerun from, with retryLocation "specified_node" only.' }),
      ),
    ),
    jobParamVersion: v.exactOptional(
      v.pipe(
        oneOf(['original_version', 'latest_version']),
        jsonSchema({ description: "Which version of the job's parameters the rerun uses." }),
      ),
    ),
    ignoreObsMonitor: v.exactOptional(
      v.pipe(bool(), jsonSchema({ description: 'Whether the rerun ignores OBS monitoring.' })),
    ),
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
export const PatternSchema = v.pipe(
  text(),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? unsafePattern(dataset.value) : undefined;
    if (problem) addIssue({ message: `${problem}, got ${describe(dataset.value)}` });
  }),
);

const patterns = (description: string) =>
  v.pipe(list(PatternSchema, { max: 100 }), jsonSchema({ description }));
const nodeTypes = (description: string) => v.pipe(list(text(), { max: 100 }), jsonSchema({ description }));

export const FIRST_RETRY_DELAY = 'Wait after the failure ended before the first rerun.';

export const SkipSupersededSchema = v.pipe(
  bool(),
  jsonSchema({ description: 'Skip an instance when a newer instance of the same job succeeded.' }),
);

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
    enabled: v.exactOptional(
      v.pipe(bool(), jsonSchema({ description: 'false: never rerun the jobs this rule matches.' })),
    ),
    statuses: v.exactOptional(StatusesSchema),
    instanceTypes: v.exactOptional(InstanceTypesSchema),
    maxAttempts: v.exactOptional(MaxAttemptsSchema),
    firstRetryDelay: v.exactOptional(duration({}, FIRST_RETRY_DELAY)),
    backoff: v.exactOptional(BackoffOverrideSchema),
    restart: v.exactOptional(RestartSchema),
    skipSuperseded: v.exactOptional(SkipSupersededSchema),
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
