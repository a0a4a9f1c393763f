import type { InstancePage } from '../instance';
import type { TimeWindow } from './windows';

/**
 * What `offset` means on this server: a page index, a record offset, `auto` to
 * detect it when needed, or `none` to refuse paging. The docs disagree, so paging is
 * only the last resort, for more than `pageLimit` instances within one millisecond.
 */
export type PagingMode = 'auto' | 'page' | 'record' | 'none';

export interface ListOptions {
  /** `limit` per request; the API allows 1..1000. */
  pageLimit: number;
  /** Longest window one request may ask for (a recent edition caps it at 7 days). */
  maxWindowMs: number;
  paging: PagingMode;
  /** Requests one listing may make; more fails it with LIST_BUDGET_EXCEEDED. */
  maxRequests: number;
}

export type FetchPage = (window: TimeWindow, limit: number, offset: number) => Promise<InstancePage>;

/**
 * A window whose answers did not add up: the server claimed `claimed` instances and
 * delivered `delivered` distinct ones (its `total` is over-reported, or it pages short).
 * The instances it did deliver are listed; the missing ones cannot be named.
 */
export interface ListGap {
  window: TimeWindow;
  claimed: number;
  delivered: number;
  /** The status filter of the listing that had the gap, when one listing asked for several. */
  status?: string;
}
