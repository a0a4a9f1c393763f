import * as v from 'valibot';
import { parseWith } from '../config/issues';
import { durationProblem, LOOKBACK_BOUNDS } from '../config/schema/duration';
import { bool, everyUnknownKey, list, objectOnly, strict, text } from '../config/schema/primitives';

/**
 * A manual invocation such as `{"dryRun": true, "jobs": ["ods_*"], "lookback": "48h"}`:
 * what it may change for one sweep. Unknown keys are rejected. `lookback` stays text:
 * it replaces `policy.lookback` before the configuration is validated.
 */
export const SweepEventSchema = strict({
  dryRun: v.exactOptional(bool()),
  /** A one-off sweep during a storm whose cause is fixed: restart anyway (the report says so). */
  ignoreStormGuard: v.exactOptional(bool()),
  /** Every decision in the report, not the first 50 of each outcome per target. */
  allDecisions: v.exactOptional(bool()),
  jobs: v.exactOptional(list(text(), { min: 1, max: 200 })),
  lookback: v.exactOptional(
    v.pipe(
      text(),
      v.rawCheck(({ dataset, addIssue }) => {
        const problem = dataset.typed ? durationProblem(dataset.value, LOOKBACK_BOUNDS) : undefined;
        if (problem) addIssue({ message: problem });
      }),
    ),
  ),
});

export type SweepOverrides = v.InferOutput<typeof SweepEventSchema>;

const NO_OVERRIDES = `the schedule's event carries no overrides (a manual invocation, without "source", sets them)`;

/** EventBridge's envelope: every key of the event a schedule sends ("Scheduled Event"). */
const ENVELOPE = Object.fromEntries(
  ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources'].map((key) => [
    key,
    v.exactOptional(v.unknown()),
  ]),
);
const ENVELOPE_KEYS = [...Object.keys(ENVELOPE), 'detail'].join(', ');

/**
 * The schedule's event: the envelope with `detail: {}`. Any other key (a `dryRun`
 * added by hand, a `detail` that holds something) is refused: read as the schedule's
 * event, it would be dropped and a real sweep run.
 */
const ScheduledEventSchema = objectOnly(
  everyUnknownKey(
    v.strictObject(
      {
        ...ENVELOPE,
        detail: v.exactOptional(
          objectOnly(everyUnknownKey(v.strictObject({}, `must be {} in a scheduled event: ${NO_OVERRIDES}`))),
        ),
      },
      (issue) =>
        issue.expected === 'never'
          ? `unknown key in a scheduled event; allowed keys are ${ENVELOPE_KEYS}: ${NO_OVERRIDES}`
          : 'must be an object',
    ),
  ),
);

const isScheduled = (event: unknown) =>
  typeof event === 'object' && event !== null && (event as { source?: unknown }).source === 'aws.events';

/** The event's overrides; the schedule's event (or none) has none. */
export function parseSweepEvent(event: unknown): SweepOverrides {
  if (event === undefined || event === null) return {};
  if (!isScheduled(event)) return parseWith(SweepEventSchema, event, { root: 'event' });
  parseWith(ScheduledEventSchema, event, { root: 'event' });
  return {};
}
