import type { StormGuardConfig } from '../../lib/config/types';
import type { Instance } from '../../lib/dataarts/instance';
import { backoffDelay } from '../../lib/policy/backoff';
import { applyFleetLimits, type Candidate, detectStorm, type StormVerdict } from '../../lib/policy/guards';

const guard: StormGuardConfig = { enabled: true, maxFailedJobs: 20, maxFailedRatio: 0.5, minInstances: 20 };
const fails = (jobs: number, perJob = 1): Instance[] =>
  Array.from({ length: jobs * perJob }, (_, i) => ({
    jobName: `job_${i % jobs}`,
    instanceId: String(i),
    status: 'fail',
  }));

describe('detectStorm', () => {
  it.each([
    ['20 distinct failed jobs is not a storm', fails(20), 1000, false],
    ['21 distinct failed jobs is', fails(21), 1000, true],
    ['half of 40 failed is not (must exceed 50%)', fails(4, 5), 40, false],
    ['11 of 20 failed is', fails(1, 11), 20, true],
    ['15 of 19 is below minInstances', fails(1, 15), 19, false],
    ['no total known: only the job count', fails(2, 10), undefined, false],
  ] as const)('%s', (_name, failed, total, suspected) => {
    expect(detectStorm(failed, total, guard).suspected).toBe(suspected);
  });

  it('a count below the failures listed (a total that under-reports) is read as at least the failures', () => {
    expect(detectStorm(fails(1, 30), 10, guard)).toMatchObject({
      suspected: true,
      totalInstances: 10,
      reason: '30 of 30 instances failed (100% > 50%) (the count said 10)',
    });
    // Below minInstances by the count alone, but not by the failures listed.
    expect(detectStorm(fails(1, 25), 5, guard).suspected).toBe(true);
  });

  it('explains itself and can be switched off', () => {
    expect(detectStorm(fails(21), 100, guard).reason).toBe('21 distinct jobs failed (limit 20)');
    expect(detectStorm(fails(1, 11), 20, guard).reason).toBe('11 of 20 instances failed (55% > 50%)');
    expect(detectStorm(fails(50), 50, { ...guard, enabled: false }).suspected).toBe(false);
  });
});

const calm: StormVerdict = { suspected: false, failedJobs: 0, failedInstances: 0 };
const candidate = (attempt: number, failedAt: number): Candidate => ({
  decision: { action: 'restart', attempt, maxAttempts: 3, rule: 'default', failureAt: failedAt },
  failedAt,
});

describe('applyFleetLimits', () => {
  const candidates = [candidate(2, 100), candidate(1, 300), candidate(1, 200), candidate(3, 50)];

  it('keeps everything within the caps', () => {
    const out = applyFleetLimits(candidates, {
      storm: calm,
      sweepRemaining: 10,
      hourRemaining: 10,
      dryRun: false,
    });
    expect(out.map((d) => d.action)).toEqual(['restart', 'restart', 'restart', 'restart']);
  });

  it('the sweep cap keeps the fewest attempts and oldest failures first', () => {
    const out = applyFleetLimits(candidates, {
      storm: calm,
      sweepRemaining: 2,
      hourRemaining: 10,
      dryRun: false,
    });
    expect(out.map((d) => (d.action === 'skip' ? d.reason : 'restart'))).toEqual([
      'sweep-cap',
      'restart',
      'restart',
      'sweep-cap',
    ]);
  });

  it('the hourly cap names itself when it is the tighter one', () => {
    const out = applyFleetLimits(candidates, {
      storm: calm,
      sweepRemaining: 5,
      hourRemaining: 1,
      dryRun: false,
    });
    expect(out.filter((d) => d.action === 'skip' && d.reason === 'hourly-cap')).toHaveLength(3);
  });

  it('a storm stops all, with the reason', () => {
    const storm = {
      suspected: true,
      failedJobs: 30,
      failedInstances: 30,
      reason: '30 distinct jobs failed (limit 20)',
    };
    const out = applyFleetLimits(candidates, { storm, sweepRemaining: 50, hourRemaining: 50, dryRun: false });
    expect(
      out.every((d) => d.action === 'skip' && d.reason === 'storm-guard' && d.detail.includes('30 distinct')),
    ).toBe(true);
  });

  it('a dry run turns the allowed restarts into would-restart and keeps the caps', () => {
    const out = applyFleetLimits(candidates, {
      storm: calm,
      sweepRemaining: 3,
      hourRemaining: 10,
      dryRun: true,
    });
    expect(out.map((d) => (d.action === 'skip' ? d.reason : 'restart'))).toEqual([
      'dry-run',
      'dry-run',
      'dry-run',
      'sweep-cap',
    ]);
    expect(out[1]).toMatchObject({ detail: 'would restart: attempt 1 of 3', attempt: 1 });
  });
});

describe('backoffDelay', () => {
  const backoff = { baseMs: 600_000, factor: 2, maxMs: 7_200_000 };
  it.each([
    [1, 'none', 0.5, 600_000],
    [2, 'none', 0.5, 1_200_000],
    [4, 'none', 0.5, 4_800_000],
    [5, 'none', 0.5, 7_200_000],
    [1, 'equal', 0, 300_000],
    [1, 'equal', 0.999999, 599_999],
    [2, 'full', 0.25, 300_000],
    [2, 'full', 0, 0],
  ] as const)('attempt %i, jitter %s, random %f', (attempt, jitter, random, expected) => {
    expect(backoffDelay(attempt, { ...backoff, jitter }, () => random)).toBe(expected);
  });
});
