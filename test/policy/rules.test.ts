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

describe('job-name globs', () => {
  const selects = (glob: string, job: string) => jobSelected(job, policyOf({ jobs: [glob] }));

  it.each([
    ['ods_orders', 'ods_orders', true],
    ['ods_orders', 'ods_order', false],
    ['ods_*', 'ods_', true],
    ['ods_*', 'dwd_ods_x', false],
    ['*_tmp', 'a_tmp', true],
    ['*_tmp', 'a_tmp_b', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['*', '', true],
    ['*', 'anything at all', true],
    ['**', 'x', true],
    ['?', '', false],
    ['?', 'x', true],
    ['?', 'xy', false],
    ['job_?', 'job_1', true],
    ['job_?', 'job_12', false],
    // Regular-expression metacharacters are literal.
    ['a.b', 'axb', false],
    ['a.b', 'a.b', true],
    ['(x)+[y]{2}|^$\\', '(x)+[y]{2}|^$\\', true],
    ['a+', 'aa', false],
    ['[ab]', 'a', false],
    // Unicode: Chinese names, and `?` is one character even outside the BMP.
    ['订单_*', '订单_每日', true],
    ['订单_?', '订单_日', true],
    ['订单_?', '订单_每日', false],
    ['x?y', 'x😀y', true],
    ['x??y', 'x😀y', false],
    ['𝒜*', '𝒜bc', true],
    // `*` crosses line breaks.
    ['a*b', 'a\nb', true],
    ['a?b', 'a\nb', true],
  ])('%j against %j → %s', (glob, job, selected) => {
    expect(selects(glob, job)).toBe(selected);
  });

  it('is never empty: an empty glob is refused when the config is read', () => {
    expect(() => policyOf({ jobs: ['ods_*', ''] })).toThrow(
      'policy.jobs[1]: must be a non-empty string, got ""',
    );
  });

  it('matches in time linear in the name, not exponential in the stars', () => {
    // A backtracking regular expression takes ~5 s per name here (~30 s for the six), blocking
    // the event loop and so every deadline; the linear matcher takes microseconds.
    const policy = policyOf({ jobs: ['*_*_*_*_*_*_x'] });
    const names = Array.from({ length: 6 }, (_, i) => '_'.repeat(100 + i));
    const started = performance.now();
    const selected = names.map((name) => jobSelected(name, policy));
    const elapsedMs = performance.now() - started;
    expect(selected).toEqual(names.map(() => false));
    expect(elapsedMs).toBeLessThan(2000);
  });
});
