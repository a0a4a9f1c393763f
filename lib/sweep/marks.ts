import { mapBounded } from '../util/concurrency';
import type { TargetInput } from './target-input';

/** Ledger writes in flight at once for interrupted, exhausted and verdict marks. */
const MARK_CONCURRENCY = 8;

export type MarkInput = Pick<TargetInput, 'dryRun' | 'signal' | 'now' | 'deadline' | 'logger' | 'target'>;

/**
 * One conditional write per item (DynamoDB has no conditional batch write that
 * dynalite or the file ledger share), `MARK_CONCURRENCY` at a time, none started at or
 * after the deadline: 10,000 marks one at a time kept a sweep with a 5 s deadline
 * running for 18.5 s. An item not marked now is marked and reported by a later sweep
 * (the mark is what makes the report happen exactly once; a refused mark is logged).
 * A dry run marks nothing and reports all. Returns, per item, whether this sweep
 * marked it first.
 */
export async function markBounded<T>(
  input: MarkInput,
  items: readonly T[],
  mark: (item: T) => Promise<boolean>,
): Promise<boolean[]> {
  if (input.dryRun) return items.map(() => true);
  return mapBounded(items, MARK_CONCURRENCY, async (item) => {
    if (input.signal?.aborted || input.now() >= input.deadline) return false;
    return mark(item).catch(markRefused(input));
  });
}

/**
 * A mark (exhausted, interrupted, a rerun's verdict) the ledger refused: not reported
 * now, so the log says why; a ledger that keeps refusing would otherwise hide it.
 */
export function markRefused(input: Pick<TargetInput, 'logger' | 'target'>): (error: unknown) => false {
  return (error) => {
    input.logger.warn('ledger mark not written: reported by a later sweep', {
      target: input.target.name,
      error: String(error),
    });
    return false;
  };
}
