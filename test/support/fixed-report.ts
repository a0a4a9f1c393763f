import type { SweepReport } from '../../lib/sweep/report';

const ref = (i: number) => ({
  target: 'cn4-prod',
  workspace: 'default',
  jobName: `ods_job_${i}`,
  instanceId: String(34_000 + i),
});

/** A report with a bit of everything, for the notification formats. */
export function fixedReport(overrides: Partial<SweepReport> = {}): SweepReport {
  return {
    schemaVersion: 1,
    sweepId: '5f0c1a2b-0000-4000-8000-000000000000',
    dryRun: false,
    startedAt: '2026-11-24T08:00:00Z',
    finishedAt: '2026-11-24T08:00:03Z',
    durationMs: 3120,
    storm: false,
    totals: { restarted: 14, 'budget-exhausted': 1, error: 1, 'backing-off': 3 },
    targets: [
      {
        target: 'cn4-prod',
        projectId: 'p1',
        workspace: 'default',
        window: { from: '2026-11-23T08:00:00Z', to: '2026-11-24T08:00:00Z' },
        listed: 19,
        storm: { suspected: false, failedJobs: 12, failedInstances: 19, totalInstances: 400 },
        counts: { restarted: 14, 'budget-exhausted': 1, error: 1, 'backing-off': 3 },
        apiCalls: { list: 4, show: 0, restart: 15, retries: 1, throttled: 0 },
        durationMs: 3000,
      },
    ],
    restarted: Array.from({ length: 14 }, (_, i) => ({
      ...ref(i),
      attempt: 1,
      maxAttempts: 3,
    })),
    exhausted: [
      { ...ref(99), jobName: 'dws_finance_close', attempts: 3, maxAttempts: 3, lastOutcome: 'restarted' },
    ],
    unconfirmed: [],
    deferred: [],
    errors: [
      {
        ...ref(50),
        code: 'RESTART_REJECTED',
        message: 'POST ... answered 400: status does not allow rerun (DLF.3051)',
        attemptCounted: true,
      },
    ],
    decisions: [],
    apiCalls: { list: 4, show: 0, restart: 15, retries: 1, throttled: 0 },
    ledgerRetries: 0,
    ...overrides,
  };
}

/** Adds a second target, `cn4-backup`, like the first but not swept: `error` says why. */
export function addDownTarget(report: SweepReport, error: { code: string; message: string }): void {
  report.targets.push({ ...report.targets[0]!, target: 'cn4-backup', error });
}

/** Marks a storm suspected on the first target: `failedJobs` distinct jobs failed, over a limit of 20. */
export function addStorm(report: SweepReport, failedJobs: number, failedInstances: number): void {
  report.targets[0]!.storm = {
    suspected: true,
    failedJobs,
    failedInstances,
    reason: `${failedJobs} distinct jobs failed (limit 20)`,
  };
}
