import type { Instance } from '../dataarts/instance';
import type { InstanceKey, LedgerEntry } from '../ledger/ledger';
import { keyString } from '../ledger/ledger';
import { decide } from '../policy/decide';
import { resolveRule } from '../policy/rules';
import type { TargetListing } from './list-target';
import { type Planned, type TargetSweepInput, workspaceOf } from './target-context';

/** The ledger keys of the listed instances, in listing order. */
export function keysOf(input: TargetSweepInput, listed: readonly Instance[]): InstanceKey[] {
  const workspace = workspaceOf(input.target);
  return listed.map((instance) => ({
    target: input.target.name,
    workspace,
    jobName: instance.jobName,
    instanceId: instance.instanceId,
  }));
}

/** Decides every listed instance from its ledger entry, at `now`. Pure. */
export function planTarget(
  input: TargetSweepInput,
  listing: TargetListing,
  keys: readonly InstanceKey[],
  entries: ReadonlyMap<string, LedgerEntry>,
  now: number,
): Planned[] {
  const { policy } = input.config;
  const newestSuccess = newestSuccessByJob(listing.successes);
  return listing.listed.map((instance, i) => {
    const key = keys[i] as InstanceKey;
    const rule = resolveRule(instance.jobName, policy);
    const entry = entries.get(keyString(key));
    const success = newestSuccess.get(instance.jobName);
    const supersededBy =
      success && (success.planTime ?? 0) > (instance.planTime ?? 0) ? success.instanceId : undefined;
    const decision = decide(instance, entry, rule, now, {
      policy,
      ...(supersededBy === undefined ? {} : { supersededBy }),
    });
    return { instance, key, rule, entry, decision };
  });
}

function newestSuccessByJob(successes: readonly Instance[]): Map<string, Instance> {
  const newest = new Map<string, Instance>();
  for (const instance of successes) {
    const current = newest.get(instance.jobName);
    if (!current || (instance.planTime ?? 0) > (current.planTime ?? 0))
      newest.set(instance.jobName, instance);
  }
  return newest;
}
