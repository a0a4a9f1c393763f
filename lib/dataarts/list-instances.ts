import { DataArtsError } from '../errors';
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
}

export const DEFAULT_LIST_OPTIONS: ListOptions = {
  pageLimit: 1000,
  maxWindowMs: 7 * 86_400_000,
  paging: 'auto',
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
 * Every instance of the window exactly once, whatever `offset` means on the server.
 * One request with `limit=pageLimit` answers most windows whole (`total <= limit`);
 * a fuller window is split into sub-windows sized from `total`, recursively. Windows
 * share their end points, so the result does not depend on whether the server's
 * bounds are inclusive; duplicates are dropped by `instanceId`.
 */
export async function listWindow(
  fetchPage: FetchPage,
  window: TimeWindow,
  options: ListOptions = DEFAULT_LIST_OPTIONS,
): Promise<ListResult> {
  const byId = new Map<string, Instance>();
  const result: ListResult = { instances: [], invalid: [], requests: 0 };
  const fetch = async (w: TimeWindow, offset: number): Promise<InstancePage> => {
    result.requests++;
    const page = await fetchPage(w, options.pageLimit, offset);
    if (page.instances.length + page.invalid.length > options.pageLimit) {
      throw new DataArtsError(
        `list answered ${page.instances.length} instances for limit ${options.pageLimit}`,
        'MALFORMED_RESPONSE',
        { method: 'GET', path: 'jobs/instances/detail' },
      );
    }
    for (const instance of page.instances) byId.set(instance.instanceId, instance);
    for (const bad of page.invalid) result.invalid.push({ window: w, ...bad });
    return page;
  };

  const collect = async (w: TimeWindow): Promise<void> => {
    const first = await fetch(w, 0);
    if (first.total <= options.pageLimit) return;
    const width = w.to - w.from;
    if (width <= 1) {
      await pageThrough(fetch, w, first, options);
      return;
    }
    const parts = Math.min(width, Math.max(2, Math.ceil(first.total / (options.pageLimit * SPLIT_HEADROOM))));
    await Promise.all(splitWindow(w, parts).map(collect));
  };

  await Promise.all(
    splitWindow(window, Math.ceil((window.to - window.from) / options.maxWindowMs)).map(collect),
  );
  result.instances = [...byId.values()];
  return result;
}

/** Splits into `parts` windows that share their end points. */
export function splitWindow(window: TimeWindow, parts: number): TimeWindow[] {
  const width = window.to - window.from;
  if (parts <= 1 || width <= 1) return [window];
  const count = Math.min(parts, width);
  const bounds = Array.from({ length: count + 1 }, (_, i) => window.from + Math.floor((i * width) / count));
  return bounds.slice(0, -1).map((from, i) => ({ from, to: bounds[i + 1] as number }));
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
    throw new DataArtsError(
      `more than ${limit} instances (${first.total}) share one millisecond and paging is off (client.paging)`,
      'WINDOW_TOO_DENSE',
      { method: 'GET', path: 'jobs/instances/detail' },
    );
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
      throw new DataArtsError(
        'could not tell whether offset is a page index or a record offset; set client.paging',
        'PAGING_UNDETECTABLE',
        { method: 'GET', path: 'jobs/instances/detail' },
      );
    }
  }
  const offsetOf = (records: number) => (mode === 'page' ? records / limit : records);
  for (; fetched < first.total; fetched += limit) {
    const page = await fetch(w, offsetOf(fetched));
    if (page.instances.length === 0) break;
  }
}
