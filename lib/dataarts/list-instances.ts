import type { Instance, InstancePage } from './instance';
import { checkBeforeRequest, checkClaim, checkPage, confine } from './listing/checks';
import { pageThrough } from './listing/paging';
import type { FetchPage, ListGap, ListOptions } from './listing/types';
import {
  burstHint,
  cutOut,
  intersect,
  MIN_SPLIT_WIDTH,
  requestPieces,
  splitWindow,
  type TimeWindow,
} from './listing/windows';

export type { FetchPage, ListGap, ListOptions, PagingMode } from './listing/types';
export { describeWindow, requestPieces, splitWindow, type TimeWindow } from './listing/windows';

export interface ListFilters {
  jobName?: string;
  preciseQuery?: boolean;
  status?: string;
  instanceType?: number;
}

/**
 * `maxRequests`: an honest 7-day window of 100,000 instances takes ~126 requests at
 * `limit=1000` spread evenly (one for the window, 125 parts sized from its total), ~260
 * bunched on hourly cron times or in seven daily bursts of 14,000 in one millisecond,
 * ~225 half spread, half in such bursts (test/dataarts/list-instances.test.ts). 500
 * covers these about twice over and stops a server whose totals are wrong after 50 s at the
 * default 10 requests/s. Many bursts of over 1,000 cost ~10 requests each beyond their
 * pages: 84 of them in a week need ~880, so raise the budget for such a project.
 */
export const DEFAULT_LIST_OPTIONS: ListOptions = {
  pageLimit: 1000,
  maxWindowMs: 7 * 86_400_000,
  paging: 'auto',
  maxRequests: 500,
};

export interface ListResult {
  instances: Instance[];
  invalid: Array<{ window: TimeWindow; index: number; problem: string }>;
  /** Windows that delivered fewer instances than their `total` claimed (not silently dropped). */
  incomplete: ListGap[];
  requests: number;
}

/** Ask for a bit more than strictly needed so uneven windows rarely need a second split. */
const SPLIT_HEADROOM = 0.8;

/**
 * Every instance whose time lies in `[window.from, window.to]`, exactly once, whatever
 * `offset` means on the server. The server's bounds are strict (`> minPlanTime`,
 * `< maxPlanTime`), so the window is sent 1 ms wider on each side, in pieces of at most
 * `maxWindowMs` (see `requestPieces`). One request with `limit=pageLimit` answers most
 * windows whole; a fuller window is split into sub-windows sized from `total`,
 * recursively, adjacent ones overlapping by 1 ms; duplicates are dropped by `instanceId`.
 * A burst of cron jobs sharing one millisecond is cut out and listed on its own
 * (`burstHint`), and a window too dense to split is paged (`pageThrough`).
 *
 * `total` is not trusted further than it can be checked: a full page is never taken as
 * the whole window (a total capped at the page size or under-reported), and a window
 * that delivers fewer instances than its total claims is returned in `incomplete`.
 *
 * Bounded whatever the server answers: at most `options.maxRequests` requests
 * (LIST_BUDGET_EXCEEDED), a total that does not shrink with the window fails fast
 * (WINDOW_NOT_SHRINKING), and `signal` is checked before every request (ABORTED).
 * After the first failure no branch of the split starts another request.
 */
export async function listWindow(
  fetchPage: FetchPage,
  window: TimeWindow,
  options: ListOptions = DEFAULT_LIST_OPTIONS,
  signal?: AbortSignal,
): Promise<ListResult> {
  const byId = new Map<string, Instance>();
  const result: ListResult = { instances: [], invalid: [], incomplete: [], requests: 0 };
  const limit = options.pageLimit;
  let stopped: { error: unknown } | undefined;
  const stop = (error: unknown): never => {
    stopped ??= { error };
    throw error;
  };

  const fetch = async (w: TimeWindow, offset: number): Promise<InstancePage> => {
    if (stopped) throw stopped.error;
    try {
      checkBeforeRequest(window, result.requests, options, signal);
      result.requests++;
      const page = checkPage(await fetchPage(w, limit, offset), limit);
      for (const instance of page.instances) byId.set(instance.instanceId, instance);
      for (const bad of page.invalid) result.invalid.push({ window: w, ...bad });
      return page;
    } catch (error) {
      return stop(error);
    }
  };
  const gap = (w: TimeWindow, claimed: number, delivered: number) => {
    if (delivered < claimed) result.incomplete.push({ window: w, claimed, delivered });
  };

  // Parts of `w` (a burst cut out when the first page hints at one) and their first pages.
  const split = async (w: TimeWindow, first: InstancePage, claimed: number) => {
    const burst = burstHint(w, first, limit);
    const burstPage = burst && (await fetch(burst.window, 0));
    // At least 2 parts without a burst (claimed > limit); with one, cutting it out narrows.
    const rest = claimed - (burstPage?.total ?? 0);
    const even = splitWindow(w, Math.ceil(rest / (limit * SPLIT_HEADROOM)));
    const parts = burst ? [...cutOut(even, burst.at), burst.window] : even;
    const pages = await Promise.all(
      parts.map((part) => (part === burst?.window && burstPage ? burstPage : fetch(part, 0))),
    );
    return { parts, pages };
  };

  // `known`: where all of `w`'s instances must lie, as far as the totals seen so far tell.
  const descend = async (w: TimeWindow, first: InstancePage, known: TimeWindow): Promise<void> => {
    const rows = first.instances.length + first.invalid.length;
    if (rows < limit && first.total <= limit) return gap(w, first.total, rows);
    // A full page may hide more, whatever `total` says.
    const claimed = Math.max(first.total, rows < limit ? 0 : limit + 1);
    checkClaim(window, claimed, options, result.requests);
    if (w.to - w.from < MIN_SPLIT_WIDTH) {
      return gap(w, first.total, await pageThrough(fetch, w, first, options));
    }
    const { parts, pages } = await split(w, first, claimed);
    // Only a total above one page is a claim the parts can be held to.
    const where =
      first.total > limit
        ? confine(
            w,
            first.total,
            known,
            parts,
            pages.map((page) => page.total),
          )
        : known;
    await Promise.all(
      parts.map((part, i) => collect(part, pages[i] as InstancePage, intersect(where, part) ?? part)),
    );
  };
  const collect = (w: TimeWindow, first: InstancePage, known: TimeWindow): Promise<void> =>
    descend(w, first, known).catch(stop);

  const pieces = requestPieces(window, options.maxWindowMs);
  await Promise.all(pieces.map(async (piece) => collect(piece, await fetch(piece, 0), piece)));
  result.instances = [...byId.values()];
  return result;
}

/**
 * How many instances `[window.from, window.to]` holds, by summing `count` over the
 * pieces a listing would send (`requestPieces`): each within `maxWindowMs`, because the
 * 7-day cap applies to a request that only wants `total` too. Exact under strict bounds;
 * a lenient (inclusive) server counts the 1 ms overlaps twice.
 */
export async function countWindow(
  count: (piece: TimeWindow) => Promise<number>,
  window: TimeWindow,
  maxWindowMs: number,
): Promise<number> {
  let total = 0;
  for (const piece of requestPieces(window, maxWindowMs)) total += await count(piece);
  return total;
}
