import type { ClientConfig, PolicyConfig } from '../config/types';
import type { DataArtsClient } from '../dataarts/client';
import type { Instance } from '../dataarts/instance';
import {
  countWindow,
  describeWindow,
  type ListGap,
  type ListResult,
  type TimeWindow,
} from '../dataarts/list-instances';

/** Listed on every sweep, even when not retried, so each skip is explained. */
const LISTED_STATUSES = ['fail', 'manual-stop', 'running-exception'];

export interface TargetListing {
  /** Instances in a failure-like or retried status, each once. */
  listed: Instance[];
  /** Items of the answers that were not instances. */
  invalid: Array<{ index: number; problem: string }>;
  /**
   * Why the listing may miss instances (one line per status listing whose windows
   * delivered fewer instances than their `total` claimed): each is a LIST_INCOMPLETE
   * error of the report. The instances that were delivered are listed.
   */
  incomplete: string[];
  /** All instances of the window (for the storm guard's ratio), when it is on. */
  total?: number;
  /** Successful instances, only when a rule skips superseded failures. */
  successes: Instance[];
}

/**
 * What one target's window holds, in as few requests as policy needs: one list per
 * status (`fail` first and alone, so wrong credentials cost one request), a count for
 * the storm guard (in pieces within `client.maxWindowMs`: the cap applies to counts
 * too), and the successes only if a rule looks for superseded failures.
 */
export async function listTarget(
  client: Pick<DataArtsClient, 'listInstances' | 'countInstances'>,
  window: TimeWindow,
  config: { policy: PolicyConfig; client: Pick<ClientConfig, 'maxWindowMs'> },
  signal?: AbortSignal,
): Promise<TargetListing> {
  const { policy } = config;
  const statuses = [
    ...new Set<string>([
      ...LISTED_STATUSES,
      ...policy.defaults.statuses,
      ...policy.rules.flatMap((r) => r.overrides.statuses ?? []),
    ]),
  ];
  const [first, ...others] = statuses;
  const lists = [await client.listInstances(window, { status: first as string }, signal)];
  lists.push(
    ...(await Promise.all(others.map((status) => client.listInstances(window, { status }, signal)))),
  );
  const listing: TargetListing = {
    listed: [...new Map(lists.flatMap((l) => l.instances).map((i) => [i.instanceId, i])).values()],
    invalid: lists.flatMap((l) => l.invalid),
    incomplete: lists.flatMap((l, i) => describeGaps(statuses[i] as string, l.incomplete)),
    successes: [],
  };
  if (policy.stormGuard.enabled) {
    const count = (piece: TimeWindow) => client.countInstances(piece, {}, signal);
    listing.total = await countWindow(count, window, config.client.maxWindowMs);
  }
  if (policy.defaults.skipSuperseded || policy.rules.some((r) => r.overrides.skipSuperseded)) {
    const successes: ListResult = await client.listInstances(window, { status: 'success' }, signal);
    listing.successes = successes.instances;
    listing.incomplete.push(...describeGaps('success', successes.incomplete));
  }
  return listing;
}

/** One line for the report: how many instances of a status listing could not be listed, and where. */
function describeGaps(status: string, gaps: readonly ListGap[]): string[] {
  if (gaps.length === 0) return [];
  const missing = gaps.reduce((sum, g) => sum + g.claimed - g.delivered, 0);
  const shown = gaps
    .slice(0, 3)
    .map((g) => `${describeWindow(g.window)} claimed ${g.claimed}, delivered ${g.delivered}`)
    .join('; ');
  return [
    `status ${status}: up to ${missing} instances could not be listed: ${gaps.length} windows delivered fewer instances than their total claimed (${shown}${gaps.length > 3 ? '; ...' : ''})`,
  ];
}
