import * as v from 'valibot';
import { duration } from './duration';
import { bool, int, jsonSchema, list, pathTo, strict, text } from './primitives';
import { PatternSchema } from './rule';

/** A pattern on the raw `errorMessage` that names the cause, for messages that vary beyond what the normaliser masks. */
const CauseRuleSchema = strict({
  pattern: v.pipe(
    PatternSchema,
    jsonSchema({
      description: 'Case-insensitive regular expression on the first 2,000 characters of errorMessage.',
    }),
  ),
  cause: v.pipe(
    text(),
    v.maxLength(100, 'must be at most 100 characters'),
    jsonSchema({
      description: 'The cause a matching failure belongs to: its name in reports and notifications.',
    }),
  ),
});

const ProbeSchema = strict({
  first: v.pipe(
    v.optional(duration({ min: '1m', max: '24h' }), '15m'),
    jsonSchema({ description: 'From the opening of an incident to its first canary rerun.' }),
  ),
  max: v.pipe(
    v.optional(duration({ min: '1m', max: '24h' }), '30m'),
    jsonSchema({ description: 'The interval between canaries doubles after each failed one, up to this.' }),
  ),
});

const ReleaseSchema = strict({
  first: v.pipe(
    v.optional(int(1, 10_000), 25),
    jsonSchema({
      description:
        'Held failures released by the first sweep after a canary recovered; each next batch doubles.',
    }),
  ),
  every: v.pipe(
    v.optional(duration({ min: '0s', max: '24h' }), '10m'),
    jsonSchema({ description: 'At least this long between two batches, however often sweeps run.' }),
  ),
});

/** A probe interval that could never grow to its own cap. */
function checkProbe({ dataset, addIssue }: v.RawCheckContext<v.InferOutput<typeof IncidentFields>>) {
  if (!dataset.typed) return;
  const { first, max } = dataset.value.probe;
  if (max < first)
    addIssue({
      message: `must be at least probe.first (${first} ms), got ${max} ms`,
      path: pathTo('probe', 'max'),
    });
}

const IncidentFields = strict({
  enabled: v.pipe(
    v.optional(bool(), true),
    jsonSchema({
      description: 'Hold the failures of a shared cause and probe it with one canary rerun at a time.',
    }),
  ),
  minJobs: v.pipe(
    v.optional(int(2, 100_000), 5),
    jsonSchema({
      description: 'An incident opens when failures of one cause span this many distinct jobs of a target...',
    }),
  ),
  window: v.pipe(
    v.optional(duration({ min: '1m', max: '7d' }), '30m'),
    jsonSchema({ description: '...that ended within this window (clamped to lookback).' }),
  ),
  probe: v.pipe(
    v.optional(ProbeSchema, {}),
    jsonSchema({ description: 'How often a canary rerun probes whether the cause is gone.' }),
  ),
  release: v.pipe(
    v.optional(ReleaseSchema, {}),
    jsonSchema({ description: 'How the held failures go once a canary recovered.' }),
  ),
  causes: v.pipe(
    v.optional(list(CauseRuleSchema, { max: 100 }), []),
    jsonSchema({ description: 'Ordered: the first pattern that matches a failure names its cause.' }),
  ),
});

/** Incidents: failures of one cause held together and probed, not retried one by one (lib/policy/incident.ts). */
export const IncidentsSchema = v.pipe(
  IncidentFields,
  v.rawCheck(checkProbe),
  jsonSchema({
    description:
      'Failures of one cause across many jobs are an incident: held, probed by one canary, released in batches.',
  }),
);
