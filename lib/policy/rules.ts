import type { PolicyConfig, RetryRule } from '../config/types';
import { matchesAny } from '../util/glob';

/** The policy for one job: the defaults merged with the first rule whose glob matches. */
export function resolveRule(jobName: string, policy: PolicyConfig): RetryRule {
  const index = policy.rules.findIndex((rule) => matchesAny(jobName, rule.matchers));
  if (index < 0) return policy.defaults;
  const rule = policy.rules[index]!;
  return { ...policy.defaults, ...rule.overrides, name: `rules[${index}] (${rule.match.join(', ')})` };
}

/** Whether the job is in scope: matched by `jobs` and not by `excludeJobs`. */
export function jobSelected(
  jobName: string,
  policy: Pick<PolicyConfig, 'jobMatchers' | 'excludeMatchers'>,
): boolean {
  return matchesAny(jobName, policy.jobMatchers) && !matchesAny(jobName, policy.excludeMatchers);
}
