import type { Logger } from '../log';
import type { SweepReport } from '../sweep/report';

/**
 * What the Lambda returns stays under this many bytes of JSON. Lambda refuses a
 * synchronous response over 6 MB (`serverless invoke` then gets nothing), and a full
 * report passes that at about 28,000 listed failures; 256 KB keeps it readable in a
 * terminal and far from the limit at any size.
 */
export const RESPONSE_BUDGET_BYTES = 256 * 1024;
/** Decisions kept per outcome in a trimmed response: enough to see what the reason looks like. */
const SAMPLE_PER_OUTCOME = 10;
/** One log line of detail stays well under CloudWatch Logs' 256 KB per event. */
const LOG_CHUNK_BYTES = 128 * 1024;

const LISTS = ['restarted', 'errors', 'exhausted', 'unconfirmed', 'decisions', 'deferred'] as const;
type ListName = (typeof LISTS)[number];

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** The first decisions of each outcome, in report order. */
function sampleDecisions(decisions: SweepReport['decisions']): SweepReport['decisions'] {
  const seen = new Map<string, number>();
  return decisions.filter((d) => {
    const n = seen.get(d.outcome) ?? 0;
    seen.set(d.outcome, n + 1);
    return n < SAMPLE_PER_OUTCOME;
  });
}

/**
 * The report as the Lambda returns it: whole when it fits `budget`, else with every
 * count and target kept and the item lists cut to fit, most important first (restarts,
 * which the sweep cap keeps few, errors, exhausted budgets, unconfirmed attempts, then samples of the decisions and
 * deferred instances). `truncated` says how many items of each list were left out;
 * `logDetail` writes them all to the log.
 */
export function fitResponse<T extends SweepReport>(full: T, budget = RESPONSE_BUDGET_BYTES): T {
  if (bytes(full) <= budget) return full;
  const none = { errors: [], exhausted: [], restarted: [], unconfirmed: [], decisions: [], deferred: [] };
  const emptied: T = { ...full, ...none, truncated: { budgetBytes: budget, omitted: {}, detail: '' } };
  // Room for the lists, less a margin for the `truncated` note itself.
  let room = budget - bytes(emptied) - 1024;
  const kept: Partial<Record<ListName, unknown[]>> = {};
  for (const name of LISTS) {
    const items: readonly unknown[] = name === 'decisions' ? sampleDecisions(full.decisions) : full[name];
    const list: unknown[] = [];
    for (const item of items) {
      const size = bytes(item) + 1;
      if (size > room) break;
      room -= size;
      list.push(item);
    }
    kept[name] = list;
  }
  const omitted: Partial<Record<ListName, number>> = {};
  for (const name of LISTS) {
    const left = full[name].length - (kept[name]?.length ?? 0);
    if (left > 0) omitted[name] = left;
  }
  return {
    ...emptied,
    ...kept,
    truncated: {
      budgetBytes: budget,
      omitted,
      detail: `every item is in the function's log: lines "sweep report detail" with sweepId ${full.sweepId}`,
    },
  };
}

/**
 * Writes every item of the report's lists to the log, in lines of at most ~128 KB
 * (CloudWatch Logs cuts an event at 256 KB): where a trimmed response says to look.
 */
export function logDetail(logger: Logger, report: SweepReport): void {
  for (const name of LISTS) {
    let chunk: unknown[] = [];
    let size = 0;
    let part = 0;
    const flush = () => {
      if (chunk.length === 0) return;
      logger.info('sweep report detail', { sweepId: report.sweepId, list: name, part: part++, items: chunk });
      chunk = [];
      size = 0;
    };
    for (const item of report[name]) {
      const itemSize = bytes(item) + 1;
      if (size + itemSize > LOG_CHUNK_BYTES) flush();
      chunk.push(item);
      size += itemSize;
    }
    flush();
  }
}
