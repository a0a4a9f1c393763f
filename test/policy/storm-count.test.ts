import type { Instance } from '../../lib/dataarts/instance';
import { type Decision, SKIP_REASONS, type SkipReason, skip } from '../../lib/policy/decision';
import { stormFailures } from '../../lib/policy/storm-count';

/** Which failures the storm guard counts (lib/policy/storm-count.ts). */

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const WINDOW = 30 * MIN;

let next = 0;
const failed = (times: Pick<Instance, 'startTime' | 'endTime' | 'planTime'>): Instance => ({
  jobName: `job_${++next}`,
  instanceId: String(next),
  status: 'fail',
  ...times,
});
const restart: Decision = { action: 'restart', attempt: 1, maxAttempts: 3, rule: 'default', failureAt: 0 };
const recent = () => failed({ endTime: NOW - MIN });

describe('stormFailures', () => {
  const stillRetried: SkipReason[] = ['backing-off', 'in-flight', 'outcome-unknown', 'already-attempted'];

  it('counts restarts and the skips policy would still retry', () => {
    const planned = [restart, ...stillRetried.map((reason) => skip(reason))].map((decision) => ({
      instance: recent(),
      decision,
    }));
    expect(stormFailures(planned, NOW, WINDOW)).toEqual(planned.map((p) => p.instance));
  });

  it.each((Object.keys(SKIP_REASONS) as SkipReason[]).filter((reason) => !stillRetried.includes(reason)))(
    'never counts a failure skipped as %s',
    (reason) => {
      const counted = recent();
      const planned = [
        { instance: recent(), decision: skip(reason) },
        { instance: counted, decision: restart },
      ];
      expect(stormFailures(planned, NOW, WINDOW)).toEqual([counted]);
    },
  );

  it('counts a failure that ended within the window, its first instant included', () => {
    const edge = failed({ endTime: NOW - WINDOW });
    const before = failed({ endTime: NOW - WINDOW - 1 });
    const inside = failed({ endTime: NOW - WINDOW + 1 });
    const planned = [edge, before, inside].map((instance) => ({ instance, decision: restart }));
    expect(stormFailures(planned, NOW, WINDOW)).toEqual([edge, inside]);
  });

  it('judges by the end of the run, else by the failure time (start, else plan)', () => {
    // Started long ago, ended within the window: counted by its end.
    const longRun = failed({ startTime: NOW - 3 * WINDOW, endTime: NOW - MIN });
    // An end before the window wins over a start inside it: not counted.
    const oldEnd = failed({ startTime: NOW - MIN, endTime: NOW - 2 * WINDOW });
    const startOnly = failed({ startTime: NOW - MIN });
    const oldStartOnly = failed({ startTime: NOW - 2 * WINDOW, planTime: NOW - MIN });
    const planOnly = failed({ planTime: NOW - MIN });
    const oldPlanOnly = failed({ planTime: NOW - 2 * WINDOW });
    const noTime = failed({});
    const planned = [longRun, oldEnd, startOnly, oldStartOnly, planOnly, oldPlanOnly, noTime].map(
      (instance) => ({ instance, decision: restart }),
    );
    expect(stormFailures(planned, NOW, WINDOW)).toEqual([longRun, startOnly, planOnly]);
  });

  it('a failure with no time at all is never counted, whatever the window', () => {
    const planned = [{ instance: failed({}), decision: restart }];
    expect(stormFailures(planned, NOW, Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(stormFailures(planned, 0, 0)).toEqual([]);
  });

  it('keeps the order of the plan', () => {
    const planned = [5, 1, 3, 2].map((m) => ({
      instance: failed({ endTime: NOW - m * MIN }),
      decision: restart,
    }));
    expect(stormFailures(planned, NOW, WINDOW)).toEqual(planned.map((p) => p.instance));
    expect(stormFailures([], NOW, WINDOW)).toEqual([]);
  });
});
