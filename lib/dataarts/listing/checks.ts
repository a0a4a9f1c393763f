import { DataArtsError } from '../../errors';
import type { InstancePage } from '../instance';
import type { ListOptions } from './types';
import { describeWindow, intersect, type TimeWindow } from './windows';

export const LIST_REQUEST = { method: 'GET', path: 'jobs/instances/detail' } as const;

/**
 * Where all of `parent`'s instances must lie once its parts have answered. A part lies
 * inside its parent, so a part reporting at least the parent's total holds every one
 * of the parent's instances: all such parts, and the ancestors' verdict `known`, must
 * share a millisecond. When they cannot, the server's `total` does not shrink with
 * the window (it ignores the time filter, or invents instances) and splitting would
 * never end. One part holding everything is legitimate: a burst in one millisecond.
 */
export function confine(
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
export function checkBeforeRequest(
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
export function checkClaim(window: TimeWindow, total: number, options: ListOptions, requests: number): void {
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

export function checkPage(page: InstancePage, limit: number): InstancePage {
  if (page.instances.length + page.invalid.length > limit) {
    throw new DataArtsError({
      message: `list answered ${page.instances.length} instances for limit ${limit}`,
      code: 'MALFORMED_RESPONSE',
      request: LIST_REQUEST,
    });
  }
  return page;
}
