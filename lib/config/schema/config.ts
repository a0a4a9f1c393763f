import * as v from 'valibot';
import { type DeepReadonly, deepFreeze } from '../deep-readonly';
import { ClientSchema } from './client';
import { DisplaySchema } from './display';
import { LEDGER_HINT, LedgerSchema } from './ledger';
import { NotifySettingsSchema } from './notify';
import { PolicySchema } from './policy';
import { jsonSchema, list, pathTo, strict } from './primitives';
import { TargetSchema, targetsProblems } from './target';

const ConfigFieldsSchema = strict(
  {
    $schema: v.exactOptional(
      v.pipe(v.string(), jsonSchema({ description: 'This schema, for editors: "./config.schema.json".' })),
    ),
    targets: v.pipe(
      list(TargetSchema, { min: 1, max: 50 }),
      jsonSchema({ description: 'DataArts projects/workspaces to sweep (1 to 50).' }),
    ),
    ledger: v.pipe(LedgerSchema, jsonSchema({ description: 'Where attempts are recorded.' })),
    policy: v.pipe(
      v.optional(PolicySchema, {}),
      jsonSchema({ description: 'Which failures are rerun, how often and when, and the fleet guards.' }),
    ),
    client: v.pipe(
      v.optional(ClientSchema, {}),
      jsonSchema({
        description: 'How the DataArts client behaves: timeouts, retries, paging, request budgets.',
      }),
    ),
    notify: v.pipe(
      v.optional(NotifySettingsSchema, {}),
      jsonSchema({ description: 'How notifications read: locale, time zone, reminder interval.' }),
    ),
    display: v.pipe(
      v.optional(DisplaySchema, {}),
      jsonSchema({ description: 'How the command line shows a sweep: locale and time zone.' }),
    ),
  },
  { ledger: LEDGER_HINT },
);

type ConfigFields = v.InferOutput<typeof ConfigFieldsSchema>;

/**
 * The rules that span sections, checked only where those sections are valid:
 * unique target names and places, and a ledger that outlives the look-back window.
 */
function crossCheck({ dataset, addIssue }: v.RawCheckContext<ConfigFields>) {
  const issues = dataset.issues ?? [];
  const broken = new Set(issues.map((issue) => issue.path?.[0]?.key));
  if (broken.has(undefined)) return; // not an object at all
  const config = dataset.value as ConfigFields;
  // A target with a problem of its own is left out; the others are still compared.
  const brokenTargets = new Set(
    issues.filter((issue) => issue.path?.[0]?.key === 'targets').map((issue) => issue.path?.[1]?.key),
  );
  if (!brokenTargets.has(undefined)) {
    const valid = config.targets.map((target, index) => (brokenTargets.has(index) ? undefined : target));
    for (const { index, key, message } of targetsProblems(valid)) {
      addIssue({ message, path: key ? pathTo('targets', index, key) : pathTo('targets', index) });
    }
  }
  if (
    !broken.has('ledger') &&
    !broken.has('policy') &&
    config.ledger.retentionMs <= config.policy.lookbackMs
  ) {
    addIssue({
      message:
        'must be longer than policy.lookback, or an expired record could let an instance be retried again',
      path: pathTo('ledger', 'retention'),
    });
  }
}

/** The whole configuration file: validated into one typed, deeply frozen object. */
export const ConfigSchema = v.pipe(
  ConfigFieldsSchema,
  jsonSchema({ title: 'dataarts-autoretry configuration' }),
  v.rawCheck(crossCheck),
  v.transform(({ $schema: _, ...config }) => deepFreeze(config)),
);

export type Config = v.InferOutput<typeof ConfigSchema>;
export type ConfigInput = v.InferInput<typeof ConfigSchema>;
export type { DeepReadonly };
