import { isoTime } from '../../util/time';
import type { Instance, InstancePage } from '../instance';

/**
 * A time window in epoch ms. A window given to the listing means every instance whose
 * time lies in `[from, to]`, both ends included; a window sent to the server is read by
 * it with strict bounds, `> from` and `< to` (every edition and SDK model).
 */
export interface TimeWindow {
  from: number;
  to: number;
}

/**
 * Narrowest window that is split rather than paged: with strict bounds a 2 ms window
 * holds a single millisecond, and with the 1 ms overlap no part of it would be narrower.
 */
export const MIN_SPLIT_WIDTH = 3;

/**
 * The windows one listing (or count) of `[from, to]` sends first: the strict bounds
 * moved 1 ms outward, so an instance exactly at `from` or `to` (now - lookback, now) is
 * inside, then cut into pieces of `maxWindowMs` from the newest end (the 7-day cap
 * applies to every request), each overlapping the next by 1 ms, the oldest taking the
 * rest. A look-back of exactly the cap thus costs one request more than before the
 * ends were included (a 2 ms piece), not a re-split of the whole window. Under strict
 * bounds the pieces hold every millisecond of `[from, to]` exactly once, so their
 * totals add up to the window's.
 */
export function requestPieces(window: TimeWindow, maxWindowMs: number): TimeWindow[] {
  const max = Math.max(MIN_SPLIT_WIDTH, maxWindowMs);
  const pieces: TimeWindow[] = [];
  let to = window.to + 1;
  while (to - (window.from - 1) > max) {
    pieces.push({ from: to - max, to });
    to = to - max + 1;
  }
  pieces.push({ from: window.from - 1, to });
  return pieces.reverse();
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
export function burstHint(
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
export function cutOut(parts: readonly TimeWindow[], at: number): TimeWindow[] {
  return parts.flatMap((part) => {
    if (at < part.from || at > part.to) return [part];
    return [
      ...(at - 1 > part.from ? [{ from: part.from, to: at - 1 }] : []),
      ...(part.to > at + 1 ? [{ from: at + 1, to: part.to }] : []),
    ];
  });
}

/** Both ends read inclusively (the most generous reading); undefined when disjoint. */
export function intersect(a: TimeWindow, b: TimeWindow): TimeWindow | undefined {
  const from = Math.max(a.from, b.from);
  const to = Math.min(a.to, b.to);
  return from <= to ? { from, to } : undefined;
}

export function describeWindow(w: TimeWindow): string {
  return `${isoTime(w.from)}..${isoTime(w.to)} (${w.to - w.from} ms)`;
}
