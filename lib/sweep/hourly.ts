import type { HourlyReturnPort } from './ports';
import type { TargetInput } from './target-input';

/**
 * Gives back hourly slots reserved but not used. One not given back only makes this
 * hour's cap stricter (the safe side): logged, not a failure of the target, whose
 * restarts went as reported; the ledger's next write finds out whether it still works.
 */
export async function returnHourly(
  input: Pick<TargetInput, 'target' | 'logger'> & { ownerLedger: HourlyReturnPort },
  now: number,
  count: number,
): Promise<void> {
  await input.ownerLedger.releaseHourly(input.target.name, now, count).catch((error: unknown) => {
    input.logger.warn('hourly slots not returned', { target: input.target.name, error: String(error) });
  });
}
