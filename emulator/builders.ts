import type { InstanceSeed } from './state';

const MIN = 60_000;

export interface FailedSeedsOptions {
  /** The emulator clock's "now": failures planned an hour before it, ended half an hour before. */
  now: number;
  /** Job names are `${jobPrefix}${i}` (default `job_`). */
  jobPrefix?: string;
  /** Instance ids are `firstId + i` (default 1). */
  firstId?: number;
  /** Anything else every seed carries (e.g. `runMs`, `instanceType`). */
  extra?: Partial<InstanceSeed>;
}

/**
 * `count` failed instances of distinct jobs, the shape most tests, the demo and the
 * benchmark start from: one definition, so a change to what "a failed instance" looks
 * like (a field DataArts adds, a stricter emulator) is made once.
 */
export function failedSeeds(count: number, options: FailedSeedsOptions): InstanceSeed[] {
  const { now, jobPrefix = 'job_', firstId = 1, extra = {} } = options;
  return Array.from({ length: count }, (_, i) =>
    failedSeed(now, {
      jobName: `${jobPrefix}${i}`,
      instanceId: firstId + i,
      ...extra,
    }),
  );
}

/** One failed instance, planned an hour before `now` and ended half an hour before. */
export function failedSeed(
  now: number,
  overrides: Partial<InstanceSeed> & { jobName: string; instanceId: string | number },
): InstanceSeed {
  return { status: 'fail', planTime: now - 60 * MIN, endTime: now - 30 * MIN, ...overrides };
}

/**
 * A failed instance of `job_${id}` that ended `minutesAgo` before `now`, after a
 * ten-minute run (planned and started ten minutes before it ended).
 */
export function failedEndedAgo(
  now: number,
  id: number,
  minutesAgo: number,
  extra: Partial<InstanceSeed> = {},
): InstanceSeed {
  const endTime = now - minutesAgo * MIN;
  return {
    jobName: `job_${id}`,
    instanceId: id,
    status: 'fail',
    planTime: endTime - 10 * MIN,
    startTime: endTime - 10 * MIN,
    endTime,
    runMs: 10 * MIN,
    ...extra,
  };
}

export interface OutageFailuresOptions {
  /** The first failure ends here, the last at `to`; the others evenly between. */
  from: number;
  to: number;
  /** The one message they all show. */
  errorMessage: string;
  /** Job names are `${jobPrefix}${i}` (default `job_`). */
  jobPrefix?: string;
  /** Instance ids are `firstId + i` (default 1). */
  firstId?: number;
  /** Anything else every seed carries (e.g. `runMs`, `node`). */
  extra?: Partial<InstanceSeed>;
}

/**
 * The failures one outage leaves behind: `count` failed instances of distinct jobs,
 * ending within [from, to] with one `errorMessage`, each planned and started ten
 * minutes before it ended.
 */
export function outageFailures(count: number, options: OutageFailuresOptions): InstanceSeed[] {
  const { from, to, errorMessage, jobPrefix = 'job_', firstId = 1, extra = {} } = options;
  const step = count > 1 ? (to - from) / (count - 1) : 0;
  return Array.from({ length: count }, (_, i) => {
    const endTime = Math.round(from + i * step);
    return {
      jobName: `${jobPrefix}${i}`,
      instanceId: firstId + i,
      status: 'fail',
      planTime: endTime - 10 * MIN,
      startTime: endTime - 10 * MIN,
      endTime,
      runMs: 10 * MIN,
      errorMessage,
      ...extra,
    };
  });
}
