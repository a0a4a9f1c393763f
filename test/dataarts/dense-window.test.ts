import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import { parseConfig } from '../../lib/config/parse';
import type { PagingMode } from '../../lib/dataarts/list-instances';
import { listTarget } from '../../lib/sweep/phases/list';
import { akskClient, emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** `n` failures sharing one plan time (a cron batch), plus `spread` spread over the day. */
function seeds(n: number, at: number, spread: number): InstanceSeed[] {
  return [
    ...Array.from({ length: n }, (_, i) => ({
      jobName: `cron_${i}`,
      instanceId: 100_000 + i,
      status: 'fail',
      planTime: at,
    })),
    ...Array.from({ length: spread }, (_, i) => ({
      jobName: `spread_${i}`,
      instanceId: 500_000 + i,
      status: 'fail',
      planTime: T0 - DAY + Math.floor(((i + 0.5) * DAY) / spread),
    })),
  ];
}

const CONFIG = parseConfig({
  targets: [{ name: 't', endpoint: 'https://dlf.example.com', projectId: PROJECT }],
  ledger: { type: 'file', path: '/unused' },
});

/**
 * One target's listing of the last day: all its list calls, and the fixed ones among
 * them (every request not for the failed instances' pages: the unfiltered first
 * request, the other statuses, counts), which the listing makes whatever the failures.
 */
async function listing(offsetMode: 'page' | 'record', paging: PagingMode, data: InstanceSeed[]) {
  const started = await emulatorWithClock({ offsetMode });
  emulator = started.emulator;
  emulator.seed(PROJECT, undefined, data);
  const { client } = akskClient(emulator, started.clock, { list: { paging } });
  const { listed } = await listTarget(client, { from: T0 - DAY, to: T0 }, CONFIG);
  const lists = emulator.requests.filter((r) => r.route === 'list');
  const fixed = lists.filter((r) => r.query.status !== 'fail').length;
  return { calls: lists.length, fixed, listed: listed.length };
}

describe('a window where thousands of instances share one plan time (a cron batch)', () => {
  const cases: Array<[number, number, 'page' | 'record', PagingMode]> = [];
  for (const n of [1001, 1500, 3000, 5000, 12_345])
    for (const offsetMode of ['page', 'record'] as const) cases.push([n, 0, offsetMode, 'auto']);
  cases.push([5000, 2000, 'page', 'auto'], [5000, 2000, 'record', 'auto'], [4000, 0, 'record', 'record']);

  it.each(cases)(
    '%i failures in one millisecond (+%i spread), offset as %s, paging %s: within 1.5x the minimum list calls',
    async (n, spread, offsetMode, paging) => {
      const { calls, fixed, listed } = await listing(
        offsetMode,
        paging,
        seeds(n, T0 - 3 * HOUR - 17, spread),
      );
      expect(listed).toBe(n + spread);
      const minimum = Math.ceil((n + spread) / 1000) + fixed;
      if (process.env.DENSE_REPORT)
        process.stderr.write(
          `dense ${n}+${spread} ${offsetMode}/${paging}: ${calls} calls, minimum ${minimum}, ${(calls / minimum).toFixed(2)}x\n`,
        );
      expect({ calls, fixed, within: calls <= 1.5 * minimum }).toEqual({ calls, fixed, within: true });
    },
  );

  it.each(['page', 'record'] as const)(
    'a burst alone costs at most 2 list requests beyond its pages (offset as %s)',
    async (offsetMode) => {
      const started = await emulatorWithClock({ offsetMode });
      emulator = started.emulator;
      emulator.seed(PROJECT, undefined, seeds(7777, T0 - 5 * HOUR, 0));
      const { client } = akskClient(emulator, started.clock);
      const result = await client.listInstances({ from: T0 - DAY, to: T0 }, { status: 'fail' });
      expect(new Set(result.instances.map((i) => i.instanceId)).size).toBe(7777);
      expect(result.requests).toBeLessThanOrEqual(8 + 2);
    },
  );

  it('totals capped above the page size: the rest of the window is still listed', async () => {
    const started = await emulatorWithClock({ reportTotal: (actual: number) => Math.min(actual, 2000) });
    emulator = started.emulator;
    const data = seeds(2500, T0 - 3 * HOUR - 17, 300);
    emulator.seed(PROJECT, undefined, data);
    const { client } = akskClient(emulator, started.clock);
    const result = await client.listInstances({ from: T0 - DAY, to: T0 }, { status: 'fail' });
    expect(new Set(result.instances.map((i) => i.instanceId)).size).toBe(2800);
  });
});
