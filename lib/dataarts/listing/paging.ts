import { DataArtsError } from '../../errors';
import { type InstancePage, instanceIdentity } from '../instance';
import { LIST_REQUEST } from './checks';
import type { ListOptions } from './types';
import { burstHint, type TimeWindow } from './windows';

type Fetch = (w: TimeWindow, offset: number) => Promise<InstancePage>;

/**
 * The last resort: pages through a window too dense to split, in the configured or
 * detected mode, and returns how many distinct records it delivered. It reads on while
 * the last page was full (a `total` capped at the page size or under-reported cannot
 * stop it early) or while fewer records than `total` came and the last page brought
 * new ones (pages that repeat records of the page before); it stops at an empty page or
 * one with nothing new. The caller compares the result with `total`.
 */
export async function pageThrough(
  fetch: Fetch,
  w: TimeWindow,
  first: InstancePage,
  options: ListOptions,
): Promise<number> {
  const limit = options.pageLimit;
  if (options.paging === 'none') {
    throw new DataArtsError({
      message: `more than ${limit} instances (${first.total}) share one millisecond and paging is off (client.paging)`,
      code: 'WINDOW_TOO_DENSE',
      request: LIST_REQUEST,
    });
  }
  const seen = new Set<string>();
  let invalid = 0;
  // Records of `page` not seen before (an unreadable record counts as new).
  const take = (page: InstancePage): number => {
    const before = seen.size;
    for (const instance of page.instances) seen.add(instanceIdentity(instance));
    invalid += page.invalid.length;
    return seen.size - before + page.invalid.length;
  };
  let fresh = take(first);
  let last = first;
  let mode = options.paging;
  let next = mode === 'page' ? 1 : limit;
  if (mode === 'auto') {
    last = await fetch(w, 1);
    mode = detectPaging(first, last);
    fresh = take(last);
    next = mode === 'page' ? 2 : 1 + limit;
  }
  const step = mode === 'page' ? 1 : limit;
  const rows = (page: InstancePage) => page.instances.length + page.invalid.length;
  while (rows(last) >= limit || (seen.size + invalid < first.total && fresh > 0)) {
    last = await fetch(w, next);
    next += step;
    fresh = take(last);
    // Stryker disable next-line ConditionalExpression: `rows === 0` → false is equivalent, an empty page brings nothing new (fresh is 0).
    if (rows(last) === 0 || fresh === 0) break;
  }
  return seen.size + invalid;
}

/**
 * Reads what `offset=1` meant from how much of the first page it repeats: as a record
 * offset it repeats all but one record, as a page index (the second page) nothing, or
 * only the few records a server repeats across pages. Counting shared records (by job
 * and id), not comparing positions, survives pages in any order. A server whose pages
 * are random subsets defeats any reading; the caller's count against `total` reports it.
 */
export function detectPaging(first: InstancePage, probe: InstancePage): 'page' | 'record' {
  const ids = new Set(first.instances.map(instanceIdentity));
  const shared = probe.instances.filter((i) => ids.has(instanceIdentity(i))).length;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: `length > 0` → true or `>= 0` is equivalent, an empty probe shares nothing (0 > 0).
  return probe.instances.length > 0 && shared * 2 > probe.instances.length ? 'record' : 'page';
}

/** A burst of instances in one millisecond, listed whole by paging the few milliseconds around it. */
export interface PagedBurst {
  at: number;
  window: TimeWindow;
  /** The burst window's own `total`. */
  total: number;
  /** Distinct records its pages delivered. */
  delivered: number;
}

/**
 * When the first page of `w` hints at a burst (`burstHint`), lists the burst's window
 * by paging it at once. Splitting that 4 ms window first (the earlier way) cost three
 * requests that found little, and the cut-out parts of `w` two more, 7 to 8 requests
 * per burst beyond its pages: a cron batch of 1,001 took 9 to 10 list calls for 2
 * pages of data. The caller lists the rest of `w` only when the totals say there is
 * one (see `restOfWindow`). Not with `paging: none`: the caller then splits as before.
 */
export async function pageBurst(
  fetch: Fetch,
  w: TimeWindow,
  first: InstancePage,
  options: ListOptions,
): Promise<PagedBurst | undefined> {
  if (options.paging === 'none') return undefined;
  const hint = burstHint(w, first, options.pageLimit);
  if (!hint) return undefined;
  const page = await fetch(hint.window, 0);
  const rows = page.instances.length + page.invalid.length;
  // A page that is not full and holds the whole total needs no paging (nor a probe).
  const delivered =
    rows < options.pageLimit && page.total <= rows
      ? new Set(page.instances.map(instanceIdentity)).size + page.invalid.length
      : await pageThrough(fetch, hint.window, page, options);
  return { ...hint, total: page.total, delivered };
}

/**
 * Whether `w` may hold instances outside its burst. Only the burst's own pages can say
 * it does not: they delivered the whole claim of `w`, and no more than the burst's
 * total (more would mean totals capped or under-reported, which then cannot vouch for
 * the rest; a burst total above what its pages delivered is over-reported or invented).
 */
export function restOfWindow(claimed: number, burst: PagedBurst): boolean {
  return burst.delivered < claimed || burst.delivered > burst.total;
}
