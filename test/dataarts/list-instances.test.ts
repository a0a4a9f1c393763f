import fc from 'fast-check';
import type { ManualClock } from '../../emulator/manual-clock';
import { seededRandom } from '../../emulator/seeded-random';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { InstancePage } from '../../lib/dataarts/instance';
import {
  countWindow,
  DEFAULT_LIST_OPTIONS,
  type FetchPage,
  type ListOptions,
  listWindow,
  requestPieces,
  splitWindow,
  type TimeWindow,
} from '../../lib/dataarts/list-instances';
import { detectPaging } from '../../lib/dataarts/listing/paging';
import { DataArtsError } from '../../lib/errors';
import { akskClient, emulatorWithClock, PROJECT, T0 } from '../support/targets';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function spread(count: number, from: number, to: number, firstId = 1): InstanceSeed[] {
  return Array.from({ length: count }, (_, i) => ({
    jobName: `job_${i % 37}`,
    instanceId: firstId + i,
    planTime: from + Math.floor(((to - from) * i) / Math.max(1, count)),
    status: i % 10 === 0 ? 'fail' : 'success',
  }));
}

describe('listInstances returns every instance of the window exactly once', () => {
  let emulator: Emulator;
  let clock: ManualClock;
  afterEach(async () => emulator.close());

  // The emulator's default is strict bounds, as documented; the lenient twin reads them inclusively.
  for (const strictBounds of [true, false]) {
    for (const offsetMode of ['page', 'record'] as const) {
      for (const count of [0, 1, 999, 1000, 1001, 25_000]) {
        it(`${count} instances, offset read as ${offsetMode}, ${strictBounds ? 'strict' : 'inclusive'} bounds`, async () => {
          ({ emulator, clock } = await emulatorWithClock({ offsetMode, strictBounds }));
          emulator.seed(PROJECT, undefined, spread(count, T0 - DAY, T0));
          const { client } = akskClient(emulator, clock);
          const result = await client.listInstances({ from: T0 - DAY, to: T0 });
          const ids = result.instances.map((i) => i.instanceId);
          expect(new Set(ids).size).toBe(count);
          expect(ids.length).toBe(count);
          expect(result.incomplete).toEqual([]);
          // Efficiency: one request when it fits (a full page is checked: it may hide more);
          // close to total/1000 otherwise.
          if (count < 1000) expect(result.requests).toBe(1);
          else expect(result.requests).toBeLessThanOrEqual(Math.ceil(count / 800) + 3);
        });
      }
    }
  }

  it('splits a 20-day look-back into windows of at most 7 days and loses nothing at the seams', async () => {
    ({ emulator, clock } = await emulatorWithClock());
    emulator.seed(PROJECT, undefined, spread(3000, T0 - 20 * DAY, T0));
    // Instances exactly on the seams between windows:
    emulator.seed(PROJECT, undefined, [
      { jobName: 'seam', instanceId: 900001, planTime: T0 - 20 * DAY + 7 * DAY },
      { jobName: 'seam', instanceId: 900002, planTime: T0 - 20 * DAY + 14 * DAY },
      { jobName: 'seam', instanceId: 900003, planTime: T0 },
    ]);
    const { client } = akskClient(emulator, clock);
    const result = await client.listInstances({ from: T0 - 20 * DAY, to: T0 });
    expect(result.instances.length).toBe(3003);
    const windows = emulator.requests
      .filter((r) => r.route === 'list')
      .map((r) => Number(r.query.maxPlanTime) - Number(r.query.minPlanTime));
    expect(Math.max(...windows)).toBeLessThanOrEqual(7 * DAY);
    expect(emulator.count('list', 400)).toBe(0);
  });

  for (const offsetMode of ['page', 'record'] as const) {
    it(`pages through 2,500 instances in one millisecond, detecting offset as ${offsetMode}`, async () => {
      ({ emulator, clock } = await emulatorWithClock({ offsetMode }));
      emulator.seed(
        PROJECT,
        undefined,
        Array.from({ length: 2500 }, (_, i) => ({
          jobName: `cron_${i}`,
          instanceId: 10_000 + i,
          planTime: T0 - HOUR,
        })),
      );
      const { client } = akskClient(emulator, clock);
      const result = await client.listInstances({ from: T0 - 2 * HOUR, to: T0 });
      expect(new Set(result.instances.map((i) => i.instanceId)).size).toBe(2500);
    });

    it(`pages in the configured mode without probing (${offsetMode})`, async () => {
      ({ emulator, clock } = await emulatorWithClock({ offsetMode }));
      emulator.seed(
        PROJECT,
        undefined,
        Array.from({ length: 1500 }, (_, i) => ({ jobName: 'j', instanceId: 1 + i, planTime: T0 - HOUR })),
      );
      const { client } = akskClient(emulator, clock, { list: { paging: offsetMode } });
      const result = await client.listInstances({ from: T0 - HOUR - 1, to: T0 - HOUR });
      expect(result.instances.length).toBe(1500);
    });
  }

  describe('two jobs whose instances share ids (ids are not promised unique across jobs)', () => {
    const byJobAndId = (instances: ReadonlyArray<{ jobName: string; instanceId: string }>) =>
      new Set(instances.map((i) => `${i.jobName}/${i.instanceId}`));
    /** `count` instances, ids shared by pairs: job_a and job_b each hold ids 1..count/2. */
    const pairs = (count: number, planTime: (i: number) => number): InstanceSeed[] =>
      Array.from({ length: count }, (_, i) => ({
        jobName: i % 2 === 0 ? 'job_a' : 'job_b',
        instanceId: 1 + (i >> 1),
        planTime: planTime(i),
        status: 'fail',
      }));

    it.each([10, 2500])('%d spread over a day: each listed once', async (count) => {
      ({ emulator, clock } = await emulatorWithClock());
      emulator.seed(
        PROJECT,
        undefined,
        pairs(count, (i) => T0 - DAY + Math.floor((DAY * i) / count)),
      );
      const { client } = akskClient(emulator, clock);
      const result = await client.listInstances({ from: T0 - DAY, to: T0 });
      expect(result.instances).toHaveLength(count);
      expect(byJobAndId(result.instances).size).toBe(count);
      expect(result.incomplete).toEqual([]);
    });

    for (const offsetMode of ['page', 'record'] as const) {
      it(`2,500 in one millisecond, paged with offset read as ${offsetMode}: each listed once`, async () => {
        ({ emulator, clock } = await emulatorWithClock({ offsetMode }));
        emulator.seed(
          PROJECT,
          undefined,
          pairs(2500, () => T0 - HOUR),
        );
        const { client } = akskClient(emulator, clock);
        const result = await client.listInstances({ from: T0 - 2 * HOUR, to: T0 });
        expect(result.instances).toHaveLength(2500);
        expect(byJobAndId(result.instances).size).toBe(2500);
        expect(result.incomplete).toEqual([]);
      });
    }

    it('listed by status (the sweep’s listing): each listed once, whichever way the window is read', async () => {
      ({ emulator, clock } = await emulatorWithClock());
      emulator.seed(PROJECT, undefined, [
        ...pairs(4, (i) => T0 - HOUR - i),
        { jobName: 'job_c', instanceId: 1, planTime: T0 - HOUR, status: 'manual-stop' },
      ]);
      const { client } = akskClient(emulator, clock);
      const statuses = ['fail', 'manual-stop'];
      const result = await client.listInstances({ from: T0 - DAY, to: T0 }, { statuses });
      expect([...byJobAndId(result.instances)].sort()).toEqual([
        'job_a/1',
        'job_a/2',
        'job_b/1',
        'job_b/2',
        'job_c/1',
      ]);
      // A window over a page is listed per status: the same five.
      const { client: small } = akskClient(emulator, clock, { list: { pageLimit: 2 } });
      const perStatus = await small.listInstances({ from: T0 - DAY, to: T0 }, { statuses });
      expect(perStatus.instances).toHaveLength(5);
      expect(byJobAndId(perStatus.instances)).toEqual(byJobAndId(result.instances));
    });
  });

  it('refuses to guess when paging is off and the window cannot be split', async () => {
    ({ emulator, clock } = await emulatorWithClock());
    emulator.seed(
      PROJECT,
      undefined,
      Array.from({ length: 1001 }, (_, i) => ({ jobName: 'j', instanceId: 1 + i, planTime: T0 })),
    );
    const { client } = akskClient(emulator, clock, { list: { paging: 'none' } });
    await expect(client.listInstances({ from: T0 - 1, to: T0 })).rejects.toMatchObject({
      code: 'WINDOW_TOO_DENSE',
    });
  });

  it('sends every documented filter and reads workspaces apart', async () => {
    ({ emulator, clock } = await emulatorWithClock());
    emulator.seed(PROJECT, undefined, [
      { jobName: 'ods_orders', instanceId: 1, planTime: T0 - HOUR, status: 'fail', instanceType: 0 },
    ]);
    emulator.seed(PROJECT, 'ws-analytics', [
      { jobName: 'ods_orders', instanceId: 2, planTime: T0 - HOUR, status: 'fail', instanceType: 5 },
      { jobName: 'ods_orders_v2', instanceId: 3, planTime: T0 - HOUR, status: 'fail', instanceType: 5 },
      { jobName: 'ods_orders', instanceId: 4, planTime: T0 - HOUR, status: 'success', instanceType: 5 },
    ]);
    const { client } = akskClient(emulator, clock, { workspace: 'ws-analytics' });
    const result = await client.listInstances(
      { from: T0 - DAY, to: T0 },
      { jobName: 'ods_orders', preciseQuery: true, status: 'fail', instanceType: 5 },
    );
    expect(result.instances.map((i) => i.instanceId)).toEqual(['2']);
    const sent = emulator.requests.at(-1)!;
    expect(sent.query).toMatchObject({
      jobName: 'ods_orders',
      preciseQuery: 'true',
      status: 'fail',
      instanceType: '5',
      limit: '1000',
    });
    expect(sent.headers.workspace).toBe('ws-analytics');
  });
});

describe('splitWindow', () => {
  it.each([
    [
      { from: 0, to: 10 },
      2,
      [
        { from: 0, to: 6 },
        { from: 5, to: 10 },
      ],
    ],
    [
      { from: 0, to: 4 },
      5,
      [
        { from: 0, to: 2 },
        { from: 1, to: 3 },
        { from: 2, to: 4 },
      ],
    ],
    [{ from: 7, to: 9 }, 4, [{ from: 7, to: 9 }]],
    [{ from: 0, to: 100 }, 1, [{ from: 0, to: 100 }]],
  ])('%j into %i parts', (window, parts, expected) => {
    expect(splitWindow(window, parts)).toEqual(expected);
  });

  // Strict bounds (the documented API): an instance at t is in (from, to) when from < t < to.
  const strictlyIn = (w: TimeWindow, t: number) => w.from < t && t < w.to;
  const inclusivelyIn = (w: TimeWindow, t: number) => w.from <= t && t <= w.to;

  it('parts lie inside the window, are narrower, and lose no millisecond under either reading of the bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 3, max: 200 }),
        fc.nat(60),
        (from, width, parts) => {
          const window = { from, to: from + width };
          const split = splitWindow(window, parts);
          if (parts <= 1) return expect(split).toEqual([window]);
          for (const part of split) {
            expect(part.from).toBeGreaterThanOrEqual(window.from);
            expect(part.to).toBeLessThanOrEqual(window.to);
            expect(part.to - part.from).toBeLessThan(width);
          }
          for (let t = window.from; t <= window.to; t++) {
            expect(split.some((p) => strictlyIn(p, t))).toBe(strictlyIn(window, t));
            expect(split.some((p) => inclusivelyIn(p, t))).toBe(true);
          }
          return undefined;
        },
      ),
    );
  });
});

type Bounds = 'strict' | 'inclusive';
interface FakeServer {
  bounds?: Bounds;
  /** What the server claims as `total`, from the true count: a broken server lies here. */
  total?: (actual: number, window: TimeWindow) => number;
  /** The plan time shown for an instance filtered at time t (newer editions filter on start time). */
  planTime?: (t: number) => number;
}

/**
 * A list API in memory: `offset` as a record offset, newest first, bounds strict unless
 * told otherwise. `calls` records every request.
 */
function fakeServer(times: readonly number[], server: FakeServer = {}) {
  const calls: Array<{ window: TimeWindow; offset: number }> = [];
  const rows = times
    .map((t, i) => ({ t, jobName: 'j', instanceId: String(i + 1), status: 'fail' }))
    .sort((a, b) => b.t - a.t || Number(a.instanceId) - Number(b.instanceId))
    .map(({ t, ...row }) => ({ ...row, t, planTime: server.planTime ? server.planTime(t) : t }));
  const inWindow =
    server.bounds === 'inclusive'
      ? (w: TimeWindow, t: number) => w.from <= t && t <= w.to
      : (w: TimeWindow, t: number) => w.from < t && t < w.to;
  // Rows run newest first, so the rows inside a window are one slice: find its ends by bisection.
  const firstWhere = (test: (t: number) => boolean) => {
    let [lo, hi] = [0, rows.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (test(rows[mid]!.t)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const fetchPage: FetchPage = async (window, limit, offset): Promise<InstancePage> => {
    calls.push({ window, offset });
    const inside = rows.slice(
      firstWhere((t) => inWindow({ from: Number.NEGATIVE_INFINITY, to: window.to }, t)),
      firstWhere((t) => !inWindow({ from: window.from, to: Number.POSITIVE_INFINITY }, t)),
    );
    const total = server.total ? server.total(inside.length, window) : inside.length;
    const instances = inside.slice(offset, offset + limit).map(({ t: _t, ...instance }) => instance);
    return { total, instances, invalid: [] };
  };
  return { fetchPage, calls, inWindow };
}

const options = (overrides: Partial<ListOptions> = {}): ListOptions => ({
  ...DEFAULT_LIST_OPTIONS,
  paging: 'record',
  ...overrides,
});

const W = { from: T0 - 7 * DAY, to: T0 };

/** `count` plan times in the window: spread evenly, or bunched on `slots` cron times. */
function planTimes(count: number, window: TimeWindow, slots?: number, seed = 7): number[] {
  const random = seededRandom(seed);
  const width = window.to - window.from;
  return Array.from({ length: count }, () => {
    if (!slots) return window.from + 1 + Math.floor(random() * (width - 1));
    // Cron jobs share their plan time to the millisecond.
    return window.from + Math.round((Math.floor(random() * slots) + 0.5) * (width / slots));
  });
}

async function rejection(promise: Promise<unknown>): Promise<DataArtsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataArtsError);
  return error as DataArtsError;
}

/** Lets every pending branch run: a failed listing must not start more requests. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('listWindow with strict bounds (> minPlanTime, < maxPlanTime)', () => {
  it('finds instances sitting exactly on every seam between sub-windows and 7-day pieces', async () => {
    const window = { from: T0 - 20 * DAY, to: T0 };
    const spread = planTimes(3000, window);
    const parts = requestPieces(window, 7 * DAY);
    const sub = parts.flatMap((p) => splitWindow(p, 4));
    const seams = [...parts, ...sub]
      .flatMap((p) => [p.from, p.to])
      .filter((t) => t > window.from && t < window.to);
    const { fetchPage, calls } = fakeServer([...spread, ...seams]);
    const result = await listWindow(fetchPage, window, options({ pageLimit: 1000 }));
    expect(result.instances).toHaveLength(spread.length + seams.length);
    expect(Math.max(...calls.map((c) => c.window.to - c.window.from))).toBeLessThanOrEqual(7 * DAY);
  });

  it('an instance where two parts meet is listed: the parts overlap by 1 ms', async () => {
    // 9 instances, limit 4: [1001, 1009] is sent as (1000, 1010), then three parts whose
    // plain bounds would be 1000, 1003, 1006, 1010.
    const times = Array.from({ length: 9 }, (_, i) => 1001 + i);
    const { fetchPage, calls } = fakeServer(times);
    const result = await listWindow(fetchPage, { from: 1001, to: 1009 }, options({ pageLimit: 4 }));
    expect(calls[0]?.window).toEqual({ from: 1000, to: 1010 });
    expect(result.instances.map((i) => i.planTime).sort()).toEqual(times);
    expect(calls.slice(1, 4).map((c) => c.window)).toEqual([
      { from: 1000, to: 1004 },
      { from: 1003, to: 1007 },
      { from: 1006, to: 1010 },
    ]);
  });

  it.each(['strict', 'inclusive'] as const)(
    'returns exactly the instances of [from, to] from a %s server (inclusive: and the 1 ms beyond each end), whatever the layout',
    async (bounds) => {
      // Offsets bunch on the window's ends and middle, so bursts land on every kind of seam.
      const layout = fc.integer({ min: 1, max: 5000 }).chain((width) =>
        fc.record({
          from: fc.integer({ min: 0, max: 1e6 }),
          width: fc.constant(width),
          offsets: fc.array(
            fc.oneof(fc.nat(width + 2), fc.constantFrom(0, 1, 2, width >> 1, width - 1, width, width + 1)),
            { maxLength: 80 },
          ),
        }),
      );
      await fc.assert(
        fc.asyncProperty(layout, async ({ from, width, offsets }) => {
          const window = { from, to: from + width };
          const server = fakeServer(
            offsets.map((o) => from + o),
            { bounds },
          );
          const result = await listWindow(
            server.fetchPage,
            window,
            options({ pageLimit: 5, maxWindowMs: 1000, maxRequests: 100_000 }),
          );
          // Sent 1 ms wider on each side: strict bounds then hold exactly [from, to].
          const sent = { from: window.from - 1, to: window.to + 1 };
          const expected = offsets.filter((o) => server.inWindow(sent, from + o)).length;
          expect(result.instances).toHaveLength(expected);
          expect(result.incomplete).toEqual([]);
        }),
        { numRuns: 150 },
      );
    },
  );

  it('lists a burst of 2,500 instances in one millisecond, also on a seam, without calling it hostile', async () => {
    for (const at of [T0 - DAY - 123, splitWindow(W, 4)[0]!.to - 1, splitWindow(W, 4)[1]!.from]) {
      for (const bounds of ['strict', 'inclusive'] as const) {
        const { fetchPage } = fakeServer(
          Array.from({ length: 2500 }, () => at),
          { bounds },
        );
        const result = await listWindow(fetchPage, W, options({ paging: 'auto' }));
        expect(result.instances).toHaveLength(2500);
        expect(result.requests).toBeLessThan(150);
      }
    }
  });
});

describe('listWindow isolates bursts of cron jobs in one millisecond', () => {
  it('a burst of 14,000 costs a few requests beyond its 14 pages', async () => {
    const burst = Array.from({ length: 14_000 }, () => T0 - 3 * DAY - 17);
    const older = planTimes(500, { from: W.from, to: T0 - 4 * DAY });
    const { fetchPage } = fakeServer([...burst, ...older]);
    const result = await listWindow(fetchPage, W, options({ paging: 'auto' }));
    expect(result.instances).toHaveLength(14_500);
    expect(result.requests).toBeLessThanOrEqual(14 + 12);
  });

  it('a wrong hint (the filter is on start time) loses nothing', async () => {
    // Every instance shows the same plan time, but the server filters on start time.
    const { fetchPage } = fakeServer(planTimes(6000, W), { planTime: () => T0 - DAY });
    const result = await listWindow(fetchPage, W, options());
    expect(result.instances).toHaveLength(6000);
  });
});

describe('listWindow stays bounded whatever the server answers', () => {
  it.each([1500, 5000, 200_000])(
    'a total of %i that does not shrink with the window fails fast with WINDOW_NOT_SHRINKING',
    async (claimed) => {
      const window = { from: T0 - 10_000, to: T0 };
      const { fetchPage, calls } = fakeServer(planTimes(1200, window), { total: () => claimed });
      const error = await rejection(listWindow(fetchPage, window, options()));
      expect(error.code).toBe('WINDOW_NOT_SHRINKING');
      expect(error.message).toContain(`reported ${claimed} instances`);
      expect(error.message).toMatch(/\.\.\d{4}-\d\d-\d\dT.* \(\d+ ms\)/);
      await settle();
      expect(calls.length).toBeLessThanOrEqual(claimed / 800 + 12);
    },
  );

  it('a window claiming more instances than the budget can read fails at once', async () => {
    const { fetchPage, calls } = fakeServer([T0 - 5], { total: () => 1_000_000 });
    const error = await rejection(listWindow(fetchPage, { from: T0 - DAY, to: T0 }, options()));
    expect(error.code).toBe('LIST_BUDGET_EXCEEDED');
    expect(error.message).toContain('a window claims 1000000 instances, 999 more requests');
    expect(calls).toHaveLength(1);
  });

  it('a total that stops shrinking only in narrow windows is caught there', async () => {
    const window = { from: T0 - DAY, to: T0 };
    // A burst makes the listing narrow down to it; below one hour the server starts inventing.
    const times = [...planTimes(5000, window), ...Array.from({ length: 1500 }, () => T0 - 5 * HOUR - 7)];
    const { fetchPage, calls } = fakeServer(times, {
      total: (actual, w) => (w.to - w.from < HOUR ? 8000 : actual),
    });
    const error = await rejection(listWindow(fetchPage, window, options()));
    expect(error.code).toBe('WINDOW_NOT_SHRINKING');
    await settle();
    expect(calls.length).toBeLessThan(DEFAULT_LIST_OPTIONS.maxRequests);
  });

  it('an over-reported total (every window claims 5,000 more) ends at the request budget', async () => {
    const window = { from: T0 - DAY, to: T0 };
    const { fetchPage, calls } = fakeServer(planTimes(3000, window), { total: (n) => n + 5000 });
    const error = await rejection(listWindow(fetchPage, window, options({ maxRequests: 120 })));
    expect(error.code).toBe('LIST_BUDGET_EXCEEDED');
    expect(error.message).toContain('exceeds its budget of 120 requests');
    await settle();
    // It may stop a few requests early: a window then claims more than the rest can read.
    expect(calls.length).toBeGreaterThan(100);
    expect(calls.length).toBeLessThanOrEqual(120);
  });

  it('a total over-reported threefold still lists everything, at a modest cost, and reports the shortfall', async () => {
    const window = { from: T0 - DAY, to: T0 };
    const { fetchPage } = fakeServer(planTimes(5000, window), { total: (n) => 3 * n });
    const result = await listWindow(fetchPage, window, options());
    expect(result.instances).toHaveLength(5000);
    expect(result.requests).toBeLessThan(60);
    // Each final window claimed three times what it delivered: none is silently accepted.
    expect(result.incomplete.length).toBeGreaterThan(0);
    for (const gap of result.incomplete) expect(gap.claimed).toBe(3 * gap.delivered);
    expect(result.incomplete.reduce((sum, g) => sum + g.delivered, 0)).toBeGreaterThanOrEqual(5000);
  });

  it.each([
    ['capped at the page size', (n: number) => Math.min(n, 1000)],
    ['under-reported tenfold', (n: number) => Math.floor(n / 10)],
  ])('a total %s: a full page is never taken for the whole window', async (_name, total) => {
    const times = [...planTimes(6000, W), ...Array.from({ length: 2300 }, () => T0 - DAY)];
    const { fetchPage } = fakeServer(times, { total });
    const result = await listWindow(fetchPage, W, options({ paging: 'auto' }));
    expect(result.instances).toHaveLength(8300);
    expect(result.incomplete).toEqual([]);
  });

  it('the budget counts every request, paging included: exactly enough passes, one less fails', async () => {
    const times = [...planTimes(4000, W), ...Array.from({ length: 2500 }, () => T0 - DAY)];
    const needed = (await listWindow(fakeServer(times).fetchPage, W, options({ paging: 'auto' }))).requests;
    const enough = await listWindow(
      fakeServer(times).fetchPage,
      W,
      options({ paging: 'auto', maxRequests: needed }),
    );
    expect(enough.instances).toHaveLength(6500);
    const short = fakeServer(times);
    const error = await rejection(
      listWindow(short.fetchPage, W, options({ paging: 'auto', maxRequests: needed - 1 })),
    );
    expect(error.code).toBe('LIST_BUDGET_EXCEEDED');
    await settle();
    expect(short.calls).toHaveLength(needed - 1);
  });

  it.each([
    ['evenly', [[100_000]], 130],
    ['on 168 hourly cron times', [[100_000, 168]], 280],
    ['as 7 daily bursts in one millisecond each', [[100_000, 7]], 280],
    ['half evenly, half as 7 daily bursts', [[50_000], [50_000, 7]], 250],
  ] as const)(
    'the default budget covers a dense 7-day window of 100,000 instances spread %s',
    async (_layout, groups, expectedAtMost) => {
      const times = groups.flatMap(([count, slots], i) => planTimes(count, W, slots, 11 + i));
      const { fetchPage } = fakeServer(times);
      const result = await listWindow(fetchPage, W, options({ paging: 'auto' }));
      expect(result.instances).toHaveLength(100_000);
      expect(result.requests).toBeLessThanOrEqual(expectedAtMost);
      expect(result.requests).toBeLessThan(DEFAULT_LIST_OPTIONS.maxRequests / 1.7);
    },
  );

  it('stops on an aborted signal before the first request', async () => {
    const { fetchPage, calls } = fakeServer([T0 - 5]);
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    const error = await rejection(listWindow(fetchPage, W, options(), controller.signal));
    expect(error.code).toBe('ABORTED');
    expect(error.cause).toEqual(new Error('deadline'));
    expect(error.message).toMatch(/was aborted: deadline$/);
    expect(calls).toHaveLength(0);
  });

  it('stops on a signal aborted mid-listing: no request starts after it', async () => {
    const controller = new AbortController();
    const server = fakeServer(planTimes(50_000, W));
    let callsAtAbort = 0;
    let answered = 0;
    const fetchPage: FetchPage = async (w, limit, offset) => {
      const page = await server.fetchPage(w, limit, offset);
      if (++answered === 1) {
        controller.abort();
        callsAtAbort = server.calls.length;
      }
      return page;
    };
    const error = await rejection(listWindow(fetchPage, W, options(), controller.signal));
    expect(error.code).toBe('ABORTED');
    await settle();
    // Requests already sent when the signal fired may finish; none starts afterwards.
    expect(server.calls.length).toBe(callsAtAbort);
  });

  it('after one branch fails, the other branches start no more requests', async () => {
    const server = fakeServer(planTimes(50_000, W));
    let failed = 0;
    const fetchPage: FetchPage = async (w, limit, offset) => {
      if (server.calls.length === 5) {
        failed = server.calls.length;
        server.calls.push({ window: w, offset });
        throw new DataArtsError({
          message: 'boom',
          code: 'SERVER_ERROR',
          request: { method: 'GET', path: 'x' },
        });
      }
      return server.fetchPage(w, limit, offset);
    };
    const error = await rejection(listWindow(fetchPage, W, options()));
    expect(error.message).toBe('boom');
    await settle();
    expect(server.calls.length).toBeLessThanOrEqual(failed + 1 + 70);
  });
});

describe('countWindow', () => {
  it('sums the totals of pieces within the cap: exact under strict bounds, both ends included', async () => {
    const window = { from: T0 - 30 * DAY, to: T0 };
    const times = [
      window.from,
      ...planTimes(5000, window),
      ...requestPieces(window, 7 * DAY).map((p) => p.to - 1),
      T0,
    ];
    const { fetchPage, calls } = fakeServer(times);
    const count = async (piece: TimeWindow) => (await fetchPage(piece, 1, 0)).total;
    expect(await countWindow(count, window, 7 * DAY)).toBe(times.length);
    expect(calls).toHaveLength(5);
    expect(Math.max(...calls.map((c) => c.window.to - c.window.from))).toBeLessThanOrEqual(7 * DAY);
  });

  it('one request for a window within the cap', async () => {
    const { fetchPage, calls } = fakeServer([T0 - DAY, T0]);
    const count = async (piece: TimeWindow) => (await fetchPage(piece, 1, 0)).total;
    expect(await countWindow(count, { from: T0 - DAY, to: T0 }, 7 * DAY)).toBe(2);
    expect(calls.map((c) => c.window)).toEqual([{ from: T0 - DAY - 1, to: T0 + 1 }]);
  });
});

describe('detectPaging', () => {
  const page = (...ids: number[]): InstancePage => ({
    total: 9,
    invalid: [],
    instances: ids.map((id) => ({ jobName: 'j', instanceId: String(id), status: 'fail' })),
  });
  it.each([
    ['record offset, in order', page(2, 3, 4, 5), 'record'],
    ['record offset, shuffled', page(5, 2, 4, 3), 'record'],
    ['page index', page(5, 6, 7, 8), 'page'],
    ['page index repeating a record of page 0', page(4, 5, 6, 7), 'page'],
    ['page index, shuffled, repeating one', page(7, 4, 6, 5), 'page'],
    ['nothing beyond the first page', page(), 'page'],
  ] as const)('%s', (_name, probe, mode) => {
    expect(detectPaging(page(1, 2, 3, 4), probe)).toBe(mode);
  });
});
