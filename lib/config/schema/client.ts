import * as v from 'valibot';
import { duration } from './duration';
import { int, jsonSchema, oneOf, strict } from './primitives';

/** How the DataArts client behaves: timeouts, retries, paging, request budgets. */
export const ClientSchema = v.pipe(
  strict({
    timeout: v.optional(duration({ min: '100ms', max: '120s' }, 'Per request attempt.'), '10s'),
    retries: v.pipe(
      v.optional(int(0, 10), 3),
      jsonSchema({
        description:
          'Retries of 429/502/503/504 and network errors (a restart only when surely not processed).',
      }),
    ),
    maxRetryAfter: v.optional(duration({}, "Cap on a server's Retry-After."), '30s'),
    paging: v.pipe(
      v.optional(oneOf(['auto', 'page', 'record', 'none']), 'auto'),
      jsonSchema({
        description:
          'What offset means when a window cannot be split (over 1000 instances in one millisecond): auto detects; none refuses.',
      }),
    ),
    maxWindow: v.optional(duration({ min: '1m' }, 'Longest window one list request asks for.'), '7d'),
    maxListRequests: v.pipe(
      v.optional(int(10, 100_000), 500),
      jsonSchema({
        description:
          'Requests one listing may make; a server whose totals do not match its instances is stopped there.',
      }),
    ),
    restartLag: v.optional(
      duration(
        { max: '1h' },
        "How long DataArts may take to show a restart it accepted; part of every attempt's lease.",
      ),
      '60s',
    ),
  }),
  v.transform((c) => ({
    timeoutMs: c.timeout,
    retries: c.retries,
    maxRetryAfterMs: c.maxRetryAfter,
    paging: c.paging,
    maxWindowMs: c.maxWindow,
    /** Requests one listing may make before it fails (LIST_BUDGET_EXCEEDED). */
    maxListRequests: c.maxListRequests,
    /**
     * How long DataArts may take to show a restart it accepted; part of every attempt's
     * lease (an unknown outcome frees its failure only after the lease).
     */
    restartLagMs: c.restartLag,
  })),
);

export type ClientConfig = Readonly<v.InferOutput<typeof ClientSchema>>;
