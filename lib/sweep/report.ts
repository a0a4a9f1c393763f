import { resolve } from 'node:path';
import * as v from 'valibot';
import type { LedgerConfig } from '../config/types';
import { OUTCOMES } from '../policy/decision';

/**
 * The report of one sweep, defined once: the types below are inferred from this
 * schema, and report.schema.json (for whoever reads `--json` output or the Lambda's
 * result) is generated from it by scripts/gen-schemas.ts.
 */

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const time = v.pipe(v.string(), v.isoTimestamp());
const text = v.string();

const InstanceRefEntries = {
  target: text,
  workspace: text,
  jobName: text,
  instanceId: v.pipe(text, v.description('Decimal digits: ids may exceed 2^53.')),
};

/** What identifies an instance in the DataArts console: target, workspace, job, instance id. */
const InstanceRefSchema = v.object(InstanceRefEntries);
export type InstanceRef = v.InferOutput<typeof InstanceRefSchema>;

const OutcomeSchema = v.pipe(
  v.picklist(OUTCOMES),
  v.description('`restarted`, `error`, or a skip reason (see SKIP_REASONS in lib/policy/decision.ts).'),
);

/** The final word on one listed instance: exactly one per instance per sweep. */
const DecisionRecordSchema = v.object({
  ...InstanceRefEntries,
  status: text,
  outcome: OutcomeSchema,
  detail: text,
  rule: v.exactOptional(text),
  attempt: v.exactOptional(count),
  maxAttempts: v.exactOptional(count),
  until: v.exactOptional(v.pipe(time, v.description('When the instance becomes eligible (backing-off).'))),
  errorMessage: v.exactOptional(
    v.pipe(text, v.description("DataArts' errorMessage of the failure, cut to 300 characters.")),
  ),
  failedNode: v.exactOptional(
    v.pipe(
      v.object({ name: text, type: v.exactOptional(text) }),
      v.description('The failed node, where its details were read (a rule on node types).'),
    ),
  ),
});
export type DecisionRecord = v.InferOutput<typeof DecisionRecordSchema>;

const RestartedItemSchema = v.object({ ...InstanceRefEntries, attempt: count, maxAttempts: count });
export type RestartedItem = v.InferOutput<typeof RestartedItemSchema>;

const ExhaustedItemSchema = v.object({
  ...InstanceRefEntries,
  attempts: count,
  maxAttempts: count,
  lastOutcome: v.exactOptional(text),
  lastError: v.exactOptional(
    v.pipe(text, v.description('The errorMessage of the last failure as listed, cut to 300 characters.')),
  ),
});
export type ExhaustedItem = v.InferOutput<typeof ExhaustedItemSchema>;

/** How reruns were judged: the counts a job's "not helping" rests on, and a sweep's recovery line. */
const RerunVerdictEntries = { recovered: count, failedAgain: count };

const NotHelpingItemSchema = v.object({ target: text, jobName: text, ...RerunVerdictEntries });
export type NotHelpingItem = v.InferOutput<typeof NotHelpingItemSchema>;

const RecoveryCountsSchema = v.pipe(
  v.object({ ...RerunVerdictEntries, pending: count }),
  v.description('Reruns of earlier sweeps judged by this one: recovered, failed again, no verdict yet.'),
);

const UnconfirmedItemSchema = v.object({
  ...InstanceRefEntries,
  attempt: count,
  maxAttempts: count,
  code: text,
});
export type UnconfirmedItem = v.InferOutput<typeof UnconfirmedItemSchema>;

const ErrorItemSchema = v.object({
  target: text,
  code: text,
  message: text,
  workspace: v.exactOptional(text),
  jobName: v.exactOptional(text),
  instanceId: v.exactOptional(text),
  attemptCounted: v.exactOptional(
    v.pipe(
      v.boolean(),
      v.description('For restart errors: whether the attempt stays counted in the budget.'),
    ),
  ),
});
export type ErrorItem = v.InferOutput<typeof ErrorItemSchema>;

const ApiCallsSchema = v.object({
  list: count,
  show: count,
  restart: count,
  retries: count,
  throttled: count,
});
export type ApiCalls = v.InferOutput<typeof ApiCallsSchema>;

/** How many listed instances ended with each outcome. */
const CountsSchema = v.record(v.picklist(OUTCOMES), count);
export type Counts = v.InferOutput<typeof CountsSchema>;

const StormVerdictSchema = v.object({
  suspected: v.boolean(),
  failedJobs: count,
  failedInstances: count,
  totalInstances: v.exactOptional(count),
  reason: v.exactOptional(text),
  ignored: v.exactOptional(
    v.pipe(
      v.boolean(),
      v.description('The sweep was run with ignoreStormGuard: `reason` says what would have stopped it.'),
    ),
  ),
});

/** One incident of the target as this sweep left it: every open one, and each that closed in it. */
const IncidentReportSchema = v.object({
  causeKey: v.pipe(text, v.description('16 hex digits: the cause, for `incidents close`.')),
  cause: v.pipe(
    text,
    v.description(
      "The normalised message (numbers, ids, times, hosts and paths masked), or the cause rule's name.",
    ),
  ),
  state: v.picklist(['open', 'probing', 'releasing', 'closed']),
  events: v.pipe(
    v.array(
      v.picklist([
        'opened',
        'canary-sent',
        'canary-failed',
        'canary-void',
        'recovered',
        'released',
        'closed',
        'cleared',
        'relapsed',
      ]),
    ),
    v.description(
      'What it went through in this sweep, in order (empty: nothing changed). A dry run reports what would have.',
    ),
  ),
  openedAt: time,
  since: v.pipe(time, v.description('The oldest failure of its cause when it opened.')),
  jobs: v.pipe(count, v.description('Distinct jobs of its cause when it opened.')),
  held: v.pipe(
    count,
    v.description('Its failures held by this sweep (`held-by-incident`): no attempt counted.'),
  ),
  probes: v.pipe(count, v.description('Canary reruns sent so far.')),
  canary: v.exactOptional(v.object({ jobName: text, instanceId: text, at: time })),
  nextProbeAt: v.exactOptional(time),
  released: v.pipe(count, v.description('Held failures released since a canary recovered.')),
  closedAt: v.exactOptional(time),
  closedBy: v.exactOptional(v.picklist(['recovered', 'cleared', 'operator'])),
  reason: v.exactOptional(
    v.pipe(text, v.description('The reason an operator gave when closing it by hand.')),
  ),
});
export type IncidentReport = v.InferOutput<typeof IncidentReportSchema>;

const TargetReportSchema = v.object({
  target: text,
  projectId: text,
  workspace: text,
  window: v.object({ from: time, to: time }),
  listed: v.pipe(count, v.description('Instances listed with a retryable status.')),
  storm: StormVerdictSchema,
  counts: CountsSchema,
  apiCalls: ApiCallsSchema,
  durationMs: count,
  recovery: v.exactOptional(RecoveryCountsSchema),
  incidents: v.exactOptional(
    v.pipe(
      v.array(IncidentReportSchema),
      v.description(
        'Incidents of the target (lib/policy/incident.ts): set when one is open or closed in this sweep.',
      ),
    ),
  ),
  incidentError: v.exactOptional(
    v.pipe(
      v.object({ code: text, message: text }),
      v.description(
        'The incident board could not be written: every failure of a cause it would have changed was held.',
      ),
    ),
  ),
  unknownStatuses: v.exactOptional(
    v.pipe(
      v.record(text, count),
      v.description(
        'Instances listed in a status DataArts does not document (`unknown-status`), counted by the value as answered, e.g. `{"FAIL": 1, "fail ": 1}`: never retried, not an error. Set only when there were any.',
      ),
    ),
  ),
  notEvaluated: v.exactOptional(
    v.pipe(
      count,
      v.description(
        'Failures policy would restart that were decided without reading their ledger entries: enough older failures had filled the caps (or a storm was suspected) first. Counted under `sweep-cap`, `hourly-cap` or `storm-guard`.',
      ),
    ),
  ),
  limitedBy: v.exactOptional(
    v.pipe(
      v.picklist(['sweep-cap', 'hourly-cap']),
      v.description(
        'A cap held back restarts this target wanted: its fair share of the sweep cap (shared round-robin by priority over the targets), or its hourly cap.',
      ),
    ),
  ),
  error: v.exactOptional(
    v.pipe(
      v.object({ code: text, message: text }),
      v.description('Set when the target could not be swept (listing or authentication failed).'),
    ),
  ),
});
export type TargetReport = v.InferOutput<typeof TargetReportSchema>;

const LedgerRefSchema = v.pipe(
  v.variant('type', [
    v.object({ type: v.literal('file'), path: v.pipe(text, v.description('The ledger file, absolute.')) }),
    v.object({ type: v.literal('dynamodb'), table: text }),
  ]),
  v.description(
    "The ledger the sweep read and wrote: the file (a relative `ledger.path` is resolved against the config file's folder) or the DynamoDB table.",
  ),
);
export type LedgerRef = v.InferOutput<typeof LedgerRefSchema>;

/** The ledger a sweep uses, as the report names it: a DynamoDB ledger by its table alone, never its endpoint. */
export function ledgerRef(ledger: LedgerConfig): LedgerRef {
  // What the file ledger opens: a path still relative is relative to the process.
  return ledger.type === 'file'
    ? { type: 'file', path: resolve(ledger.path) }
    : { type: 'dynamodb', table: ledger.table };
}

/**
 * The version of the report's shape: raised on any change a reader could trip on (a
 * field removed, renamed or retyped); new optional fields keep it.
 */
export const REPORT_SCHEMA_VERSION = 1;

export const SweepReportSchema = v.pipe(
  v.object({
    schemaVersion: v.pipe(
      v.literal(REPORT_SCHEMA_VERSION),
      v.description('The version of this shape; raised only by a change readers could trip on.'),
    ),
    sweepId: text,
    dryRun: v.boolean(),
    startedAt: time,
    finishedAt: time,
    durationMs: count,
    storm: v.pipe(v.boolean(), v.description('A storm was suspected on at least one target.')),
    stormGuardIgnored: v.exactOptional(
      v.pipe(
        v.literal(true),
        v.description('This one-off sweep was run with ignoreStormGuard (--ignore-storm-guard).'),
      ),
    ),
    totals: CountsSchema,
    targets: v.array(TargetReportSchema),
    restarted: v.array(RestartedItemSchema),
    exhausted: v.pipe(
      v.array(ExhaustedItemSchema),
      v.description('Budgets that ran out in this sweep (each instance is reported once, ever).'),
    ),
    unconfirmed: v.pipe(
      v.array(UnconfirmedItemSchema),
      v.description('Attempts whose effect is unknown: counted, not confirmed.'),
    ),
    deferred: v.array(InstanceRefSchema),
    recovered: v.exactOptional(
      v.pipe(
        v.array(InstanceRefSchema),
        v.description(
          'Reruns of earlier sweeps that recovered (the instance then succeeded), each recorded once.',
        ),
      ),
    ),
    notHelping: v.exactOptional(
      v.pipe(
        v.array(NotHelpingItemSchema),
        v.description(
          'Jobs whose reruns recovered 0 of 3 or more over the ledger retention: consider a rule. Named when a new verdict arrives.',
        ),
      ),
    ),
    errors: v.array(ErrorItemSchema),
    decisions: v.pipe(
      v.array(DecisionRecordSchema),
      v.description(
        'Per target, the first items of each outcome (`omittedDecisions` counts the rest); restarted, error and dry-run are always whole (deferred is not: a deadline can defer a whole window).',
      ),
    ),
    omittedDecisions: v.exactOptional(
      v.pipe(
        CountsSchema,
        v.description(
          'Decisions counted in `totals` but not listed in `decisions`, per outcome: each target lists the first 50 of each (`--all`, or the event key `allDecisions: true`, lists every one).',
        ),
      ),
    ),
    apiCalls: ApiCallsSchema,
    truncated: v.exactOptional(
      v.pipe(
        v.object({
          budgetBytes: count,
          omitted: v.record(
            v.picklist(['errors', 'exhausted', 'restarted', 'unconfirmed', 'decisions', 'deferred']),
            count,
          ),
          detail: text,
        }),
        v.description(
          "Set on the Lambda's response when the whole report would not fit `budgetBytes`: counts and targets are whole, `omitted` says how many items each list left out, `detail` where they all are (the function's log).",
        ),
      ),
    ),
    ledger: v.exactOptional(LedgerRefSchema),
    ledgerRetries: v.pipe(
      count,
      v.description(
        'Retries the ledger needed during this sweep (DynamoDB throttling); 0 for the file ledger.',
      ),
    ),
  }),
  v.title('dataarts-autoretry sweep report'),
  v.description('One sweep: every listed failed instance exactly once, with what was done and why.'),
);
export type SweepReport = v.InferOutput<typeof SweepReportSchema>;

export function countBy(records: readonly DecisionRecord[]): Counts {
  const counts: Counts = {};
  for (const record of records) counts[record.outcome] = (counts[record.outcome] ?? 0) + 1;
  return counts;
}

export function addCounts(into: Counts, from: Counts): void {
  for (const [key, value] of Object.entries(from) as [keyof Counts, number][])
    into[key] = (into[key] ?? 0) + value;
}
/** Every target failed authentication or authorization: the sweep could not run at all. */
export function authFailedEverywhere(report: SweepReport): boolean {
  return (
    report.targets.length > 0 &&
    report.targets.every((t) => t.error !== undefined && /AUTHENTICATION|NOT_AUTHORIZED/.test(t.error.code))
  );
}
