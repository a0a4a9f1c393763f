/**
 * The sweep under an outage: the simulated day of bench/incident-day.ts (a sweep every
 * 15 minutes, the clock moving between sweeps; 120 jobs fail within ten minutes with
 * one cause, 6 others with unrelated messages; the dependency returns 90 minutes after
 * the first failure), against the emulator and a file ledger, with the default policy.
 * Every figure is read from the emulator: the restarts it accepted (when, for which
 * failure) and the instances' statuses. The day stops once everything has recovered.
 *
 * With incidents on, each figure of the issue's "Done when"; with them off, what
 * today's storm guard alone does on the same day (the contrast).
 */
import { runIncidentDay } from '../../bench/incident-day';
import type { DayFigures } from '../../bench/incident-day-figures';

const MIN = 60_000;
const minutes = (ms: number | undefined) => (ms === undefined ? undefined : ms / MIN);
const hhmm = (at: number | undefined) =>
  at === undefined ? 'never' : new Date(at).toISOString().slice(11, 16);

/** The caps and the one-rerun-per-failure promise hold whatever the mode. */
function itKeepsTheInvariants(figures: () => DayFigures): void {
  it('no sweep restarts beyond maxRestartsPerSweep, no clock hour beyond maxRestartsPerHour', () => {
    const f = figures();
    expect(f.mostRestartsInOneSweep).toBeLessThanOrEqual(f.limits.maxRestartsPerSweep);
    expect(f.mostRestartsInOneHour).toBeLessThanOrEqual(f.limits.maxRestartsPerHour);
  });

  it('reruns no instance twice for one failure', () => {
    expect(figures().rerunTwiceForOneFailure).toBe(0);
  });
}

describe('a day with an outage, incidents on', () => {
  let day: DayFigures;
  beforeAll(async () => {
    day = await runIncidentDay({ incidents: true, stopWhenSettled: true });
  }, 60 * MIN);

  it('reruns every unrelated failure in its first eligible sweep', () => {
    const late = day.unrelated
      .filter((u) => u.firstRerunAt !== u.eligibleAt)
      .map((u) => `${u.jobName}: eligible ${hhmm(u.eligibleAt)}, rerun ${hhmm(u.firstRerunAt)}`);
    expect(late).toEqual([]);
  });

  it("reruns the outage's jobs at most once per 30 minutes while the dependency is down", () => {
    expect(day.outageRerunsMostIn30Min).toBeLessThanOrEqual(1);
  });

  it("exhausts no budget of the outage's jobs", () => {
    expect(day.outageBudgetsExhausted).toBe(0);
  });

  it('reruns the first of them within 30 minutes of the return', () => {
    expect(minutes(day.firstRerunAfterReturnMs)).toBeLessThanOrEqual(30);
  });

  it('has all 120 recovered within 90 minutes of the return, with no human action', () => {
    // The day takes none: it only moves the clock and sweeps.
    expect(day.outageRecovered).toBe(120);
    expect(minutes(day.allRecoveredAfterReturnMs)).toBeLessThanOrEqual(90);
  });

  itKeepsTheInvariants(() => day);
});

describe('the same day with the outage at every phase of the sweeps: the "Done when" holds whenever it begins', () => {
  // The outage begins 00:00:30, 00:03:30, 00:06:30, 00:10:30 or 00:14:30 (the day's own is 00:07:30).
  it.each([-7, -4, -1, 3, 7])(
    'shifted %d min',
    async (shift) => {
      const f = await runIncidentDay({ incidents: true, stopWhenSettled: true, outageShiftMs: shift * MIN });
      expect({
        unrelatedLate: f.unrelated.filter((u) => u.firstRerunAt !== u.eligibleAt).length,
        mostIn30Min: f.outageRerunsMostIn30Min <= 1,
        exhausted: f.outageBudgetsExhausted,
        firstAfterReturn: (minutes(f.firstRerunAfterReturnMs) ?? Number.POSITIVE_INFINITY) <= 30,
        allRecovered:
          f.outageRecovered === 120 &&
          (minutes(f.allRecoveredAfterReturnMs) ?? Number.POSITIVE_INFINITY) <= 90,
        withinCaps:
          f.mostRestartsInOneSweep <= f.limits.maxRestartsPerSweep &&
          f.mostRestartsInOneHour <= f.limits.maxRestartsPerHour,
        rerunTwice: f.rerunTwiceForOneFailure,
      }).toEqual({
        unrelatedLate: 0,
        mostIn30Min: true,
        exhausted: 0,
        firstAfterReturn: true,
        allRecovered: true,
        withinCaps: true,
        rerunTwice: 0,
      });
    },
    60 * MIN,
  );
});

describe("the same day with today's storm guard alone (incidents off)", () => {
  let day: DayFigures;
  beforeAll(async () => {
    day = await runIncidentDay({ incidents: false, stopWhenSettled: true });
  }, 60 * MIN);

  it('restarts nothing while a storm is suspected: the unrelated failures wait with the outage', () => {
    const stormy = day.sweeps
      .map((s, k) => ({ ...s, restarts: day.restartsPerSweep[k] }))
      .filter((s) => s.storm);
    expect(stormy.length).toBeGreaterThan(0);
    expect(stormy.filter((s) => s.restarts !== 0)).toEqual([]);
    // Each unrelated failure whose first eligible sweep suspected a storm was rerun later.
    const stormAt = new Set(stormy.map((s) => s.at));
    const waited = day.unrelated.filter((u) => stormAt.has(u.eligibleAt));
    expect(waited.length).toBeGreaterThan(0);
    for (const u of waited) expect(u.firstRerunAt).toBeGreaterThan(u.eligibleAt);
    expect(day.unrelatedInFirstEligibleSweep).toBeLessThan(day.unrelated.length);
  });

  it("lets the outage's jobs through in a cap-sized burst when the storm lifts, though the dependency is still down", () => {
    expect(day.outageRerunsMostIn30Min).toBeGreaterThan(1);
    expect(day.outageRerunsMostIn30Min).toBeLessThanOrEqual(day.limits.maxRestartsPerSweep);
  });

  it('still recovers every job within the day, with no budget exhausted', () => {
    expect(day.outageBudgetsExhausted).toBe(0);
    expect(day.outageRecovered).toBe(120);
  });

  itKeepsTheInvariants(() => day);
});
