import { REPORT_SCHEMA_VERSION, type SweepReport } from '../sweep/report';

const calls = { list: 2, show: 0, restart: 3, retries: 0, throttled: 0 };
const target = (name: string) => ({
  target: name,
  projectId: 'sample-project',
  workspace: 'default',
  window: { from: '2026-11-23T08:00:00Z', to: '2026-11-24T08:00:00Z' },
  listed: 4,
  storm: { suspected: false, failedJobs: 4, failedInstances: 4 },
  counts: { restarted: 3, 'budget-exhausted': 1 },
  apiCalls: calls,
  durationMs: 1800,
});

/**
 * The report `notify test` sends: a bit of everything, so every section, the mentions
 * (it has problems) and the formatting of each platform can be checked before deploying.
 */
export function sampleReport(startedAt: string): SweepReport {
  const ref = (jobName: string, instanceId: string) => ({
    target: 'sample-prod',
    workspace: 'default',
    jobName,
    instanceId,
  });
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    sweepId: '00000000-test-4000-8000-000000000000',
    dryRun: false,
    startedAt,
    finishedAt: startedAt,
    durationMs: 1800,
    storm: false,
    totals: { restarted: 3, 'budget-exhausted': 1 },
    targets: [
      target('sample-prod'),
      {
        ...target('sample-backup'),
        listed: 0,
        counts: {},
        error: { code: 'LIST_FAILED', message: 'this is a sample error: nothing is wrong' },
      },
    ],
    restarted: [
      { ...ref('ods_orders_daily', '1001'), attempt: 1, maxAttempts: 3 },
      { ...ref('dwd_user_profile', '1002'), attempt: 2, maxAttempts: 3 },
      { ...ref('ads_销售日报', '1003'), attempt: 1, maxAttempts: 3 },
    ],
    exhausted: [{ ...ref('dws_finance_close', '1004'), attempts: 3, maxAttempts: 3 }],
    unconfirmed: [],
    deferred: [],
    errors: [
      { target: 'sample-backup', code: 'LIST_FAILED', message: 'this is a sample error: nothing is wrong' },
    ],
    decisions: [],
    apiCalls: calls,
    ledgerRetries: 0,
  };
}
