/**
 * What one decision record says (lib/sweep/records.ts): the budget a skip was
 * decided under (attempt k of n, the rule, until when), why the instance failed and the
 * failed node, each only when known: a report reader can tell "not known" from a value.
 */
import type { Decision } from '../../lib/policy/decision';
import type { Planned } from '../../lib/sweep/planned';
import { fromSkip, record } from '../../lib/sweep/records';

const T = Date.UTC(2026, 10, 24, 8, 0, 0);
const key = { target: 't', workspace: 'w', jobName: 'j', instanceId: '1' };
const planned = (over: Partial<Planned> = {}): Planned =>
  ({ key, instance: { jobName: 'j', instanceId: '1', status: 'fail' }, ...over }) as Planned;
type Skip = Extract<Decision, { action: 'skip' }>;
const skip = (over: Partial<Skip> = {}): Skip => ({
  action: 'skip',
  reason: 'backing-off',
  detail: 'd',
  ...over,
});

describe('a decision record', () => {
  it('carries the budget a skip was decided under, and until when, when known', () => {
    const r = fromSkip(planned(), skip({ attempt: 2, maxAttempts: 3, rule: 'default', until: T }));
    expect(r).toEqual({
      ...key,
      status: 'fail',
      outcome: 'backing-off',
      detail: 'd',
      attempt: 2,
      maxAttempts: 3,
      rule: 'default',
      until: '2026-11-24T08:00:00Z',
    });
  });

  it('has no budget keys at all when the skip has none', () => {
    const r = fromSkip(planned(), skip({ reason: 'excluded' }));
    expect(r).toEqual({ ...key, status: 'fail', outcome: 'excluded', detail: 'd' });
    for (const field of ['attempt', 'maxAttempts', 'rule', 'until', 'errorMessage', 'failedNode'])
      expect(field in r).toBe(false);
  });

  it('says why the instance failed and which node, when known; an empty message is no message', () => {
    const withWhy = planned({
      instance: { jobName: 'j', instanceId: '1', status: 'fail', errorMessage: 'Out of memory' },
      failedNode: { name: 'load', type: 'DLISQL' },
    });
    expect(record(withWhy, 'error', 'x')).toMatchObject({
      errorMessage: 'Out of memory',
      failedNode: { name: 'load', type: 'DLISQL' },
    });
    const empty = record(
      planned({ instance: { jobName: 'j', instanceId: '1', status: 'fail', errorMessage: '' } }),
      'error',
      'x',
    );
    expect('errorMessage' in empty).toBe(false);
  });
});
