/**
 * The figures of the outage day (incident-day.ts), each as the issue's "Done when"
 * states it, computed from what the emulator saw: every restart it accepted (when, of
 * which instance, answering which failure) and the instances' statuses after the day.
 * Only the storm and held counts per sweep come from the sweeps' own reports. Pure.
 */
import type { AcceptedRestart } from '../emulator/server';
import type { EmulatedInstance } from '../emulator/state';
import type { Config } from '../lib/config/types';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** "At most one rerun of the outage's jobs per 30 minutes while the dependency is down." */
const PROBE_WINDOW_MS = 30 * MIN;

/** One sweep as its report told it. */
export interface SweepSeen {
  at: number;
  /** The storm guard suspected a storm (nothing restarted on the target). */
  storm: boolean;
  /** Failures held by an incident (`held-by-incident`). */
  held: number;
}

interface UnrelatedFigure {
  jobName: string;
  failedAt: number;
  /** The first sweep at or after failure end + firstRetryDelay. */
  eligibleAt: number;
  /** When the emulator accepted its first restart, if it did. */
  firstRerunAt?: number;
}

export interface DayFigures {
  sweeps: SweepSeen[];
  /** Restarts the emulator accepted at each sweep's time, in sweep order. */
  restartsPerSweep: number[];
  unrelated: UnrelatedFigure[];
  /** Unrelated failures whose first restart came in their first eligible sweep. */
  unrelatedInFirstEligibleSweep: number;
  /** Restarts of the outage's jobs accepted before the dependency returned. */
  outageRerunsWhileDown: number;
  /** The most of them in any 30 minutes (a window [t, t + 30 min)). */
  outageRerunsMostIn30Min: number;
  /** Outage instances whose every attempt (maxAttempts of them) failed: still failed, no budget left. */
  outageBudgetsExhausted: number;
  /** From the return to the first outage restart accepted at or after it; undefined: none. */
  firstRerunAfterReturnMs?: number;
  /** From the return to the end of the last outage instance's successful rerun; undefined: not all recovered. */
  allRecoveredAfterReturnMs?: number;
  /** Outage instances whose last run succeeded. */
  outageRecovered: number;
  outageJobs: number;
  mostRestartsInOneSweep: number;
  /** Per target (one here), in one clock hour (UTC, hh:00 to hh:59). */
  mostRestartsInOneHour: number;
  /** Instances with two restarts accepted answering one failure. */
  rerunTwiceForOneFailure: number;
  limits: { maxRestartsPerSweep: number; maxRestartsPerHour: number; maxAttempts: number };
}

interface DaySeen {
  sweeps: SweepSeen[];
  accepted: readonly AcceptedRestart[];
  /** The instances that failed today (the outage's and the unrelated), as the day left them. */
  instances: readonly EmulatedInstance[];
  outageJobs: ReadonlySet<string>;
  unrelated: ReadonlyArray<{ jobName: string; failedAt: number }>;
  returnAt: number;
  dayStart: number;
  sweepEveryMs: number;
  policy: Config['policy'];
}

export function dayFigures(day: DaySeen): DayFigures {
  const { accepted, policy } = day;
  const outage = accepted.filter((r) => day.outageJobs.has(r.jobName));
  const whileDown = outage.filter((r) => r.at < day.returnAt).map((r) => r.at);
  const afterReturn = outage.filter((r) => r.at >= day.returnAt).map((r) => r.at);
  const outageInstances = day.instances.filter((i) => day.outageJobs.has(i.jobName));
  const recovered = outageInstances.filter((i) => i.status === 'success');
  const maxAttempts = policy.defaults.maxAttempts;
  const unrelated = day.unrelated.map((u) => unrelatedFigure(u, day));
  return {
    sweeps: day.sweeps,
    // The clock stands still during a sweep: its restarts are those accepted at its time.
    restartsPerSweep: day.sweeps.map((s) => accepted.filter((r) => r.at === s.at).length),
    unrelated,
    unrelatedInFirstEligibleSweep: unrelated.filter((u) => u.firstRerunAt === u.eligibleAt).length,
    outageRerunsWhileDown: whileDown.length,
    outageRerunsMostIn30Min: mostWithin(whileDown, PROBE_WINDOW_MS),
    outageBudgetsExhausted: outageInstances.filter((i) => i.status !== 'success' && i.restarts >= maxAttempts)
      .length,
    ...(afterReturn.length > 0 ? { firstRerunAfterReturnMs: Math.min(...afterReturn) - day.returnAt } : {}),
    ...(recovered.length === outageInstances.length && outageInstances.length > 0
      ? { allRecoveredAfterReturnMs: Math.max(...recovered.map((i) => i.endTime ?? 0)) - day.returnAt }
      : {}),
    outageRecovered: recovered.length,
    outageJobs: day.outageJobs.size,
    mostRestartsInOneSweep: mostBy(accepted, (r) => r.at),
    mostRestartsInOneHour: mostBy(accepted, (r) => Math.floor(r.at / HOUR)),
    rerunTwiceForOneFailure: new Set(
      repeated(accepted, (r) => `${r.jobName}/${r.instanceId}/${r.failure}`).map((key) =>
        key.slice(0, key.lastIndexOf('/')),
      ),
    ).size,
    limits: {
      maxRestartsPerSweep: policy.maxRestartsPerSweep,
      maxRestartsPerHour: policy.maxRestartsPerHour,
      maxAttempts,
    },
  };
}

function unrelatedFigure(u: { jobName: string; failedAt: number }, day: DaySeen): UnrelatedFigure {
  const eligible = u.failedAt + day.policy.defaults.firstRetryDelayMs;
  const eligibleAt =
    day.dayStart + Math.ceil((eligible - day.dayStart) / day.sweepEveryMs) * day.sweepEveryMs;
  const first = day.accepted.find((r) => r.jobName === u.jobName);
  return { ...u, eligibleAt, ...(first ? { firstRerunAt: first.at } : {}) };
}

/** The most of `times` within any window [t, t + span). */
function mostWithin(times: readonly number[], span: number): number {
  return Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + span).length));
}

function mostBy<T>(items: readonly T[], key: (item: T) => number | string): number {
  const counts = new Map<number | string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

function repeated<T>(items: readonly T[], key: (item: T) => string): string[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([k]) => k);
}

/** "The first rerun after the dependency returns within 30 minutes of its return." */
const FIRST_RERUN_WITHIN_MS = 30 * MIN;
/** "All 120 recovered within 90 minutes of it." */
const ALL_RECOVERED_WITHIN_MS = 90 * MIN;

/** One line of the "Done when": what it asks, its value in a day, and whether the day met it. */
interface Criterion {
  figure: string;
  target: string;
  value: (f: DayFigures) => string;
  met: (f: DayFigures) => boolean;
}

const minutes = (ms: number | undefined, none: string) =>
  ms === undefined ? none : `${(ms / MIN).toFixed(1)} min`;
const within = (ms: number | undefined, limit: number) => ms !== undefined && ms <= limit;

/** The "Done when" of the issue, figure by figure, as the bench prints and judges it. */
export const DONE_WHEN: readonly Criterion[] = [
  {
    figure: 'unrelated failures rerun in their first eligible sweep',
    target: 'all of them',
    value: (f) =>
      `${f.unrelatedInFirstEligibleSweep} of ${f.unrelated.length} (late by ${f.unrelated
        .map((u) => (u.firstRerunAt === undefined ? 'never' : `${(u.firstRerunAt - u.eligibleAt) / MIN}`))
        .join('/')} min)`,
    met: (f) => f.unrelatedInFirstEligibleSweep === f.unrelated.length,
  },
  {
    figure: 'outage reruns while down: total (most in 30 min)',
    target: 'at most 1 per 30 min',
    value: (f) => `${f.outageRerunsWhileDown} (${f.outageRerunsMostIn30Min})`,
    met: (f) => f.outageRerunsMostIn30Min <= 1,
  },
  {
    figure: 'outage budgets exhausted',
    target: '0',
    value: (f) => String(f.outageBudgetsExhausted),
    met: (f) => f.outageBudgetsExhausted === 0,
  },
  {
    figure: 'first outage rerun after the return',
    target: `<= ${FIRST_RERUN_WITHIN_MS / MIN} min after it`,
    value: (f) => minutes(f.firstRerunAfterReturnMs, 'none'),
    met: (f) => within(f.firstRerunAfterReturnMs, FIRST_RERUN_WITHIN_MS),
  },
  {
    figure: 'all outage jobs recovered',
    target: `<= ${ALL_RECOVERED_WITHIN_MS / MIN} min after the return`,
    value: (f) =>
      minutes(f.allRecoveredAfterReturnMs, `not in the day (${f.outageRecovered} of ${f.outageJobs})`),
    met: (f) => within(f.allRecoveredAfterReturnMs, ALL_RECOVERED_WITHIN_MS),
  },
  {
    figure: 'most restarts in one sweep / in one clock hour',
    target: 'within maxRestartsPerSweep / maxRestartsPerHour',
    value: (f) =>
      `${f.mostRestartsInOneSweep} of ${f.limits.maxRestartsPerSweep} / ${f.mostRestartsInOneHour} of ${f.limits.maxRestartsPerHour}`,
    met: (f) =>
      f.mostRestartsInOneSweep <= f.limits.maxRestartsPerSweep &&
      f.mostRestartsInOneHour <= f.limits.maxRestartsPerHour,
  },
  {
    figure: 'instances rerun twice for one failure',
    target: '0',
    value: (f) => String(f.rerunTwiceForOneFailure),
    met: (f) => f.rerunTwiceForOneFailure === 0,
  },
];
