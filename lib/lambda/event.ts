import * as v from 'valibot';
import { parseWith } from '../config/issues';
import { durationProblem, LOOKBACK_BOUNDS } from '../config/schema/duration';
import { bool, list, strict, text } from '../config/schema/primitives';

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

/** The schedule's EventBridge event carries no overrides. */
const isScheduled = (event: unknown) =>
  typeof event === 'object' && event !== null && (event as { source?: unknown }).source === 'aws.events';

/** The event's overrides; the schedule's event (or none) has none. */
export function parseSweepEvent(event: unknown): SweepOverrides {
  if (event === undefined || event === null || isScheduled(event)) return {};
  return parseWith(SweepEventSchema, event, { root: 'event' });
}
