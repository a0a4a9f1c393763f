/**
 * The listing against the emulator in its documented default mode (strict bounds, a
 * 7-day cap on every request), and under each reading of the docs it must survive:
 * offset as page or record, pages in any order, records repeated across pages, and a
 * `total` that lies. The invariant is always the same: the listed set equals the
 * seeded set, or what could not be listed is reported in `incomplete`.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator, EmulatorOptions } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import { type ListResult, requestPieces, splitWindow } from '../../lib/dataarts/list-instances';
import { akskClient, emulatorWithClock, PROJECT, T0 } from '../support/targets';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let emulator: Emulator;
let clock: ManualClock;
afterEach(async () => emulator?.close());

const failed = (id: number, planTime: number): InstanceSeed => ({
  jobName: `job_${id % 11}`,
  instanceId: id,
  planTime,
  status: 'fail',
});
const ids = (seeds: readonly InstanceSeed[]) => seeds.map((s) => String(s.instanceId)).sort();
const listed = (result: ListResult) => result.instances.map((i) => i.instanceId).sort();

async function listWith(
  options: Partial<EmulatorOptions>,
  seeds: InstanceSeed[],
  window = { from: T0 - DAY, to: T0 },
): Promise<ListResult> {
  ({ emulator, clock } = await emulatorWithClock(options));
  emulator.seed(PROJECT, undefined, seeds);
  return akskClient(emulator, clock).client.listInstances(window);
}

describe('strict bounds (the default): the window [now - lookback, now] is listed whole', () => {
  it('an instance exactly at the start or the end of the window is listed', async () => {
    const seeds = [failed(1, T0 - DAY), failed(2, T0), failed(3, T0 - HOUR)];
    const result = await listWith({}, [...seeds, failed(4, T0 - DAY - 1), failed(5, T0 + 1)]);
    expect(listed(result)).toEqual(ids(seeds));
    expect(result.requests).toBe(1);
  });

  it('an instance on a split seam is listed, on either side of the 1 ms overlap', async () => {
    const [piece] = requestPieces({ from: T0 - DAY, to: T0 }, 7 * DAY);
    const [left] = splitWindow(piece!, 2);
    const spread = Array.from({ length: 1200 }, (_, i) => failed(100 + i, T0 - DAY + 7 + i * 60_000));
    const seam = [failed(1, left!.to - 1), failed(2, left!.to)];
    const result = await listWith({}, [...spread, ...seam]);
    expect(listed(result)).toEqual(ids([...spread, ...seam]));
  });

  it.each([true, false])(
    'a dense burst of 1,500 failures on consecutive milliseconds up to now is listed whole (strict %s)',
    async (strictBounds) => {
      const burst = Array.from({ length: 1500 }, (_, i) => failed(1 + i, T0 - i));
      const result = await listWith({ strictBounds }, burst);
      expect(listed(result)).toEqual(ids(burst));
      expect(result.incomplete).toEqual([]);
    },
  );

  it('a 30-day window is listed in pieces within the 7-day cap, seams and ends included', async () => {
    const from = T0 - 30 * DAY;
    const seams = requestPieces({ from, to: T0 }, 7 * DAY).flatMap((p) => [
      p.from,
      p.from + 1,
      p.to - 1,
      p.to,
    ]);
    const seeds = [from, ...seams.filter((t) => t >= from && t <= T0), T0].map((t, i) => failed(1 + i, t));
    const result = await listWith({}, seeds, { from, to: T0 });
    expect(listed(result)).toEqual(ids(seeds));
    expect(emulator.count('list', 400)).toBe(0);
  });
});

describe('a total that lies is detected, never silently truncated', () => {
  const day = Array.from({ length: 2600 }, (_, i) => failed(1 + i, T0 - DAY + 1 + i * 33_000));

  it.each([
    ['capped at the page size', (actual: number, q: { limit: number }) => Math.min(actual, q.limit)],
    ['under-reported by half', (actual: number) => Math.floor(actual / 2)],
    ['under-reported as one', (actual: number) => Math.min(actual, 1)],
  ])('%s: every instance is still listed', async (_name, reportTotal) => {
    const result = await listWith({ reportTotal }, day);
    expect(listed(result)).toEqual(ids(day));
  });

  it('capped at the page size within one millisecond: paging reads on past the claimed total', async () => {
    const burst = Array.from({ length: 2500 }, (_, i) => failed(1 + i, T0 - HOUR));
    const result = await listWith({ reportTotal: (actual, q) => Math.min(actual, q.limit) }, burst);
    expect(listed(result)).toEqual(ids(burst));
  });

  it('over-reported: what was delivered is listed, the shortfall is reported with its window', async () => {
    const few = day.slice(0, 300);
    const result = await listWith({ reportTotal: (actual) => actual + 25 }, few);
    expect(listed(result)).toEqual(ids(few));
    expect(result.incomplete).toEqual([
      { window: { from: T0 - DAY - 1, to: T0 + 1 }, claimed: 325, delivered: 300 },
    ]);
  });

  it('over-reported within one millisecond: the paged shortfall is reported', async () => {
    const burst = Array.from({ length: 1500 }, (_, i) => failed(1 + i, T0 - HOUR));
    const result = await listWith({ reportTotal: (actual) => actual + 700 }, burst);
    expect(listed(result)).toEqual(ids(burst));
    // The burst is paged in the few milliseconds around it (listing/paging.ts, pageBurst).
    expect(result.incomplete).toContainEqual({
      window: { from: T0 - HOUR - 2, to: T0 - HOUR + 2 },
      claimed: 2200,
      delivered: 1500,
    });
  });
});

describe('paging detection survives pages in any order and records repeated across pages', () => {
  const burst = Array.from({ length: 2500 }, (_, i) => failed(1 + i, T0 - HOUR));
  const cases: Array<[string, Partial<EmulatorOptions>]> = [
    ['unordered, page index', { listOrder: 'unordered', offsetMode: 'page' }],
    ['unordered, record offset', { listOrder: 'unordered', offsetMode: 'record' }],
    ['repeats 7 records, page index', { pageOverlap: 7, offsetMode: 'page' }],
    ['repeats 7 records, record offset', { pageOverlap: 7, offsetMode: 'record' }],
    ['unordered and repeats 300 records, page index', { listOrder: 'unordered', pageOverlap: 300 }],
    ['newest first, record offset', { offsetMode: 'record' }],
  ];
  it.each(cases)('%s: 2,500 instances in one millisecond are listed whole', async (_name, options) => {
    const result = await listWith(options, burst);
    expect(listed(result)).toEqual(ids(burst));
    expect(result.incomplete).toEqual([]);
    // One window, a burst probe, a paging probe, the pages (and one to see the end).
    expect(result.requests).toBeLessThanOrEqual(12);
  });
});
