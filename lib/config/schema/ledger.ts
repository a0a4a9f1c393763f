import * as v from 'valibot';
import { duration } from './duration';
import { describe, jsonSchema, objectOnly, strict, text } from './primitives';
import { httpUrl } from './url';

export const LEDGER_HINT = '{"type": "dynamodb", "table": ...} or {"type": "file", "path": ...}';

/** How long an entry lives; checked against `policy.lookback` by the config schema. */
const retention = v.optional(
  duration({}, 'How long an entry lives (DynamoDB TTL); must exceed policy.lookback.'),
  '14d',
);
/**
 * How long one ledger call may take before the sweep gives up on it (the attempt stays
 * counted; see lib/ledger/bounded-ledger.ts). DynamoDB answers in milliseconds and its
 * client retries throttling within this; a file ledger's call may first wait up to
 * 30 s for another sweep's lock.
 */
const timeout = (fallback: string) =>
  v.optional(
    duration(
      { min: '1s', max: '5m' },
      `How long one ledger call may take; past it the sweep reports the call as failed (default ${fallback}).`,
    ),
    fallback,
  );
const inMs = <T extends { retention: number; timeout: number }>({ retention, timeout, ...rest }: T) => ({
  ...rest,
  retentionMs: retention,
  timeoutMs: timeout,
});

const DynamoLedger = v.pipe(
  strict({
    type: v.pipe(v.literal('dynamodb'), jsonSchema({ description: 'A DynamoDB table (the Lambda).' })),
    table: v.pipe(
      text({
        pattern: /^[A-Za-z0-9_.-]{3,255}$/,
        hint: 'a DynamoDB table name (3-255 letters, digits, "_", "." or "-")',
      }),
      jsonSchema({ description: 'Table with string partition key `pk`.' }),
    ),
    endpoint: v.exactOptional(httpUrl('DynamoDB endpoint, for DynamoDB Local (default: the AWS one).')),
    region: v.exactOptional(
      v.pipe(text(), jsonSchema({ description: 'AWS region of the table (default: the AWS one).' })),
    ),
    retention,
    timeout: timeout('10s'),
  }),
  v.transform(inMs),
);

const FileLedger = v.pipe(
  strict({
    type: v.pipe(v.literal('file'), jsonSchema({ description: 'A local file (the command line).' })),
    path: v.pipe(
      text(),
      jsonSchema({ description: 'JSON file; a `.lock` file beside it serializes sweeps.' }),
    ),
    retention,
    timeout: timeout('40s'),
  }),
  v.transform(inMs),
);

/** Where attempts are recorded. */
export const LedgerSchema = objectOnly(
  v.variant('type', [DynamoLedger, FileLedger], (issue) => {
    if (issue.path) return `must be one of "dynamodb", "file", got ${describe(issue.input)}`;
    if (issue.input === undefined) return `is required: ${LEDGER_HINT}`;
    return `must be an object, got ${describe(issue.input)}`;
  }),
);

export type LedgerConfig = Readonly<v.InferOutput<typeof LedgerSchema>>;
