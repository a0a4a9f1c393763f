import {
  applyFleetLimits,
  byRestartPriority,
  type Candidate,
  type StormVerdict,
} from '../../lib/policy/guards';

/** The fleet limits at their edges: who goes first, which cap is named, what a storm returns. */

const calm: StormVerdict = { suspected: false, failedJobs: 0, failedInstances: 0 };
const candidate = (attempt: number, failedAt: number, rule = 'default'): Candidate => ({
  decision: { action: 'restart', attempt, maxAttempts: 3, rule, failureAt: failedAt },
  failedAt,
});
const outcomes = (decisions: ReturnType<typeof applyFleetLimits>) =>
  decisions.map((d) => (d.action === 'skip' ? d.reason : 'restart'));
const limits = (sweepRemaining: number, hourRemaining: number) => ({
  storm: calm,
  sweepRemaining,
  hourRemaining,
  dryRun: false,
});

describe('byRestartPriority', () => {
  it('fewest attempts first, then the oldest failure', () => {
    expect(byRestartPriority(candidate(1, 200), candidate(1, 100))).toBeGreaterThan(0);
    expect(byRestartPriority(candidate(1, 100), candidate(1, 200))).toBeLessThan(0);
    expect(byRestartPriority(candidate(1, 100), candidate(1, 100))).toBe(0);
    expect(byRestartPriority(candidate(1, 900), candidate(2, 100))).toBeLessThan(0);
    expect(byRestartPriority(candidate(2, 100), candidate(1, 900))).toBeGreaterThan(0);
  });
});

describe('applyFleetLimits', () => {
  it('among equal attempts, a cap keeps the oldest failures, whatever the order listed', () => {
    const times = [500, 100, 400, 200, 300];
    for (let shift = 0; shift < times.length; shift++) {
      const listed = [...times.slice(shift), ...times.slice(0, shift)];
      const out = applyFleetLimits(
        listed.map((t) => candidate(1, t)),
        limits(2, 10),
      );
      const kept = listed.filter((_, i) => out[i]?.action === 'restart').sort((a, b) => a - b);
      expect(kept).toEqual([100, 200]);
    }
  });

  it('among candidates of equal priority, a cap keeps the first listed', () => {
    const same = [
      candidate(1, 100, 'a'),
      candidate(1, 100, 'b'),
      candidate(1, 100, 'c'),
      candidate(1, 100, 'd'),
    ];
    expect(outcomes(applyFleetLimits(same, limits(1, 10)))).toEqual([
      'restart',
      'sweep-cap',
      'sweep-cap',
      'sweep-cap',
    ]);
    expect(outcomes(applyFleetLimits(same, limits(2, 10)))).toEqual([
      'restart',
      'restart',
      'sweep-cap',
      'sweep-cap',
    ]);
    expect(outcomes(applyFleetLimits(same, limits(10, 3)))).toEqual([
      'restart',
      'restart',
      'restart',
      'hourly-cap',
    ]);
  });

  it('a storm skips every candidate, each with its attempt and rule', () => {
    const storm: StormVerdict = {
      suspected: true,
      failedJobs: 30,
      failedInstances: 30,
      reason: '30 distinct jobs failed',
    };
    const out = applyFleetLimits([candidate(2, 100, 'r1'), candidate(1, 200, 'r2')], {
      storm,
      sweepRemaining: 50,
      hourRemaining: 50,
      dryRun: true,
    });
    expect(out).toEqual([
      {
        action: 'skip',
        reason: 'storm-guard',
        detail: 'storm suspected: 30 distinct jobs failed',
        attempt: 2,
        maxAttempts: 3,
        rule: 'r1',
      },
      {
        action: 'skip',
        reason: 'storm-guard',
        detail: 'storm suspected: 30 distinct jobs failed',
        attempt: 1,
        maxAttempts: 3,
        rule: 'r2',
      },
    ]);
    expect(Object.keys(out)).toEqual(['0', '1']);
  });

  it('when both caps are reached at once, the sweep cap is named', () => {
    const four = [candidate(1, 1), candidate(1, 2), candidate(1, 3), candidate(1, 4)];
    expect(outcomes(applyFleetLimits(four, limits(2, 2)))).toEqual([
      'restart',
      'restart',
      'sweep-cap',
      'sweep-cap',
    ]);
    expect(outcomes(applyFleetLimits(four, limits(0, 0)))).toEqual([
      'sweep-cap',
      'sweep-cap',
      'sweep-cap',
      'sweep-cap',
    ]);
    expect(applyFleetLimits(four, limits(2, 2))[3]).toEqual({
      action: 'skip',
      reason: 'sweep-cap',
      detail: 'policy.maxRestartsPerSweep reached',
      attempt: 1,
      maxAttempts: 3,
      rule: 'default',
    });
  });

  it('otherwise the tighter cap is named, an hourly budget already overdrawn included', () => {
    const two = [candidate(1, 1), candidate(1, 2)];
    expect(outcomes(applyFleetLimits(two, limits(1, 2)))).toEqual(['restart', 'sweep-cap']);
    expect(outcomes(applyFleetLimits(two, limits(2, 1)))).toEqual(['restart', 'hourly-cap']);
    expect(outcomes(applyFleetLimits(two, limits(0, -1)))).toEqual(['hourly-cap', 'hourly-cap']);
    expect(applyFleetLimits(two, limits(2, 1))[1]).toMatchObject({
      detail: 'policy.maxRestartsPerHour reached for this target',
    });
  });

  it('no candidates, no decisions', () => {
    expect(applyFleetLimits([], limits(5, 5))).toEqual([]);
  });
});
