/**
 * The listing's promises at a scale where every request can be named (issue 16,
 * mutation testing): with `pageLimit: 4`, which windows and offsets are asked for,
 * what the result says about them (instances, invalid rows, gaps, the request count),
 * and how a listing that cannot be trusted fails. The list API is an in-memory model
 * with strict bounds (`> from`, `< to`), newest first, `offset` as configured.
 */
import type { InstancePage } from '../../lib/dataarts/instance';
import {
  countWindow,
  DEFAULT_LIST_OPTIONS,
  type FetchPage,
  type ListOptions,
  listStatuses,
  listWindow,
  requestPieces,
  splitWindow,
  type TimeWindow,
} from '../../lib/dataarts/list-instances';
import { checkBeforeRequest, checkClaim, checkPage, confine } from '../../lib/dataarts/listing/checks';
import { detectPaging, pageBurst, pageThrough, restOfWindow } from '../../lib/dataarts/listing/paging';
import {
  burstHint,
  cutOut,
  describeWindow,
  intersect,
  MIN_SPLIT_WIDTH,
} from '../../lib/dataarts/listing/windows';
import { DataArtsError } from '../../lib/errors';

interface Model {
  /** What `offset` means (default: a record offset). */
  offset?: 'page' | 'record';
  /** What the server claims as `total`, from the true count. */
  total?: (actual: number, window: TimeWindow) => number;
  /** Unreadable rows the answer to this request carries at its end (they count as rows). */
  invalid?: (window: TimeWindow, offset: number) => number;
  /** Instance statuses, by index (default: even `success`, odd `fail`). */
  status?: (index: number) => string;
}

/** An in-memory list API; `calls` reads `from..to@offset` (with `[status]` when filtered). */
function listApi(times: readonly number[], model: Model = {}) {
  const calls: string[] = [];
  const rows = times
    .map((t, i) => ({
      t,
      jobName: 'j',
      instanceId: String(i + 1),
      status: model.status ? model.status(i) : i % 2 ? 'fail' : 'success',
      planTime: t,
    }))
    .sort((a, b) => b.t - a.t || Number(a.instanceId) - Number(b.instanceId));
  const fetchFor =
    (status?: string): FetchPage =>
    async (w, limit, offset) => {
      calls.push(`${w.from}..${w.to}@${offset}${status ? `[${status}]` : ''}`);
      const inside = rows.filter((r) => w.from < r.t && r.t < w.to && (!status || r.status === status));
      const start = model.offset === 'page' ? offset * limit : offset;
      const bad = model.invalid ? model.invalid(w, offset) : 0;
      const instances = inside.slice(start, start + limit - bad).map(({ t: _t, ...instance }) => instance);
      return {
        total: model.total ? model.total(inside.length, w) : inside.length,
        instances,
        invalid: Array.from({ length: bad }, (_, i) => ({
          index: instances.length + i,
          problem: 'no jobName',
        })),
      };
    };
  return { fetchPage: fetchFor(), fetchFor, calls };
}

const options = (overrides: Partial<ListOptions> = {}): ListOptions => ({
  ...DEFAULT_LIST_OPTIONS,
  pageLimit: 4,
  paging: 'record',
  ...overrides,
});
const times = <T>(count: number, at: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => at(i));
const W = { from: 100, to: 200 };

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
const ids = (result: { instances: Array<{ instanceId: string }> }) =>
  result.instances.map((i) => Number(i.instanceId)).sort((a, b) => a - b);

describe('listWindow: the requests, one by one', () => {
  it('a window under one page: one request, 1 ms wider on each side', async () => {
    const api = listApi([110, 120, 130]);
    const result = await listWindow(api.fetchPage, W, options());
    expect(api.calls).toEqual(['99..201@0']);
    expect(result).toEqual({
      instances: expect.any(Array),
      invalid: [],
      incomplete: [],
      requests: 1,
    });
    expect(ids(result)).toEqual([1, 2, 3]);
  });

  it('a fuller window is split into parts sized from its total (at 80 % of a page), overlapping by 1 ms', async () => {
    const api = listApi(times(10, (i) => 101 + i * 10));
    const result = await listWindow(api.fetchPage, W, options());
    // 10 claimed: ceil(10 / 3.2) = 4 parts.
    expect(api.calls).toEqual(['99..201@0', '99..125@0', '124..151@0', '150..176@0', '175..201@0']);
    expect(result.requests).toBe(5);
    expect(ids(result)).toEqual(times(10, (i) => i + 1));
    expect(result.incomplete).toEqual([]);
  });

  it('a full page is never the whole window, whatever its total says', async () => {
    for (const total of [(n: number) => n, (n: number) => Math.min(n, 4), () => 3]) {
      const api = listApi(
        times(4, (i) => 110 + i * 20),
        { total },
      );
      const result = await listWindow(api.fetchPage, W, options());
      // Claimed: at least limit + 1 = 5, so 2 parts.
      expect(api.calls).toEqual(['99..201@0', '99..151@0', '150..201@0']);
      expect(result.instances).toHaveLength(4);
    }
  });

  it('a window of exactly one page more than the limit splits in two; of 13, in five', async () => {
    const five = listApi(times(5, (i) => 110 + i * 20));
    await listWindow(five.fetchPage, W, options());
    expect(five.calls).toEqual(['99..201@0', '99..151@0', '150..201@0']);
    const thirteen = listApi(times(13, (i) => 101 + i * 7));
    await listWindow(thirteen.fetchPage, W, options());
    expect(thirteen.calls.slice(0, 6)).toEqual([
      '99..201@0',
      '99..120@0',
      '119..140@0',
      '139..161@0',
      '160..181@0',
      '180..201@0',
    ]);
  });

  it('a page of fewer rows than the limit but a total above it is split too (over-reported total)', async () => {
    const api = listApi([110, 150, 190], { total: (n, w) => (w.to - w.from > 100 ? 9 : n) });
    const result = await listWindow(api.fetchPage, W, options());
    // 9 claimed: ceil(9 / 3.2) = 3 parts.
    expect(api.calls).toEqual(['99..201@0', '99..134@0', '133..168@0', '167..201@0']);
    expect(result.incomplete).toEqual([]);
    expect(result.instances).toHaveLength(3);
  });

  it('a total above what a part delivered is a gap with its window; an exact one is not', async () => {
    const api = listApi([110, 120, 130], { total: (n) => n + 1 });
    const result = await listWindow(api.fetchPage, W, options());
    expect(result.incomplete).toEqual([{ window: { from: 99, to: 201 }, claimed: 4, delivered: 3 }]);
    const under = listApi([110, 120, 130], { total: (n) => n - 1 });
    expect((await listWindow(under.fetchPage, W, options())).incomplete).toEqual([]);
  });

  it('unreadable rows are kept with the window that answered them, and count as rows', async () => {
    const api = listApi([110, 120], { invalid: (w) => (w.from === 99 ? 1 : 0) });
    const result = await listWindow(api.fetchPage, W, options());
    expect(result.invalid).toEqual([{ window: { from: 99, to: 201 }, index: 2, problem: 'no jobName' }]);
    // 2 instances + 1 invalid row against a total of 2: more rows than claimed is no gap.
    expect(result.incomplete).toEqual([]);
    expect(api.calls).toHaveLength(1);
    // A page whose instances and invalid rows together fill it is a full page: split.
    const full = listApi([110, 120, 130], { invalid: (w) => (w.from === 99 && w.to === 201 ? 1 : 0) });
    await listWindow(full.fetchPage, W, options());
    expect(full.calls).toEqual(['99..201@0', '99..151@0', '150..201@0']);
  });

  it('more rows than the limit is a malformed answer', async () => {
    const fetchPage: FetchPage = async () => ({
      total: 9,
      instances: times(5, (i) => ({ jobName: 'j', instanceId: String(i), status: 'fail' })),
      invalid: [],
    });
    const error = await rejection(listWindow(fetchPage, W, options()));
    expect(error).toMatchObject({
      code: 'MALFORMED_RESPONSE',
      message: 'list answered 5 instances for limit 4',
      request: { method: 'GET', path: 'jobs/instances/detail' },
    });
  });

  it('a window longer than maxWindowMs goes in pieces from the newest end, overlapping by 1 ms', async () => {
    const api = listApi([101, 150, 199]);
    const result = await listWindow(api.fetchPage, W, options({ maxWindowMs: 40 }));
    expect(api.calls.sort()).toEqual(['161..201@0', '122..162@0', '99..123@0'].sort());
    expect(result.requests).toBe(3);
    expect(ids(result)).toEqual([1, 2, 3]);
  });
});

describe('listWindow: bursts in one millisecond', () => {
  it('a burst the first page hints at is paged at once, then the rest of the window around it', async () => {
    const api = listApi([...times(6, () => 150), 110, 190]);
    const result = await listWindow(api.fetchPage, W, options());
    expect(api.calls).toEqual(['99..201@0', '148..152@0', '148..152@4', '99..149@0', '151..201@0']);
    expect(result.instances).toHaveLength(8);
    expect(result.incomplete).toEqual([]);
  });

  it('a burst holding the whole window ends the listing: nothing around it is asked', async () => {
    const api = listApi(times(6, () => 150));
    const result = await listWindow(api.fetchPage, W, options());
    expect(api.calls).toEqual(['99..201@0', '148..152@0', '148..152@4']);
    expect(result.requests).toBe(3);
  });

  it("a burst whose pages deliver fewer than its total is a gap of the burst's window", async () => {
    const api = listApi(
      times(6, () => 150),
      { total: (n, w) => (w.to - w.from === 4 ? n + 2 : n) },
    );
    const result = await listWindow(api.fetchPage, W, options());
    expect(result.incomplete).toContainEqual({ window: { from: 148, to: 152 }, claimed: 8, delivered: 6 });
  });

  it('a burst smaller than a page needs one request for its window', async () => {
    const api = listApi([150, 150, 150, 190, 110]);
    const result = await listWindow(api.fetchPage, W, options());
    expect(api.calls.slice(0, 2)).toEqual(['99..201@0', '148..152@0']);
    expect(api.calls).not.toContain('148..152@4');
    expect(result.instances).toHaveLength(5);
  });

  it('with paging off, the burst window is one more part of the split', async () => {
    const api = listApi([...times(3, () => 150), 190, 110]);
    const result = await listWindow(api.fetchPage, W, options({ paging: 'none' }));
    expect(api.calls.slice(0, 4)).toEqual(['99..201@0', '148..152@0', '99..149@0', '151..201@0']);
    expect(result.instances).toHaveLength(5);
    expect(result.requests).toBe(4);
  });
});

describe('listWindow: a window too dense to split is paged', () => {
  const dense = times(9, () => 150);
  const narrow = { from: 149, to: 151 };

  it('in record mode: offsets 4, 8 after the split of the 4 ms window', async () => {
    const api = listApi(dense);
    const result = await listWindow(api.fetchPage, narrow, options());
    expect(api.calls).toEqual([
      '148..152@0',
      '148..150@0',
      '149..151@0',
      '150..152@0',
      '149..151@4',
      '149..151@8',
    ]);
    expect(result.instances).toHaveLength(9);
  });

  it('in page mode: pages 1, 2', async () => {
    const api = listApi(dense, { offset: 'page' });
    await listWindow(api.fetchPage, narrow, options({ paging: 'page' }));
    expect(api.calls.slice(4)).toEqual(['149..151@1', '149..151@2']);
  });

  it.each([
    ['page', ['149..151@1', '149..151@2']],
    ['record', ['149..151@1', '149..151@5', '149..151@9']],
  ] as const)('auto detects %s offsets from the probe at offset 1', async (mode, rest) => {
    const api = listApi(dense, { offset: mode });
    const result = await listWindow(api.fetchPage, narrow, options({ paging: 'auto' }));
    expect(api.calls.slice(4)).toEqual(rest);
    expect(result.instances).toHaveLength(9);
    expect(result.incomplete).toEqual([]);
  });

  it('with paging off, a dense millisecond is refused', async () => {
    const api = listApi(dense);
    const error = await rejection(listWindow(api.fetchPage, narrow, options({ paging: 'none' })));
    expect(error).toMatchObject({
      code: 'WINDOW_TOO_DENSE',
      message: 'more than 4 instances (9) share one millisecond and paging is off (client.paging)',
    });
  });

  it('pages that deliver less than the total are a gap of the paged window', async () => {
    const api = listApi(dense, { total: (n, w) => (w.to - w.from === 2 ? n + 3 : n) });
    const result = await listWindow(api.fetchPage, narrow, options());
    expect(result.incomplete).toContainEqual({ window: { from: 149, to: 151 }, claimed: 12, delivered: 9 });
  });
});

describe('listWindow: bounded whatever the server answers', () => {
  it('the budget: exactly enough requests pass, one less fails before the request it lacks', async () => {
    const ok = listApi(times(10, (i) => 101 + i * 10));
    expect((await listWindow(ok.fetchPage, W, options({ maxRequests: 5 }))).requests).toBe(5);
    const short = listApi(times(10, (i) => 101 + i * 10));
    const error = await rejection(listWindow(short.fetchPage, W, options({ maxRequests: 4 })));
    expect(error).toMatchObject({
      code: 'LIST_BUDGET_EXCEEDED',
      request: { method: 'GET', path: 'jobs/instances/detail' },
    });
    expect(error.message).toBe(
      `listing ${describeWindow(W)} exceeds its budget of 4 requests (it needed more): the server's totals may not match its instances; if they do, raise client.maxListRequests`,
    );
    await settle();
    expect(short.calls).toHaveLength(4);
  });

  it('a window claiming more than the rest of the budget can read fails at once', async () => {
    const claiming = (claim: number) =>
      listApi([110], { total: (n, w) => (w.from === 99 && w.to === 201 ? claim : n) });
    // 49 claimed needs ceil(49 / 4) - 1 = 12 more requests; 11 are left.
    const over = claiming(49);
    const error = await rejection(listWindow(over.fetchPage, W, options({ maxRequests: 12 })));
    expect(error.code).toBe('LIST_BUDGET_EXCEEDED');
    expect(error.message).toContain('(a window claims 49 instances, 12 more requests)');
    expect(over.calls).toHaveLength(1);
    // 48 needs 11: the claim fits, splitting starts (and its 15 parts then exhaust the budget).
    const fits = claiming(48);
    const later = await rejection(listWindow(fits.fetchPage, W, options({ maxRequests: 12 })));
    expect(later.message).toContain('(it needed more)');
    await settle();
    expect(fits.calls).toHaveLength(12);
  });

  it('a total that does not shrink with the window fails fast, naming the parts', async () => {
    const api = listApi([110], { total: () => 9 });
    const error = await rejection(listWindow(api.fetchPage, W, options()));
    expect(error.code).toBe('WINDOW_NOT_SHRINKING');
    expect(error.message).toBe(
      `list total does not shrink with the window: ${describeWindow({ from: 99, to: 201 })} reported 9 instances, and 3 narrower parts of it that cannot hold the same instances each reported at least as many (${describeWindow({ from: 99, to: 134 })}: 9, ${describeWindow({ from: 133, to: 168 })}: 9, ${describeWindow({ from: 167, to: 201 })}: 9)`,
    );
    expect(api.calls).toHaveLength(4);
  });

  it('names at most three parts and says when there are more', () => {
    const parts = times(5, (i) => ({ from: i * 10, to: i * 10 + 11 }));
    let error: unknown;
    try {
      confine({ from: 0, to: 51 }, 9, { from: 0, to: 51 }, parts, [9, 9, 9, 9, 9]);
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toMatch(
      /each reported at least as many \(.*: 9, .*: 9, .*: 9, \.\.\.\)$/,
    );
    expect((error as Error).message).toContain('and 5 narrower parts');
    expect((error as Error).message.match(/: 9\b/g)).toHaveLength(3);
  });

  it('a total shrinking into one part is a burst: legitimate, and where the instances must lie', () => {
    const parts = [
      { from: 0, to: 11 },
      { from: 10, to: 21 },
    ];
    expect(confine({ from: 0, to: 21 }, 9, { from: 0, to: 21 }, parts, [9, 0])).toEqual({ from: 0, to: 11 });
    expect(confine({ from: 0, to: 21 }, 9, { from: 5, to: 21 }, parts, [9, 3])).toEqual({ from: 5, to: 11 });
    expect(confine({ from: 0, to: 21 }, 9, { from: 0, to: 21 }, parts, [9, 9])).toEqual({ from: 10, to: 11 });
    expect(confine({ from: 0, to: 21 }, 9, { from: 0, to: 21 }, parts, [8, 8])).toEqual({ from: 0, to: 21 });
    expect(confine({ from: 0, to: 21 }, 9, { from: 0, to: 21 }, parts, [9])).toEqual({ from: 0, to: 11 });
  });

  it('after the first failure, no branch starts another request', async () => {
    // A cluster of 60 instances, one a millisecond: three levels of splitting.
    const api = listApi(times(60, (i) => 110 + i));
    let n = 0;
    const fetchPage: FetchPage = async (w, limit, offset) => {
      n++;
      if (n === 5) throw new Error('boom');
      // Every other answer comes after the failure has been seen.
      const page = await api.fetchPage(w, limit, offset);
      await settle();
      return page;
    };
    await expect(listWindow(fetchPage, W, options())).rejects.toThrow('boom');
    const sent = api.calls.length;
    for (let i = 0; i < 5; i++) await settle();
    expect(api.calls).toHaveLength(sent);
    // Without the stop, the branches still waiting would have split further.
    const whole = listApi(times(60, (i) => 110 + i));
    expect((await listWindow(whole.fetchPage, W, options())).requests).toBeGreaterThan(sent + 5);
  });

  it('an aborted signal stops before the next request, naming the reason', async () => {
    const controller = new AbortController();
    const api = listApi(times(10, (i) => 101 + i * 10));
    const fetchPage: FetchPage = async (w, limit, offset) => {
      const page = await api.fetchPage(w, limit, offset);
      controller.abort('deadline reached');
      return page;
    };
    const error = await rejection(listWindow(fetchPage, W, options(), controller.signal));
    expect(error).toMatchObject({
      code: 'ABORTED',
      message: `listing ${describeWindow(W)} was aborted: deadline reached`,
      cause: 'deadline reached',
    });
    await settle();
    expect(api.calls).toEqual(['99..201@0']);
  });
});

describe('countWindow', () => {
  it('sums the total of every piece, each within maxWindowMs', async () => {
    const asked: TimeWindow[] = [];
    const count = async (piece: TimeWindow) => {
      asked.push(piece);
      return piece.to - piece.from;
    };
    expect(await countWindow(count, W, 40)).toBe(40 + 40 + 24);
    expect(asked).toEqual([
      { from: 99, to: 123 },
      { from: 122, to: 162 },
      { from: 161, to: 201 },
    ]);
  });
});

describe('listStatuses', () => {
  const status = (i: number) => ['fail', 'success', 'running'][i % 3] as string;

  it('an idle window: one unfiltered request answers every status and the total', async () => {
    const api = listApi([110, 120, 130], { status });
    const result = await listStatuses(api.fetchFor, W, ['fail', 'running'], options());
    expect(api.calls).toEqual(['99..201@0']);
    expect(result.total).toBe(3);
    expect(result.requests).toBe(1);
    expect(ids(result)).toEqual([1, 3]);
    expect(result.incomplete).toEqual([]);
  });

  it('unreadable rows of the unfiltered page are kept with their window', async () => {
    const api = listApi([110, 120], { status, invalid: () => 1 });
    const result = await listStatuses(api.fetchFor, W, ['fail'], options());
    expect(result.invalid).toEqual([{ window: { from: 99, to: 201 }, index: 2, problem: 'no jobName' }]);
    expect(api.calls).toHaveLength(1);
  });

  it('a full window is listed again per status, with the same first request', async () => {
    const api = listApi(
      times(6, (i) => 110 + i * 10),
      { status },
    );
    const result = await listStatuses(api.fetchFor, W, ['fail', 'success'], options());
    expect(api.calls).toEqual(['99..201@0', '99..201@0[fail]', '99..201@0[success]']);
    expect(result.total).toBe(6);
    expect(result.requests).toBe(3);
    expect(ids(result)).toEqual([1, 2, 4, 5]);
  });

  it('a page short of its total is listed per status too, and a gap names its status', async () => {
    const api = listApi([110, 120], { status, total: (n) => n + 1 });
    const result = await listStatuses(api.fetchFor, W, ['fail'], options());
    expect(api.calls).toEqual(['99..201@0', '99..201@0[fail]']);
    expect(result.incomplete).toEqual([
      { window: { from: 99, to: 201 }, claimed: 2, delivered: 1, status: 'fail' },
    ]);
    expect(result.total).toBe(3);
  });

  it('a page holding exactly its total is complete', async () => {
    const api = listApi([110, 120, 130], { status, total: (n) => n - 1 });
    const result = await listStatuses(api.fetchFor, W, ['fail'], options());
    expect(api.calls).toEqual(['99..201@0']);
    expect(result.total).toBe(2);
  });

  it('sums the totals of every piece; the first piece goes alone', async () => {
    const order: string[] = [];
    const api = listApi([101, 150, 199], { status });
    const fetchFor = (s?: string): FetchPage => {
      const inner = api.fetchFor(s);
      return async (w, limit, offset) => {
        order.push(`start ${w.from}`);
        const page = await inner(w, limit, offset);
        await settle();
        order.push(`end ${w.from}`);
        return page;
      };
    };
    const result = await listStatuses(
      fetchFor,
      W,
      ['fail', 'success', 'running'],
      options({ maxWindowMs: 40 }),
    );
    expect(result.total).toBe(3);
    expect(result.requests).toBe(3);
    expect(order.slice(0, 2)).toEqual(['start 99', 'end 99']);
    expect(order.slice(2, 4)).toEqual(['start 122', 'start 161']);
  });

  it('a failure in the first piece stops the rest; a later failure stops other statuses', async () => {
    const api = listApi([110], { status });
    const failing: (s?: string) => FetchPage = () => async () => {
      throw new Error('401');
    };
    await expect(listStatuses(failing, W, ['fail'], options({ maxWindowMs: 40 }))).rejects.toThrow('401');
    expect(api.calls).toEqual([]);

    const full = listApi(
      times(12, (i) => 101 + i * 8),
      { status },
    );
    let filtered = 0;
    const fetchFor = (s?: string): FetchPage => {
      const inner = full.fetchFor(s);
      return async (w, limit, offset) => {
        if (s === 'fail' && ++filtered === 1) throw new Error('boom');
        const page = await inner(w, limit, offset);
        // The other status answers after the failure.
        if (s === 'success') await settle();
        return page;
      };
    };
    await expect(listStatuses(fetchFor, W, ['fail', 'success'], options())).rejects.toThrow('boom');
    await settle();
    // The success listing had sent its first request; the abort stops its split.
    expect(full.calls).toEqual(['99..201@0', '99..201@0[success]']);
  });

  it("the caller's signal stops it before a request", async () => {
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    const api = listApi([110], { status });
    const error = await rejection(listStatuses(api.fetchFor, W, ['fail'], options(), controller.signal));
    expect(error.code).toBe('ABORTED');
    expect(api.calls).toEqual([]);
  });

  it('counts the probes of every piece against the budget', async () => {
    const api = listApi([110], { status });
    const error = await rejection(
      listStatuses(api.fetchFor, W, ['fail'], options({ maxRequests: 2, maxWindowMs: 40 })),
    );
    expect(error.code).toBe('LIST_BUDGET_EXCEEDED');
    expect(api.calls).toHaveLength(2);
    const ok = await listStatuses(
      listApi([110], { status }).fetchFor,
      W,
      ['fail'],
      options({ maxRequests: 3, maxWindowMs: 40 }),
    );
    expect(ok.requests).toBe(3);
  });
});

describe('windows', () => {
  it.each([
    [{ from: 100, to: 200 }, 1000, [{ from: 99, to: 201 }]],
    [{ from: 100, to: 200 }, 102, [{ from: 99, to: 201 }]],
    [
      { from: 100, to: 200 },
      101,
      [
        { from: 99, to: 101 },
        { from: 100, to: 201 },
      ],
    ],
    [
      { from: 0, to: 10 },
      1,
      // At least 3 ms a piece.
      [
        { from: -1, to: 1 },
        { from: 0, to: 3 },
        { from: 2, to: 5 },
        { from: 4, to: 7 },
        { from: 6, to: 9 },
        { from: 8, to: 11 },
      ],
    ],
  ])('requestPieces(%j, %s)', (window, max, pieces) => {
    expect(requestPieces(window, max)).toEqual(pieces);
  });

  it.each([
    [{ from: 0, to: 10 }, 1, [{ from: 0, to: 10 }]],
    [{ from: 0, to: 2 }, 4, [{ from: 0, to: 2 }]],
    [
      { from: 0, to: 3 },
      4,
      [
        { from: 0, to: 2 },
        { from: 1, to: 3 },
      ],
    ],
    [
      { from: 0, to: 10 },
      2,
      [
        { from: 0, to: 6 },
        { from: 5, to: 10 },
      ],
    ],
    [
      { from: 0, to: 10 },
      3,
      [
        { from: 0, to: 4 },
        { from: 3, to: 7 },
        { from: 6, to: 10 },
      ],
    ],
  ])('splitWindow(%j, %s)', (window, parts, expected) => {
    expect(splitWindow(window, parts)).toEqual(expected);
  });

  it('MIN_SPLIT_WIDTH is 3 ms', () => {
    expect(MIN_SPLIT_WIDTH).toBe(3);
  });

  const page = (planTimes: Array<number | undefined>): InstancePage => ({
    total: planTimes.length,
    invalid: [],
    instances: planTimes.map((planTime, i) => ({
      jobName: 'j',
      instanceId: String(i),
      status: 'fail',
      ...(planTime === undefined ? {} : { planTime }),
    })),
  });

  it.each([
    [
      'half of a full page on one millisecond',
      [150, 150, 120, 110],
      { at: 150, window: { from: 148, to: 152 } },
    ],
    ['clipped to the window', [101, 101, 120, 110], { at: 101, window: { from: 100, to: 103 } }],
    ['clipped at the end', [199, 199, 120, 110], { at: 199, window: { from: 197, to: 200 } }],
    ['at the very start', [100, 100, 120, 110], { at: 100, window: { from: 100, to: 102 } }],
    ['at the very end', [200, 200, 120, 110], { at: 200, window: { from: 198, to: 200 } }],
    ['a page not full', [150, 150, 150], undefined],
    ['less than half on one millisecond', [150, 140, 130, 120], undefined],
    ['without plan times', [undefined, undefined, 150, 140], undefined],
    ['outside the window (a start-time filter)', [99, 99, 150, 140], undefined],
    ['beyond the window', [201, 201, 150, 140], undefined],
  ])('burstHint: %s', (_, planTimes, expected) => {
    expect(burstHint({ from: 100, to: 200 }, page(planTimes), 4)).toEqual(expected);
  });

  it('burstHint: no hint in a window narrower than 5 ms', () => {
    expect(burstHint({ from: 100, to: 104 }, page([102, 102, 102, 102]), 4)).toBeUndefined();
    expect(burstHint({ from: 100, to: 105 }, page([102, 102, 102, 102]), 4)).toEqual({
      at: 102,
      window: { from: 100, to: 104 },
    });
  });

  it('cutOut removes the millisecond from every part that holds it, under either reading', () => {
    const parts = [
      { from: 0, to: 11 },
      { from: 10, to: 21 },
    ];
    expect(cutOut(parts, 10)).toEqual([
      { from: 0, to: 9 },
      { from: 11, to: 21 },
    ]);
    expect(cutOut(parts, 5)).toEqual([
      { from: 0, to: 4 },
      { from: 6, to: 11 },
      { from: 10, to: 21 },
    ]);
    expect(cutOut([{ from: 0, to: 11 }], 1)).toEqual([{ from: 2, to: 11 }]);
    expect(cutOut([{ from: 0, to: 11 }], 10)).toEqual([{ from: 0, to: 9 }]);
    expect(cutOut([{ from: 0, to: 11 }], 11)).toEqual([{ from: 0, to: 10 }]);
    expect(cutOut([{ from: 0, to: 11 }], 0)).toEqual([{ from: 1, to: 11 }]);
    expect(cutOut([{ from: 0, to: 11 }], 12)).toEqual([{ from: 0, to: 11 }]);
    expect(cutOut([{ from: 0, to: 11 }], -1)).toEqual([{ from: 0, to: 11 }]);
    expect(cutOut([{ from: 0, to: 11 }], -5)).toEqual([{ from: 0, to: 11 }]);
    expect(cutOut([{ from: 0, to: 2 }], 1)).toEqual([]);
  });

  it('intersect reads both ends inclusively', () => {
    expect(intersect({ from: 0, to: 10 }, { from: 5, to: 20 })).toEqual({ from: 5, to: 10 });
    expect(intersect({ from: 0, to: 10 }, { from: 10, to: 20 })).toEqual({ from: 10, to: 10 });
    expect(intersect({ from: 0, to: 10 }, { from: 11, to: 20 })).toBeUndefined();
  });

  it('describeWindow names both ends and the width', () => {
    expect(describeWindow({ from: Date.UTC(2026, 10, 24), to: Date.UTC(2026, 10, 24) + 1500 })).toBe(
      '2026-11-24T00:00:00Z..2026-11-24T00:00:01.500Z (1500 ms)',
    );
  });
});

describe('paging', () => {
  const page = (ids: number[], total = 9, invalid = 0): InstancePage => ({
    total,
    invalid: Array.from({ length: invalid }, (_, i) => ({ index: i, problem: 'x' })),
    instances: ids.map((id) => ({ jobName: 'j', instanceId: String(id), status: 'fail' })),
  });

  it.each([
    ['a record offset', [2, 3, 4, 5], 'record'],
    ['half repeated', [1, 2, 8, 9], 'page'],
    ['three of four repeated', [2, 3, 4, 9], 'record'],
    ['nothing', [], 'page'],
  ] as const)('detectPaging: %s', (_, probe, mode) => {
    expect(detectPaging(page([1, 2, 3, 4]), page([...probe]))).toBe(mode);
  });

  it('pageThrough stops at an empty page or one with nothing new', async () => {
    const served: number[] = [];
    const pages: Record<number, InstancePage> = { 4: page([5, 6, 7, 8], 20), 8: page([5, 6, 7, 8], 20) };
    const fetch = async (_: TimeWindow, offset: number) => {
      served.push(offset);
      return pages[offset] ?? page([], 20);
    };
    const delivered = await pageThrough(fetch, W, page([1, 2, 3, 4], 20), options());
    expect(served).toEqual([4, 8]);
    expect(delivered).toBe(8);
  });

  it('pageThrough reads on while fewer than the total came and the last page brought new records', async () => {
    const served: number[] = [];
    const pages: Record<number, InstancePage> = {
      4: page([4, 5, 6], 9),
      8: page([7, 8], 9),
      12: page([9], 9),
    };
    const fetch = async (_: TimeWindow, offset: number) => {
      served.push(offset);
      return pages[offset] ?? page([], 9);
    };
    const delivered = await pageThrough(fetch, W, page([1, 2, 3, 4], 9), options());
    expect(served).toEqual([4, 8, 12]);
    expect(delivered).toBe(9);
  });

  it('pageThrough counts unreadable rows as delivered records, and stops when they make up the total', async () => {
    const served: number[] = [];
    const fetch = async (_: TimeWindow, offset: number) => {
      served.push(offset);
      return offset === 4 ? page([5], 6, 1) : page([], 6);
    };
    expect(await pageThrough(fetch, W, page([1, 2, 3, 4], 6), options())).toBe(6);
    expect(served).toEqual([4]);
  });

  it('pageThrough: a page filled by unreadable rows is a full page, read on', async () => {
    const served: number[] = [];
    const fetch = async (_: TimeWindow, offset: number) => {
      served.push(offset);
      return offset === 4 ? page([5, 6, 7], 7, 1) : page([], 7);
    };
    expect(await pageThrough(fetch, W, page([1, 2, 3, 4], 7), options())).toBe(8);
    expect(served).toEqual([4, 8]);
  });

  it('pageThrough: a probe that brings nothing new ends the paging', async () => {
    const served: number[] = [];
    const fetch = async (_: TimeWindow, offset: number) => {
      served.push(offset);
      return offset === 1 ? page([2, 3, 4], 10) : page([9], 10);
    };
    expect(await pageThrough(fetch, W, page([1, 2, 3, 4], 10), options({ paging: 'auto' }))).toBe(4);
    expect(served).toEqual([1]);
  });

  it('pageBurst: nothing to page without a hint or with paging off', async () => {
    const fetch = async () => page([], 0);
    const full = page([1, 2, 3, 4]);
    full.instances.forEach((i) => {
      i.planTime = 150;
    });
    expect(await pageBurst(fetch, W, page([1, 2, 3]), options())).toBeUndefined();
    expect(await pageBurst(fetch, W, full, options({ paging: 'none' }))).toBeUndefined();
    const burst = await pageBurst(async () => page([1, 2, 3], 3), W, full, options());
    expect(burst).toEqual({ at: 150, window: { from: 148, to: 152 }, total: 3, delivered: 3 });
    const repeated = await pageBurst(async () => page([1, 1, 2], 3), W, full, options());
    expect(repeated?.delivered).toBe(2);
  });

  it.each([
    [10, 10, 10, false],
    [10, 9, 10, true],
    [10, 11, 10, true],
    [10, 11, 11, false],
    [10, 10, 9, true],
  ])('restOfWindow(claimed %s, delivered %s, burst total %s): %s', (claimed, delivered, total, rest) => {
    expect(restOfWindow(claimed, { at: 0, window: W, total, delivered })).toBe(rest);
  });
});

describe('checks', () => {
  it('checkBeforeRequest: a reason that is not an Error is named as it is', () => {
    const controller = new AbortController();
    controller.abort(42);
    expect(() => checkBeforeRequest(W, 0, options(), controller.signal)).toThrow(/was aborted: 42$/);
    expect(() => checkBeforeRequest(W, 9, options({ maxRequests: 10 }), undefined)).not.toThrow();
    expect(() => checkBeforeRequest(W, 10, options({ maxRequests: 10 }), undefined)).toThrow(/budget of 10/);
  });

  it('checkClaim: a claim needing exactly the rest of the budget passes', () => {
    // 41 instances at 4 a page: 10 more requests after the first.
    expect(() => checkClaim(W, 41, options({ maxRequests: 12 }), 2)).not.toThrow();
    expect(() => checkClaim(W, 41, options({ maxRequests: 12 }), 3)).toThrow(
      /\(a window claims 41 instances, 10 more requests\)/,
    );
    expect(() => checkClaim(W, 40, options({ maxRequests: 12 }), 3)).not.toThrow();
  });

  it('checkPage: exactly the limit of rows passes, invalid rows included', () => {
    const page = { total: 4, instances: [{ jobName: 'j', instanceId: '1', status: 'fail' }], invalid: [] };
    expect(checkPage(page, 1)).toBe(page);
    expect(() => checkPage({ ...page, invalid: [{ index: 1, problem: 'x' }] }, 1)).toThrow(
      'list answered 1 instances for limit 1',
    );
  });
});

describe('DEFAULT_LIST_OPTIONS', () => {
  it('pages 1,000 at a time, detects what offset means, within 7 days and 500 requests a listing', async () => {
    expect(DEFAULT_LIST_OPTIONS).toEqual({
      pageLimit: 1000,
      maxWindowMs: 7 * 86_400_000,
      paging: 'auto',
      maxRequests: 500,
    });
    // A millisecond holding more than a page: the probe at offset 1 reads the paging mode.
    const api = listApi(times(1500, () => 150));
    const result = await listWindow(api.fetchPage, { from: 149, to: 151 });
    expect(result.instances).toHaveLength(1500);
    expect(api.calls.slice(-2)).toEqual(['149..151@1', '149..151@1001']);
  });
});

describe('more edges', () => {
  it('a 3 ms window is still split, not paged', async () => {
    const api = listApi([...times(5, () => 149), ...times(4, () => 150)]);
    const result = await listWindow(api.fetchPage, { from: 149, to: 150 }, options());
    expect(api.calls.slice(0, 3)).toEqual(['148..151@0', '148..150@0', '149..151@0']);
    expect(result.instances).toHaveLength(9);
  });

  it("listStatuses: the caller's signal also stops the per-status listings", async () => {
    const controller = new AbortController();
    const api = listApi(
      times(6, (i) => 110 + i * 10),
      { status: (i) => (i % 2 ? 'fail' : 'success') },
    );
    const fetchFor = (s?: string): FetchPage => {
      const inner = api.fetchFor(s);
      return async (w, limit, offset) => {
        const page = await inner(w, limit, offset);
        if (s === undefined) controller.abort(new Error('deadline'));
        return page;
      };
    };
    const error = await rejection(listStatuses(fetchFor, W, ['fail'], options(), controller.signal));
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(api.calls).toEqual(['99..201@0']);
  });

  it('pageThrough: a page of repeated records with an unreadable one still brings something new', async () => {
    const served: number[] = [];
    const page = (ids: number[], invalid = 0): InstancePage => ({
      total: 10,
      invalid: Array.from({ length: invalid }, (_, i) => ({ index: i, problem: 'x' })),
      instances: ids.map((id) => ({ jobName: 'j', instanceId: String(id), status: 'fail' })),
    });
    const pages: Record<number, InstancePage> = { 4: page([1, 2], 1), 8: page([5, 6]) };
    const fetch = async (_: TimeWindow, offset: number) => {
      served.push(offset);
      return pages[offset] ?? page([]);
    };
    expect(await pageThrough(fetch, W, page([1, 2, 3, 4]), options())).toBe(7);
    expect(served).toEqual([4, 8, 12]);
  });

  it('pageBurst: a burst page holding its whole total is not paged (no probe either)', async () => {
    const full: InstancePage = {
      total: 4,
      invalid: [],
      instances: times(4, (i) => ({ jobName: 'j', instanceId: String(i), status: 'fail', planTime: 150 })),
    };
    const asked: number[] = [];
    const burstPage: InstancePage = {
      total: 3,
      invalid: [{ index: 2, problem: 'x' }],
      instances: [full.instances[0], full.instances[1]].filter((i) => i !== undefined),
    };
    const burst = await pageBurst(
      async (_, offset) => {
        asked.push(offset);
        return burstPage;
      },
      W,
      full,
      options({ paging: 'auto' }),
    );
    expect(burst).toEqual({ at: 150, window: { from: 148, to: 152 }, total: 3, delivered: 3 });
    expect(asked).toEqual([0]);
  });

  it.each([
    ['a full burst page, even one matching its total', 4, 4, [0, 1]],
    ['a burst page short of its total', 3, 5, [0, 1]],
    ['a burst page holding its total', 3, 3, [0]],
  ])('pageBurst: %s is paged (a probe) only when it may hide more', async (_, rows, total, expected) => {
    const first: InstancePage = {
      total: 9,
      invalid: [],
      instances: times(4, (i) => ({ jobName: 'j', instanceId: String(i), status: 'fail', planTime: 150 })),
    };
    const asked: number[] = [];
    const burstPage: InstancePage = {
      total,
      invalid: [],
      instances: times(rows, (i) => ({ jobName: 'j', instanceId: String(i), status: 'fail', planTime: 150 })),
    };
    await pageBurst(
      async (_w, offset) => {
        asked.push(offset);
        return offset === 0 ? burstPage : { total, invalid: [], instances: [] };
      },
      W,
      first,
      options({ paging: 'auto' }),
    );
    expect(asked).toEqual(expected);
  });

  it('splitWindow: a window of 1 ms is not split', () => {
    expect(splitWindow({ from: 0, to: 1 }, 4)).toEqual([{ from: 0, to: 1 }]);
    expect(splitWindow({ from: 5, to: 5 }, 4)).toEqual([{ from: 5, to: 5 }]);
  });

  it('with paging off, a burst too dense for a page is refused, not dropped', async () => {
    const api = listApi([...times(6, () => 150), 190, 110]);
    const error = await rejection(listWindow(api.fetchPage, W, options({ paging: 'none' })));
    expect(error.code).toBe('WINDOW_TOO_DENSE');
  });

  it('a server capping totals at the page size: the window is still listed whole', async () => {
    const api = listApi(
      times(20, (i) => 101 + i * 5),
      { total: (n) => Math.min(n, 4) },
    );
    const result = await listWindow(api.fetchPage, W, options());
    expect(result.instances).toHaveLength(20);
  });

  it('a paged burst is held to the parent total like any part: invented totals fail fast', async () => {
    const api = listApi([...times(6, () => 150), 190, 110], { total: () => 20 });
    const error = await rejection(listWindow(api.fetchPage, W, options()));
    expect(error.code).toBe('WINDOW_NOT_SHRINKING');
    expect(error.message).toContain(`${describeWindow({ from: 148, to: 152 })}: 20`);
    expect(error.message).toContain(`${describeWindow({ from: 99, to: 201 })} reported 20 instances`);
  });

  it('listStatuses: a page of exactly the limit may hide more: listed per status', async () => {
    const api = listApi(
      times(4, (i) => 110 + i * 10),
      { status: (i) => (i % 2 ? 'fail' : 'success') },
    );
    const result = await listStatuses(api.fetchFor, W, ['fail'], options());
    expect(api.calls).toEqual(['99..201@0', '99..201@0[fail]']);
    expect(result.total).toBe(4);
  });
});

describe('listWindow with keep', () => {
  it('keeps only the instances it accepts; the requests are those of the whole listing', async () => {
    const spread = times(10, (i) => 101 + i * 10);
    const all = listApi(spread);
    await listWindow(all.fetchPage, W, options());
    const api = listApi(spread);
    const result = await listWindow(api.fetchPage, W, options(), undefined, (i) => i.status === 'fail');
    expect(ids(result)).toEqual([2, 4, 6, 8, 10]);
    expect(api.calls).toEqual(all.calls);
    expect(result.incomplete).toEqual([]);
  });
});
