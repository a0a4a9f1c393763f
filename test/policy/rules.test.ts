import { parseConfig } from '../../lib/config/parse';
import { jobSelected, resolveRule } from '../../lib/policy/rules';

const policyOf = (policy: Record<string, unknown>) =>
  parseConfig({
    targets: [{ name: 't', endpoint: 'https://x', projectId: 'p' }],
    ledger: { type: 'file', path: 'l.json' },
    policy,
  }).policy;

describe('resolveRule', () => {
  const policy = policyOf({
    maxAttempts: 4,
    rules: [
      { match: ['ods_*', 'dwd_*'], maxAttempts: 1 },
      { match: 'dws_*', enabled: false },
    ],
  });

  it('is the defaults when no rule matches', () => {
    expect(resolveRule('ads_x', policy)).toBe(policy.defaults);
    expect(resolveRule('ads_x', policy)).toMatchObject({ name: 'default', maxAttempts: 4, enabled: true });
  });

  it('names the matching rule by its index and every glob it lists, over the defaults', () => {
    expect(resolveRule('dwd_orders', policy)).toEqual({
      ...policy.defaults,
      maxAttempts: 1,
      name: 'rules[0] (ods_*, dwd_*)',
    });
    expect(resolveRule('dws_x', policy)).toEqual({
      ...policy.defaults,
      enabled: false,
      name: 'rules[1] (dws_*)',
    });
  });
});

describe('jobSelected', () => {
  const policy = policyOf({ jobs: ['ods_*', 'dwd_*'], excludeJobs: ['*_tmp'] });

  it.each([
    ['ods_orders', true],
    ['dwd_orders', true],
    ['ads_orders', false],
    ['ods_orders_tmp', false],
    ['ads_tmp', false],
  ])('%s → %s', (job, selected) => {
    expect(jobSelected(job, policy)).toBe(selected);
  });
});
