import { failureTime, isNewerFailure, isSameFailure } from '../../lib/policy/failure-identity';

const S = 1_000_000;
const E = 2_000_000;
const P = 500_000;

describe('isNewerFailure: a failure told from another field by field', () => {
  const recorded = { failureAt: S, failureStart: S, failureEnd: E };

  it('a later start or a later end is a new failure', () => {
    expect(isNewerFailure({ startTime: S + 1, endTime: E + 1 }, recorded)).toBe(true);
    expect(isNewerFailure({ startTime: S + 1 }, recorded)).toBe(true);
    expect(isNewerFailure({ endTime: E + 1 }, recorded)).toBe(true);
  });

  it('a rerun that keeps the instance start but ends later is a new failure', () => {
    expect(isNewerFailure({ startTime: S, endTime: E + 60_000 }, recorded)).toBe(true);
  });

  it('a field that drops out of a later answer is never evidence (either field)', () => {
    expect(isNewerFailure({ endTime: E, planTime: P }, recorded)).toBe(false);
    expect(isNewerFailure({ startTime: S, planTime: P }, recorded)).toBe(false);
    expect(isSameFailure({ endTime: E }, recorded)).toBe(true);
    expect(isSameFailure({ startTime: S }, recorded)).toBe(true);
  });

  it('a field that appears in a later answer is never evidence (either field)', () => {
    expect(isNewerFailure({ startTime: S, endTime: E }, { failureAt: S, failureStart: S })).toBe(false);
    expect(isNewerFailure({ startTime: S, endTime: E }, { failureAt: E, failureEnd: E })).toBe(false);
    expect(isSameFailure({ startTime: S, endTime: E }, { failureAt: E, failureEnd: E })).toBe(true);
    // Though failureTime of the bare answer is larger than that of the full one:
    expect(failureTime({ endTime: E })).toBeGreaterThan(failureTime({ startTime: S, endTime: E }) ?? 0);
  });

  it('no comparable field: not newer, and not the same either (refused)', () => {
    expect(isNewerFailure({ endTime: E + 1 }, { failureAt: S, failureStart: S })).toBe(false);
    expect(isNewerFailure({ startTime: S + 1 }, { failureAt: E, failureEnd: E })).toBe(false);
    expect(isNewerFailure({ planTime: P + 1 }, recorded)).toBe(false);
    expect(isNewerFailure({}, recorded)).toBe(false);
    expect(isSameFailure({ endTime: E + 1 }, { failureAt: S, failureStart: S })).toBe(false);
    expect(isSameFailure({ planTime: P }, recorded)).toBe(false);
  });

  it('an earlier time is never newer, nor the same', () => {
    expect(isNewerFailure({ startTime: S - 1, endTime: E - 1 }, recorded)).toBe(false);
    expect(isSameFailure({ startTime: S - 1, endTime: E - 1 }, recorded)).toBe(false);
    // One field later is enough, one equal field does not make it the same then.
    expect(isSameFailure({ startTime: S, endTime: E + 1 }, recorded)).toBe(false);
  });

  it('a field missing on both sides is no evidence of the same failure either', () => {
    // Only an end on each side, and they differ: not the same (the missing starts do not match).
    expect(isSameFailure({ endTime: E - 1 }, { failureAt: E, failureEnd: E })).toBe(false);
    expect(isSameFailure({ endTime: E - 1, planTime: P }, { failureAt: E, failureEnd: E })).toBe(false);
    // Only a start on each side, and they differ.
    expect(isSameFailure({ startTime: S - 1 }, { failureAt: S, failureStart: S })).toBe(false);
    expect(isSameFailure({ startTime: S - 1, planTime: P }, { failureAt: S, failureStart: S })).toBe(false);
    // ... and equal: the same.
    expect(isSameFailure({ endTime: E }, { failureAt: E, failureEnd: E })).toBe(true);
    expect(isSameFailure({ startTime: S }, { failureAt: S, failureStart: S })).toBe(true);
  });

  it('an entry without fields (older entries, after a release) is compared by failureTime', () => {
    expect(isNewerFailure({ startTime: S + 1 }, { failureAt: S })).toBe(true);
    expect(isNewerFailure({ startTime: S }, { failureAt: S })).toBe(false);
    expect(isNewerFailure({ endTime: E }, { failureAt: S })).toBe(true);
    expect(isNewerFailure({ planTime: P }, {})).toBe(true);
    expect(isNewerFailure({}, { failureAt: 0 })).toBe(false);
    expect(isSameFailure({ startTime: S }, { failureAt: S })).toBe(true);
    expect(isSameFailure({ endTime: E }, { failureAt: S })).toBe(false);
  });
});
