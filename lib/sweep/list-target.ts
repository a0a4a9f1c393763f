import type { PolicyConfig } from '../config/types';
import type { DataArtsClient } from '../dataarts/client';
import type { Instance } from '../dataarts/instance';
import type { TimeWindow } from '../dataarts/list-instances';

/** Listed on every sweep, even when not retried, so each skip is explained. */
const LISTED_STATUSES = ['fail', 'manual-stop', 'running-exception'];

export interface TargetListing {
  /** Instances in a failure-like or retried status, each once. */
  listed: Instance[];
  /** Items of the answers that were not instances. */
  invalid: Array<{ index: number; problem: string }>;
  /** All instances of the window (for the storm guard's ratio), when it is on. */
  total?: number;
  /** Successful instances, only when a rule skips superseded failures. */
  successes: Instance[];
}

/**
 * What one target's window holds, in as few requests as policy needs: one list per
 * status (`fail` first and alone, so wrong credentials cost one request), a count for
 * the storm guard, and the successes only if a rule looks for superseded failures.
 */
export async function listTarget(
  client: Pick<DataArtsClient, 'listInstances' | 'countInstances'>,
  window: TimeWindow,
  policy: PolicyConfig,
  signal?: AbortSignal,
): Promise<TargetListing> {
  const statuses = new Set<string>([
    ...LISTED_STATUSES,
    ...policy.defaults.statuses,
    ...policy.rules.flatMap((r) => r.overrides.statuses ?? []),
  ]);
  const [first, ...others] = [...statuses];
  const lists = [await client.listInstances(window, { status: first as string }, signal)];
  lists.push(
    ...(await Promise.all(others.map((status) => client.listInstances(window, { status }, signal)))),
  );
  const listing: TargetListing = {
    listed: [...new Map(lists.flatMap((l) => l.instances).map((i) => [i.instanceId, i])).values()],
    invalid: lists.flatMap((l) => l.invalid),
    successes: [],
  };
  if (policy.stormGuard.enabled) listing.total = await client.countInstances(window, {}, signal);
  if (policy.defaults.skipSuperseded || policy.rules.some((r) => r.overrides.skipSuperseded)) {
    listing.successes = (await client.listInstances(window, { status: 'success' }, signal)).instances;
  }
  return listing;
}
