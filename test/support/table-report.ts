import type { DecisionRecord, SweepReport } from '../../lib/sweep/report';
import { fixedReport } from './fixed-report';

const at = (target: string, jobName: string, instanceId: string) => ({
  target,
  workspace: 'default',
  jobName,
  instanceId,
});

function decision(
  outcome: DecisionRecord['outcome'],
  jobName: string,
  instanceId: string,
  extra: Partial<DecisionRecord> = {},
): DecisionRecord {
  return { ...at('cn4-prod', jobName, instanceId), status: 'fail', outcome, detail: outcome, ...extra };
}

/**
 * A report with every part the table shows: two targets (one down, one in a storm), a
 * run of each outcome just over and just at the folding size, exhausted budgets with and
 * without a last outcome, an unconfirmed attempt, and an error of a target and of an instance.
 */
export function tableReport(): SweepReport {
  const base = fixedReport();
  const prod = base.targets[0]!;
  return {
    ...base,
    totals: {},
    targets: [
      {
        ...prod,
        listed: 23,
        counts: {
          restarted: 2,
          error: 1,
          deferred: 2,
          'budget-exhausted': 1,
          'storm-guard': 8,
          'backing-off': 5,
          superseded: 1,
        },
        apiCalls: { list: 4, show: 2, restart: 3, retries: 0, throttled: 0 },
        storm: {
          suspected: true,
          failedJobs: 21,
          failedInstances: 23,
          reason: '21 distinct jobs failed (limit 20)',
        },
      },
      {
        ...prod,
        target: 'cn4-backup',
        listed: 0,
        counts: { 'target-halted': 1 },
        apiCalls: { list: 1, show: 0, restart: 0, retries: 0, throttled: 0 },
        error: { code: 'AUTH_FAILED', message: 'APIGW.0301: incorrect IAM authentication information' },
      },
    ],
    restarted: [
      { ...at('cn4-prod', 'ods_a', '101'), attempt: 1, maxAttempts: 3 },
      { ...at('cn4-prod', 'ods_b', '102'), attempt: 2, maxAttempts: 3 },
    ],
    exhausted: [
      { ...at('cn4-prod', 'dws_close', '301'), attempts: 3, maxAttempts: 3, lastOutcome: 'restarted' },
      { ...at('cn4-prod', 'dws_open', '302'), attempts: 3, maxAttempts: 3 },
    ],
    unconfirmed: [{ ...at('cn4-prod', 'ods_b', '102'), attempt: 2, maxAttempts: 3, code: 'RESTART_TIMEOUT' }],
    deferred: [at('cn4-prod', 'late_a', '401'), at('cn4-prod', 'late_b', '402')],
    errors: [
      { ...at('cn4-prod', 'ods_e', '201'), code: 'RESTART_REJECTED', message: 'answered 400 (DLF.3051)' },
      {
        target: 'cn4-backup',
        code: 'AUTH_FAILED',
        message: 'APIGW.0301: incorrect IAM authentication information',
      },
    ],
    decisions: [
      decision('superseded', 'aaa_job', '501'),
      ...Array.from({ length: 5 }, (_, i) =>
        decision('backing-off', `bk_${i}`, String(600 + i), {
          detail: 'backing off until 2026-11-24T08:03:00.000Z',
          until: '2026-11-24T08:03:00.000Z',
        }),
      ),
      ...Array.from({ length: 6 }, (_, i) =>
        decision('storm-guard', `st_${i % 3}`, String(700 + i), { detail: 'storm suspected on this target' }),
      ),
      decision('budget-exhausted', 'dws_close', '301', { attempt: 3, maxAttempts: 3 }),
      { ...decision('target-halted', 'ods_h', '801'), target: 'cn4-backup' },
      decision('deferred', 'late_a', '401'),
      decision('deferred', 'late_b', '402'),
      decision('error', 'ods_e', '201', { detail: 'answered 400 (DLF.3051)' }),
      decision('restarted', 'ods_b', '102', { attempt: 2, maxAttempts: 3, detail: 'attempt 2 of 3' }),
      decision('restarted', 'ods_a', '101', { attempt: 1, maxAttempts: 3, detail: 'attempt 1 of 3' }),
    ],
  };
}
