import type { PolicyConfig } from '../../config/types';
import { implausibleTime } from '../../dataarts/answer-times';
import type { DataArtsClient } from '../../dataarts/client';
import { type Instance, KNOWN_STATUSES } from '../../dataarts/instance';
import { describeWindow, type ListGap, type TimeWindow } from '../../dataarts/list-instances';
import { describeError } from '../../errors';
import { answerError, describeInstance } from '../records';
import type { ErrorItem } from '../report';
import type { TargetInput } from '../target-input';

/** Listed on every sweep, even when not retried, so each skip is explained. */
const LISTED_STATUSES = ['fail', 'manual-stop', 'running-exception'];

export interface TargetListing {
  /** Instances in a failure-like or retried status, each once. */
  listed: Instance[];
  /**
   * Items of the answers that cannot be trusted as instances (not instances at all, or
   * a time that is not one: `implausibleTime`), one line each: each is a
   * MALFORMED_INSTANCE error of the report. They are never decided.
   */
  malformed: string[];
  /**
   * Why the listing may miss instances (one line per status listing whose windows
   * delivered fewer instances than their `total` claimed): each is a LIST_INCOMPLETE
   * error of the report. The instances that were delivered are listed.
   */
  incomplete: string[];
  /**
   * Instances in a status DataArts does not document, by the value as answered: never
   * decided (not eligible), but never silently dropped either. Empty when none.
   */
  unknownStatuses: Record<string, number>;
  /** All instances of the window (for the storm guard's ratio), when it is on. */
  total?: number;
  /** Successful instances, only when a rule skips superseded failures. */
  successes: Instance[];
}

export type ListInput = Pick<TargetInput, 'client' | 'config' | 'signal' | 'target' | 'logger'>;

/** The window's instances and what the answers got wrong, or why nothing could be listed. */
export type Listed =
  | { ok: true; listing: TargetListing; errors: ErrorItem[] }
  | { ok: false; error: unknown };

/**
 * The listing phase: the window's instances (listTarget), with each gap and each
 * malformed item as an error of the report; the instances beside them are swept.
 */
export async function list(input: ListInput, window: TimeWindow): Promise<Listed> {
  try {
    const listing = await listTarget(input.client, window, input.config, input.signal);
    const errors = [
      ...listing.incomplete.map((message) => answerError(input.target, 'LIST_INCOMPLETE', message)),
      ...listing.malformed.map((message) => answerError(input.target, 'MALFORMED_INSTANCE', message)),
    ];
    return { ok: true, listing, errors };
  } catch (error) {
    input.logger.warn('target listing failed', { target: input.target.name, ...describeError(error) });
    return { ok: false, error };
  }
}

/**
 * What one target's window holds, in as few requests as policy needs: one listing of
 * every status wanted (the failure-like ones, those retried, and the successes only if
 * a rule looks for superseded failures), which costs one unfiltered request per
 * piece of the window while a piece holds less than a page and answers the storm
 * guard's total too; fuller pieces are listed per status (see `listStatuses`).
 */
export async function listTarget(
  client: Pick<DataArtsClient, 'listInstances'>,
  window: TimeWindow,
  config: { policy: PolicyConfig },
  signal?: AbortSignal,
): Promise<TargetListing> {
  const { policy } = config;
  const failureLike = new Set<string>([
    ...LISTED_STATUSES,
    ...policy.defaults.statuses,
    ...policy.rules.flatMap((r) => r.overrides.statuses ?? []),
  ]);
  const superseded = policy.defaults.skipSuperseded || policy.rules.some((r) => r.overrides.skipSuperseded);
  const statuses = [...failureLike, ...(superseded ? ['success'] : [])];
  const list = await client.listInstances(window, { statuses }, signal);
  // The window ends at the sweep's clock: the times of the answer are held to it.
  const timed = list.instances.map((instance) => ({
    instance,
    problem: implausibleTime(instance, window.to),
  }));
  const trusted = timed.filter((t) => t.problem === undefined).map((t) => t.instance);
  const listing: TargetListing = {
    listed: trusted.filter((i) => failureLike.has(i.status)),
    malformed: [
      ...list.invalid.map((bad) => `list answer item ${bad.index}: ${bad.problem}`),
      ...timed.flatMap(({ instance, problem }) =>
        problem === undefined ? [] : [`list answer: ${describeInstance(instance)}: ${problem}`],
      ),
    ],
    incomplete: statuses.flatMap((status) =>
      describeGaps(
        status,
        list.incomplete.filter((gap) => gap.status === status),
      ),
    ),
    successes: superseded ? trusted.filter((i) => i.status === 'success') : [],
    unknownStatuses: countUnknown(trusted),
  };
  if (policy.stormGuard.enabled) listing.total = list.total ?? 0;
  return listing;
}

/** By value; a Map first, so a status such as `__proto__` is counted like any other. */
function countUnknown(instances: readonly Instance[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const { status } of instances)
    if (!KNOWN_STATUSES.has(status)) counts.set(status, (counts.get(status) ?? 0) + 1);
  return Object.fromEntries(counts);
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
