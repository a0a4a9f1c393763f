import { DataArtsError } from '../errors';
import { isoTime } from '../util/time';
import type { Instance, InstancePage } from './instance';

export interface ListFilters {
  jobName?: string;
  preciseQuery?: boolean;
  status?: string;
  instanceType?: number;
}

/** A plan-time window in epoch ms, both ends given to the server as they are. */
export interface TimeWindow {
  from: number;
  to: number;
}

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

export type FetchPage = (window: TimeWindow, limit: number, offset: number) => Promise<InstancePage>;

export interface ListResult {
  instances: Instance[];
  invalid: Array<{ window: TimeWindow; index: number; problem: string }>;
  requests: number;
}

/** Ask for a bit more than strictly needed so uneven windows rarely need a second split. */
const SPLIT_HEADROOM = 0.8;

/**
 * Narrowest window that is split rather than paged: with strict bounds a 2 ms window
 * holds a single millisecond, and with the 1 ms overlap no part of it would be narrower.
 */
const MIN_SPLIT_WIDTH = 3;

const LIST_REQUEST = { method: 'GET', path: 'jobs/instances/detail' } as const;

/**
 * Every instance of the window exactly once, whatever `offset` means on the server.
 * One request with `limit=pageLimit` answers most windows whole (`total <= limit`);
 * a fuller window is split into sub-windows sized from `total`, recursively. Adjacent
 * sub-windows overlap by 1 ms, so an instance on a seam is listed whether the server's
 * bounds are strict (as documented) or inclusive; duplicates are dropped by `instanceId`.
 * The window's own two ends are sent as they are. A burst of cron jobs sharing one
 * millisecond is cut out and listed on its own (see `burstHint`).
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
  const result: ListResult = { instances: [], invalid: [], requests: 0 };
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
      const page = checkPage(await fetchPage(w, options.pageLimit, offset), options.pageLimit);
      for (const instance of page.instances) byId.set(instance.instanceId, instance);
      for (const bad of page.invalid) result.invalid.push({ window: w, ...bad });
      return page;
    } catch (error) {
      return stop(error);
    }
  };

  // `known`: where all of `w`'s instances must lie, as far as the totals seen so far tell.
  const descend = async (w: TimeWindow, first: InstancePage, known: TimeWindow): Promise<void> => {
    if (first.total <= options.pageLimit) return;
    checkClaim(window, first.total, options, result.requests);
    if (w.to - w.from < MIN_SPLIT_WIDTH) return pageThrough(fetch, w, first, options);
    const burst = burstHint(w, first, options.pageLimit);
    const burstPage = burst && (await fetch(burst.window, 0));
    const rest = first.total - (burstPage?.total ?? 0);
    const even = splitWindow(w, Math.ceil(rest / (options.pageLimit * SPLIT_HEADROOM)));
    const parts = burst ? [...cutOut(even, burst.at), burst.window] : even;
    const pages = await Promise.all(
      parts.map((part) => (part === burst?.window && burstPage ? burstPage : fetch(part, 0))),
    );
    const totals = pages.map((page) => page.total);
    const where = confine(w, first.total, known, parts, totals);
    await Promise.all(
      parts.map((part, i) => collect(part, pages[i] as InstancePage, intersect(where, part) ?? part)),
    );
  };
  const collect = (w: TimeWindow, first: InstancePage, known: TimeWindow): Promise<void> =>
    descend(w, first, known).catch(stop);

  const pieces = splitWindow(window, piecesFor(window, options.maxWindowMs));
  await Promise.all(pieces.map(async (piece) => collect(piece, await fetch(piece, 0), piece)));
  result.instances = [...byId.values()];
  return result;
}

/** How many pieces keep every request within `maxWindowMs`, the 1 ms overlap included. */
function piecesFor(window: TimeWindow, maxWindowMs: number): number {
  const width = window.to - window.from;
  return width <= maxWindowMs ? 1 : Math.ceil(width / (maxWindowMs - 1));
}

/**
 * Splits into about `parts` windows (at least 2, at most one per millisecond) where
 * each but the last ends 1 ms after the next one starts. The API's bounds are strict
 * (`> min`, `< max`): windows that merely shared an end point would both miss an
 * instance sitting on it. Every part lies inside `window` and is narrower than it.
 */
export function splitWindow(window: TimeWindow, parts: number): TimeWindow[] {
  const width = window.to - window.from;
  if (parts <= 1 || width < MIN_SPLIT_WIDTH) return [window];
  // A last part 1 ms wide would only repeat what the overlap already covers.
  const count = Math.min(Math.max(2, parts), width - 1);
  const bounds = Array.from({ length: count + 1 }, (_, i) => window.from + Math.floor((i * width) / count));
  return bounds.slice(0, -1).map((from, i) => {
    const to = bounds[i + 1] as number;
    return { from, to: i === count - 1 ? to : to + 1 };
  });
}

/**
 * A full page where at least half the instances share one plan time hints at a burst of
 * cron jobs in one millisecond. Narrowing toward a burst costs ~10 requests a level for
 * several levels; listing the few milliseconds around it (`window`) and cutting them out
 * of the other parts (`cutOut`) isolates it in one step. Parts and burst window still
 * cover the parent under either reading of the bounds, so a wrong hint (newer editions
 * filter on start time, not plan time) costs a request or two, never an instance.
 */
function burstHint(
  w: TimeWindow,
  page: InstancePage,
  limit: number,
): { at: number; window: TimeWindow } | undefined {
  if (page.instances.length < limit || w.to - w.from < 5) return undefined;
  const at = busiestPlanTime(page.instances, limit / 2);
  if (at === undefined || at < w.from || at > w.to) return undefined;
  return { at, window: { from: Math.max(w.from, at - 2), to: Math.min(w.to, at + 2) } };
}

/** The plan time shared by at least `least` of the instances, if any. */
function busiestPlanTime(instances: readonly Instance[], least: number): number | undefined {
  const counts = new Map<number, number>();
  for (const { planTime } of instances) {
    if (planTime === undefined) continue;
    const count = (counts.get(planTime) ?? 0) + 1;
    if (count >= least) return planTime;
    counts.set(planTime, count);
  }
  return undefined;
}

/**
 * Removes millisecond `at` from every part under either reading of the bounds: a part
 * around it becomes `(from, at - 1)` and `(at + 1, to)`. The burst window `(at - 2, at + 2)`
 * (clipped to the parent) overlaps both by 1 ms, so what was cut stays covered.
 */
function cutOut(parts: readonly TimeWindow[], at: number): TimeWindow[] {
  return parts.flatMap((part) => {
    if (at < part.from || at > part.to) return [part];
    return [
      ...(at - 1 > part.from ? [{ from: part.from, to: at - 1 }] : []),
      ...(part.to > at + 1 ? [{ from: at + 1, to: part.to }] : []),
    ];
  });
}

/** Both ends read inclusively (the most generous reading); undefined when disjoint. */
function intersect(a: TimeWindow, b: TimeWindow): TimeWindow | undefined {
  const from = Math.max(a.from, b.from);
  const to = Math.min(a.to, b.to);
  return from <= to ? { from, to } : undefined;
}

/**
 * Where all of `parent`'s instances must lie once its parts have answered. A part lies
 * inside its parent, so a part reporting at least the parent's total holds every one
 * of the parent's instances: all such parts, and the ancestors' verdict `known`, must
 * share a millisecond. When they cannot, the server's `total` does not shrink with
 * the window (it ignores the time filter, or invents instances) and splitting would
 * never end. One part holding everything is legitimate: a burst in one millisecond.
 */
function confine(
  parent: TimeWindow,
  total: number,
  known: TimeWindow,
  parts: readonly TimeWindow[],
  totals: readonly number[],
): TimeWindow {
  const full = parts.filter((_, i) => (totals[i] ?? 0) >= total);
  const where = full.reduce<TimeWindow | undefined>((w, part) => w && intersect(w, part), known);
  if (where) return where;
  const shown = full
    .slice(0, 3)
    .map((part) => `${describeWindow(part)}: ${totals[parts.indexOf(part)]}`)
    .join(', ');
  throw new DataArtsError({
    message: `list total does not shrink with the window: ${describeWindow(parent)} reported ${total} instances, and ${full.length} narrower parts of it that cannot hold the same instances each reported at least as many (${shown}${full.length > 3 ? ', ...' : ''})`,
    code: 'WINDOW_NOT_SHRINKING',
    request: LIST_REQUEST,
  });
}

/** The budget and the caller's signal, checked before every request. */
function checkBeforeRequest(
  window: TimeWindow,
  requests: number,
  options: ListOptions,
  signal: AbortSignal | undefined,
): void {
  if (signal?.aborted) {
    const why = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
    throw new DataArtsError({
      message: `listing ${describeWindow(window)} was aborted: ${why}`,
      code: 'ABORTED',
      request: LIST_REQUEST,
      cause: signal.reason,
    });
  }
  if (requests >= options.maxRequests) throw budgetExceeded(window, options, 'it needed more');
}

/** A window claiming more instances than the rest of the budget can read fails now, not later. */
function checkClaim(window: TimeWindow, total: number, options: ListOptions, requests: number): void {
  const needed = Math.ceil(total / options.pageLimit) - 1;
  if (needed > options.maxRequests - requests) {
    throw budgetExceeded(window, options, `a window claims ${total} instances, ${needed} more requests`);
  }
}

function budgetExceeded(window: TimeWindow, options: ListOptions, detail: string): DataArtsError {
  return new DataArtsError({
    message: `listing ${describeWindow(window)} exceeds its budget of ${options.maxRequests} requests (${detail}): the server's totals may not match its instances; if they do, raise client.maxListRequests`,
    code: 'LIST_BUDGET_EXCEEDED',
    request: LIST_REQUEST,
  });
}

function checkPage(page: InstancePage, limit: number): InstancePage {
  if (page.instances.length + page.invalid.length > limit) {
    throw new DataArtsError({
      message: `list answered ${page.instances.length} instances for limit ${limit}`,
      code: 'MALFORMED_RESPONSE',
      request: LIST_REQUEST,
    });
  }
  return page;
}

function describeWindow(w: TimeWindow): string {
  return `${isoTime(w.from)}..${isoTime(w.to)} (${w.to - w.from} ms)`;
}

/** The last resort: page through a window too dense to split, in the configured or detected mode. */
async function pageThrough(
  fetch: (w: TimeWindow, offset: number) => Promise<InstancePage>,
  w: TimeWindow,
  first: InstancePage,
  options: ListOptions,
): Promise<void> {
  let mode = options.paging;
  const limit = options.pageLimit;
  if (mode === 'none') {
    throw new DataArtsError({
      message: `more than ${limit} instances (${first.total}) share one millisecond and paging is off (client.paging)`,
      code: 'WINDOW_TOO_DENSE',
      request: LIST_REQUEST,
    });
  }
  // `fetched` counts records read so far; `offsetOf` turns it into this server's offset.
  let fetched = limit;
  if (mode === 'auto') {
    const probe = await fetch(w, 1);
    const ids = first.instances.map((i) => i.instanceId);
    const probeIds = probe.instances.map((i) => i.instanceId);
    if (probeIds.length > 0 && probeIds[0] === ids[1] && probeIds[1] === ids[2]) {
      mode = 'record';
    } else if (!probeIds.some((id) => ids.includes(id))) {
      mode = 'page';
      fetched = 2 * limit;
    } else {
      throw new DataArtsError({
        message: 'could not tell whether offset is a page index or a record offset; set client.paging',
        code: 'PAGING_UNDETECTABLE',
        request: LIST_REQUEST,
      });
    }
  }
  const offsetOf = (records: number) => (mode === 'page' ? records / limit : records);
  for (; fetched < first.total; fetched += limit) {
    const page = await fetch(w, offsetOf(fetched));
    if (page.instances.length === 0) break;
  }
}
