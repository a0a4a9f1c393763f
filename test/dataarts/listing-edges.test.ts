/**
 * Two listing edges (issue 16, mutation testing): after the first failure no branch
 * of the split starts another request, and cutting a millisecond out leaves a part
 * that does not hold it as it was.
 */
import type { FetchPage } from '../../lib/dataarts/list-instances';
import { listWindow } from '../../lib/dataarts/list-instances';
import { cutOut } from '../../lib/dataarts/listing/windows';

const settle = () => new Promise((resolve) => setImmediate(resolve));

it('after a request fails deep in the split, no waiting branch starts another', async () => {
  // 60 instances, three to a millisecond over 20 ms: the listing goes three levels deep.
  const rows = Array.from({ length: 60 }, (_, i) => ({
    planTime: 110 + (i % 20),
    jobName: 'j',
    instanceId: String(i + 1),
    status: 'fail',
  })).sort((a, b) => b.planTime - a.planTime);
  const calls: string[] = [];
  const serve: FetchPage = async (w, limit, offset) => {
    const inside = rows.filter((r) => w.from < r.planTime && r.planTime < w.to);
    return { total: inside.length, instances: inside.slice(offset, offset + limit), invalid: [] };
  };
  const options = {
    pageLimit: 4,
    maxWindowMs: 7 * 86_400_000,
    paging: 'record',
    maxRequests: 10_000,
  } as const;
  const whole = await listWindow(serve, { from: 100, to: 200 }, options);
  expect(whole.instances).toHaveLength(60);
  // The first request, then the 19 parts of the first split; the 21st is the first of a part's own split.
  let n = 0;
  const fetchPage: FetchPage = async (w, limit, offset) => {
    calls.push(`${w.from}..${w.to}@${offset}`);
    if (++n === 21) throw new Error('boom');
    const page = await serve(w, limit, offset);
    // Every other answer comes after the failure has been seen.
    await settle();
    return page;
  };
  await expect(listWindow(fetchPage, { from: 100, to: 200 }, options)).rejects.toThrow('boom');
  const sent = calls.length;
  for (let i = 0; i < 10; i++) await settle();
  expect(calls).toHaveLength(sent);
  expect(sent).toBeLessThan(whole.requests);
});

it('cutOut leaves a part that does not hold the millisecond as it is, on either side', () => {
  expect(cutOut([{ from: 10, to: 20 }], 30)).toEqual([{ from: 10, to: 20 }]);
  expect(cutOut([{ from: 10, to: 20 }], 0)).toEqual([{ from: 10, to: 20 }]);
});
