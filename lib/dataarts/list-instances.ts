import { type Instance, type InstancePage, instanceIdentity, KNOWN_STATUSES } from './instance';
import { checkBeforeRequest, checkClaim, checkPage, confine } from './listing/checks';
import { type PagedBurst, pageBurst, pageThrough, restOfWindow } from './listing/paging';
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
  /**
   * Instances in any of these statuses (instead of `status`), and any in a status
   * DataArts does not document, in as few requests as the window allows: see
   * `listStatuses`. The result then carries the window's `total`.
   */
  statuses?: readonly string[];
  /**
   * Keeps only the instances it accepts (a single-status listing; never sent to
   * DataArts): a listing of a big window that looks for a few holds those alone.
   */
  keep?: (instance: Instance) => boolean;
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
  /** How many instances the window holds, whatever their status (a listing of `statuses` only). */
  total?: number;
}

/** Ask for a bit more than strictly needed so uneven windows rarely need a second split. */
const SPLIT_HEADROOM = 0.8;

/**
 * Every instance whose time lies in `[window.from, window.to]`, exactly once, whatever
 * `offset` means on the server. The server's bounds are strict (`> minPlanTime`,
 * `< maxPlanTime`), so the window is sent 1 ms wider on each side, in pieces of at most
 * `maxWindowMs` (see `requestPieces`). One request with `limit=pageLimit` answers most
 * windows whole; a fuller window is split into sub-windows sized from `total`,
 * recursively, adjacent ones overlapping by 1 ms; duplicates are dropped by job and id
 * (`instanceIdentity`).
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
  keep?: (instance: Instance) => boolean,
): Promise<ListResult> {
  const byIdentity = new Map<string, Instance>();
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
      for (const instance of page.instances)
        if (!keep || keep(instance)) byIdentity.set(instanceIdentity(instance), instance);
      for (const bad of page.invalid) result.invalid.push({ window: w, ...bad });
      return page;
    } catch (error) {
      return stop(error);
    }
  };
  const gap = (w: TimeWindow, claimed: number, delivered: number) => {
    if (delivered < claimed) result.incomplete.push({ window: w, claimed, delivered });
  };

  // `known`: where all of `w`'s instances must lie, as far as the totals seen so far tell.
  const descend = async (w: TimeWindow, first: InstancePage, known: TimeWindow): Promise<void> => {
    const rows = first.instances.length + first.invalid.length;
    if (rows < limit && first.total <= limit) return gap(w, first.total, rows);
    // A full page may hide more, whatever `total` says.
    // Stryker disable next-line ConditionalExpression: `rows < limit` → false is equivalent, a short page gets here only with a total above limit.
    const claimed = Math.max(first.total, rows < limit ? 0 : limit + 1);
    checkClaim(window, claimed, options, result.requests);
    if (w.to - w.from < MIN_SPLIT_WIDTH) {
      return gap(w, first.total, await pageThrough(fetch, w, first, options));
    }
    const burst = await pageBurst(fetch, w, first, options);
    if (burst) gap(burst.window, burst.total, burst.delivered);
    if (burst && !restOfWindow(claimed, burst)) return;
    const { parts, pages } = await splitParts(fetch, { w, first, claimed, limit }, burst);
    // Only a total above one page is a claim the parts can be held to.
    const totals = pages.map((page) => page.total);
    // A paged burst is held to the parent's total like any part (a server inventing instances).
    const held = burst
      ? { parts: [...parts, burst.window], totals: [...totals, burst.total] }
      : { parts, totals };
    const where = first.total > limit ? confine(w, first.total, known, held.parts, held.totals) : known;
    await Promise.all(
      parts.map((part, i) => collect(part, pages[i] as InstancePage, intersect(where, part) ?? part)),
    );
  };
  const collect = (w: TimeWindow, first: InstancePage, known: TimeWindow): Promise<void> =>
    descend(w, first, known).catch(stop);

  const pieces = requestPieces(window, options.maxWindowMs);
  await Promise.all(pieces.map(async (piece) => collect(piece, await fetch(piece, 0), piece)));
  result.instances = [...byIdentity.values()];
  return result;
}

/** One page of a window, counted against the listing's budget (`listWindow`'s `fetch`). */
type WindowFetch = Parameters<typeof pageThrough>[0];

/**
 * Parts of `w` (a burst cut out when the first page hints at one) and their first pages.
 * A burst already paged (`paged`) is only cut out; without paging its window is one more part.
 */
async function splitParts(
  fetch: WindowFetch,
  at: { w: TimeWindow; first: InstancePage; claimed: number; limit: number },
  paged?: PagedBurst,
): Promise<{ parts: TimeWindow[]; pages: InstancePage[] }> {
  const { w, first, claimed, limit } = at;
  const burst = paged ?? burstHint(w, first, limit);
  const burstPage = !paged && burst ? await fetch(burst.window, 0) : undefined;
  // At least 2 parts without a burst (claimed > limit); with one, cutting it out narrows.
  const rest = claimed - (paged?.total ?? burstPage?.total ?? 0);
  const even = splitWindow(w, Math.ceil(rest / (limit * SPLIT_HEADROOM)));
  const parts = burst ? [...cutOut(even, burst.at), ...(paged ? [] : [burst.window])] : even;
  const pages = await Promise.all(
    parts.map((part) => (part === burst?.window && burstPage ? burstPage : fetch(part, 0))),
  );
  return { parts, pages };
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

/**
 * Instances of `window` in any of `statuses`, and every one seen in a status DataArts
 * does not document (`KNOWN_STATUSES`), whichever request answered it: a server may
 * answer `FAIL` or `fail ` to any of them, and the caller counts those rather than
 * losing them. One unfiltered request per piece of the
 * window (`requestPieces`: strict bounds, the 7-day cap) answers every status at once,
 * and the piece's total for the storm guard, whenever the piece holds less than a page:
 * an idle target costs one request. A fuller piece, or one whose page delivered fewer
 * instances than its total claimed, is listed again per status with the server's
 * filter (`listWindow`), so what such a listing misses is reported as a gap of its
 * status, exactly as before; its first page only cost the count it replaces. The
 * first piece goes alone, so wrong credentials cost one request; after the first
 * failure no piece starts another request.
 */
export async function listStatuses(
  fetchFor: (status: string | undefined) => FetchPage,
  window: TimeWindow,
  statuses: readonly string[],
  options: ListOptions = DEFAULT_LIST_OPTIONS,
  signal?: AbortSignal,
): Promise<ListResult & { total: number }> {
  const wanted = new Set(statuses);
  const byIdentity = new Map<string, Instance>();
  const result: ListResult & { total: number } = {
    instances: [],
    invalid: [],
    incomplete: [],
    requests: 0,
    total: 0,
  };
  const stop = new AbortController();
  const either = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const take = (instances: readonly Instance[], which: (status: string) => boolean) => {
    for (const instance of instances)
      if (which(instance.status)) byIdentity.set(instanceIdentity(instance), instance);
  };
  const unknown = (status: string) => !KNOWN_STATUSES.has(status);
  const listed = (list: ListResult, status?: string) => {
    result.requests += list.requests;
    take(list.instances, (s) => wanted.has(s) || unknown(s));
    result.invalid.push(...list.invalid);
    result.incomplete.push(...list.incomplete.map((gap) => (status ? { ...gap, status } : gap)));
  };
  const probe = async (piece: TimeWindow) => {
    // Stryker disable next-line ConditionalExpression: → false is equivalent today, every probe starts before any can fail (a guard for later changes).
    if (stop.signal.aborted) throw stop.signal.reason;
    checkBeforeRequest(window, result.requests, options, signal);
    result.requests++;
    const page = checkPage(await fetchFor(undefined)(piece, options.pageLimit, 0), options.pageLimit);
    result.total += page.total;
    const rows = page.instances.length + page.invalid.length;
    if (rows < options.pageLimit && page.total <= rows) {
      return listed({
        ...page,
        invalid: page.invalid.map((bad) => ({ window: piece, ...bad })),
        incomplete: [],
        requests: 0,
      });
    }
    // Relisted per status, the server's filter may never answer these again.
    take(page.instances, unknown);
    // The piece as a listing window: its request is the piece again (1 ms inward, then outward).
    const inner = { from: piece.from + 1, to: piece.to - 1 };
    const lists = await Promise.all(
      statuses.map((status) => listWindow(fetchFor(status), inner, options, either)),
    );
    for (const [i, list] of lists.entries()) listed(list, statuses[i]);
  };
  const guarded = (piece: TimeWindow) =>
    probe(piece).catch((error: unknown) => {
      // Stryker disable next-line ConditionalExpression: → true is equivalent, aborting an aborted signal changes nothing.
      if (!stop.signal.aborted) stop.abort(error);
      throw stop.signal.reason;
    });
  const [first, ...rest] = requestPieces(window, options.maxWindowMs);
  await guarded(first as TimeWindow);
  await Promise.all(rest.map(guarded));
  result.instances = [...byIdentity.values()];
  return result;
}
