/**
 * The small rules a sweep's report rests on, one by one: which decisions a target's
 * report keeps whole (what was done, what went wrong, what a dry run would do), and
 * which target failures mean "the setup sweeps nothing" (the alarm and exit code an
 * operator acts on). The sweep suites reach these lines; these tests pin each rule.
 */
import type { Outcome } from '../../lib/policy/decision';
import { DecisionLog } from '../../lib/sweep/decision-log';
import { addCounts, authFailedEverywhere, countBy, type DecisionRecord } from '../../lib/sweep/report';
import { everyTargetFailed, failedTargets } from '../../lib/sweep/target-failures';
import { addDownTarget, fixedReport } from '../support/fixed-report';

const record = (outcome: Outcome, i: number): DecisionRecord => ({
  target: 't',
  workspace: 'w',
  jobName: 'j',
  instanceId: String(i),
  status: 'failed',
  outcome,
  detail: '',
});

describe('a target report keeps', () => {
  it.each(['restarted', 'error', 'dry-run'] as const)(
    'every %s decision, beyond the per-outcome limit',
    (outcome) => {
      const log = new DecisionLog(2);
      for (let i = 0; i < 5; i++) log.add(record(outcome, i));
      expect(log.items.map((item) => item.instanceId)).toEqual(['0', '1', '2', '3', '4']);
      expect(log.counts).toEqual({ [outcome]: 5 });
      expect(log.omitted).toEqual({});
    },
  );

  it.each(['deferred', 'backing-off', 'budget-exhausted'] as const)(
    'the first decisions of %s, counting the rest as omitted',
    (outcome) => {
      const log = new DecisionLog(2);
      for (let i = 0; i < 5; i++) log.add(record(outcome, i));
      expect(log.items.map((item) => item.instanceId)).toEqual(['0', '1']);
      expect(log.counts).toEqual({ [outcome]: 5 });
      expect(log.omitted).toEqual({ [outcome]: 3 });
    },
  );

  it('builds a lazily added record only when it is kept', () => {
    const log = new DecisionLog(1);
    const make = jest.fn(() => record('backing-off', 1));
    log.addLazily('backing-off', make);
    log.addLazily('backing-off', make);
    expect(make).toHaveBeenCalledTimes(1);
    expect(log.counts).toEqual({ 'backing-off': 2 });
  });

  it('counts outcomes per record and adds counts together', () => {
    const counts = countBy([record('restarted', 1), record('error', 2), record('restarted', 3)]);
    expect(counts).toEqual({ restarted: 2, error: 1 });
    addCounts(counts, { restarted: 1, deferred: 4 });
    expect(counts).toEqual({ restarted: 3, error: 1, deferred: 4 });
  });
});

describe('target failures', () => {
  const oneTarget = () => fixedReport();
  const bothDown = (first: string, second: string) => {
    const report = fixedReport();
    report.targets[0]!.error = { code: first, message: 'm' };
    addDownTarget(report, { code: second, message: 'm' });
    return report;
  };

  it('lists exactly the targets with an error', () => {
    const report = oneTarget();
    expect(failedTargets(report)).toEqual([]);
    addDownTarget(report, { code: 'NETWORK', message: 'unreachable' });
    expect(failedTargets(report).map((t) => t.target)).toEqual(['cn4-backup']);
  });

  it('call every target failing for a setup reason a sweep that does nothing', () => {
    expect(everyTargetFailed(bothDown('NETWORK', 'LEDGER_FAILED'))).toBe(true);
    expect(everyTargetFailed(bothDown('ABORTED', 'UNAVAILABLE'))).toBe(true);
  });

  it.each([
    'ABORTED',
    'MALFORMED_RESPONSE',
    'RESPONSE_TOO_LARGE',
    'WINDOW_NOT_SHRINKING',
    'WINDOW_TOO_DENSE',
    'LIST_BUDGET_EXCEEDED',
    'LIST_INCOMPLETE',
    'PAGING_UNDETECTABLE',
  ])('do not call %s on every target a setup that sweeps nothing', (code) => {
    expect(everyTargetFailed(bothDown(code, code))).toBe(false);
  });

  it('need every target failed, and at least one target', () => {
    const report = oneTarget();
    addDownTarget(report, { code: 'NETWORK', message: 'unreachable' });
    expect(everyTargetFailed(report)).toBe(false);
    expect(everyTargetFailed(fixedReport({ targets: [] }))).toBe(false);
  });

  it('call authentication refused on every target, and only then, a failure everywhere', () => {
    expect(authFailedEverywhere(bothDown('AUTHENTICATION_FAILED', 'NOT_AUTHORIZED'))).toBe(true);
    expect(authFailedEverywhere(bothDown('AUTHENTICATION_FAILED', 'NETWORK'))).toBe(false);
    expect(authFailedEverywhere(fixedReport({ targets: [] }))).toBe(false);
  });
});
