import { splitWindow } from '../../lib/dataarts/list-instances';
import type { Emulator } from '../emulator/server';
import type { InstanceSeed } from '../emulator/state';
import type { ManualClock } from '../support/manual-clock';
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

  for (const offsetMode of ['page', 'record'] as const) {
    for (const count of [0, 1, 999, 1000, 1001, 25_000]) {
      it(`${count} instances, offset read as ${offsetMode}`, async () => {
        ({ emulator, clock } = await emulatorWithClock({ offsetMode, maxWindowMs: 7 * DAY }));
        emulator.seed(PROJECT, undefined, spread(count, T0 - DAY, T0));
        const { client } = akskClient(emulator, clock);
        const result = await client.listInstances({ from: T0 - DAY, to: T0 });
        const ids = result.instances.map((i) => i.instanceId);
        expect(new Set(ids).size).toBe(count);
        expect(ids.length).toBe(count);
        // Efficiency: one request when it fits; close to total/1000 otherwise.
        if (count <= 1000) expect(result.requests).toBe(1);
        else expect(result.requests).toBeLessThanOrEqual(Math.ceil(count / 800) + 3);
      });
    }
  }

  it('splits a 20-day look-back into windows of at most 7 days and loses nothing at the seams', async () => {
    ({ emulator, clock } = await emulatorWithClock({ maxWindowMs: 7 * DAY }));
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
        { from: 0, to: 5 },
        { from: 5, to: 10 },
      ],
    ],
    [
      { from: 0, to: 3 },
      5,
      [
        { from: 0, to: 1 },
        { from: 1, to: 2 },
        { from: 2, to: 3 },
      ],
    ],
    [{ from: 7, to: 8 }, 4, [{ from: 7, to: 8 }]],
    [{ from: 0, to: 100 }, 1, [{ from: 0, to: 100 }]],
  ])('%j into %i parts', (window, parts, expected) => {
    expect(splitWindow(window, parts)).toEqual(expected);
  });
});
