import type { LedgerEntry } from '../ledger/ledger';

/** The times an answer may carry for a failed run: every one of them is optional. */
export interface FailureTimes {
  startTime?: number | undefined;
  endTime?: number | undefined;
  planTime?: number | undefined;
}

/** What the ledger recorded of the failure its last counted attempt answered. */
export type AnsweredFailure = Pick<LedgerEntry, 'failureAt' | 'failureStart' | 'failureEnd'>;

/**
 * One number for a failure, for the ledger's numeric condition: DataArts' own time of
 * the run, its start, else its end, else its plan time. It is not how a failure is
 * told from another (see `isNewerFailure`): an answer that lacks `startTime` names the
 * same run by its end.
 */
export function failureTime(instance: FailureTimes): number | undefined {
  return instance.startTime ?? instance.endTime ?? instance.planTime;
}

/** Whether the entry names its failure by fields (else only by `failureAt`). */
export function hasFailureFields(entry: AnsweredFailure): boolean {
  return entry.failureStart !== undefined || entry.failureEnd !== undefined;
}

/**
 * Is the failure an answer shows newer than the one the entry's attempt answered?
 * Per field: a later `startTime` or a later `endTime` than the one recorded (a rerun
 * always ends later, and starts later unless it keeps the instance's start). A field
 * missing on either side is never evidence, so an answer that drops or adds a field
 * is the same failure; with no field to compare it is not newer (refused, never rerun
 * twice). An entry that recorded no fields (written before they were, or after a
 * release) is compared by `failureTime` as before.
 */
export function isNewerFailure(current: FailureTimes, entry: AnsweredFailure): boolean {
  if (!hasFailureFields(entry)) {
    const at = failureTime(current);
    return at !== undefined && at > (entry.failureAt ?? 0);
  }
  const { failureStart, failureEnd } = entry;
  const started =
    current.startTime !== undefined && failureStart !== undefined && current.startTime > failureStart;
  const ended = current.endTime !== undefined && failureEnd !== undefined && current.endTime > failureEnd;
  return started || ended;
}

/**
 * Is it the very failure the entry's attempt answered? Not newer, and at least one
 * field both sides carry is equal (numeric equality of `failureTime` for an entry
 * without fields).
 */
export function isSameFailure(current: FailureTimes, entry: AnsweredFailure): boolean {
  if (!hasFailureFields(entry)) return failureTime(current) === entry.failureAt;
  if (isNewerFailure(current, entry)) return false;
  return (
    (current.startTime !== undefined && current.startTime === entry.failureStart) ||
    (current.endTime !== undefined && current.endTime === entry.failureEnd)
  );
}
