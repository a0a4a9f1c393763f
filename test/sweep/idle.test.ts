/**
 * What one sweep asks of DataArts per target (issue 15): one unfiltered page answers
 * every status and the storm guard's total while the window holds less than a page;
 * fuller windows fall back to status-filtered listing, with the same result. Counts of
 * emulator requests, never timings.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import { parseConfig } from '../../lib/config/parse';
import type { ListFilters } from '../../lib/dataarts/list-instances';
import { listTarget } from '../../lib/sweep/phases/list';
import { MemoryLedger } from '../support/memory-ledger';
import { sweeper } from '../support/sweep-setup';
import { akskClient, emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
let emulator: Emulator;
let clock: ManualClock;
beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
});
afterEach(async () => emulator.close());

const STATUSES = ['fail', 'manual-stop', 'running-exception', 'success', 'running'];
/** `count` instances spread over the last `spanMs`, statuses mixed (one in ten failed-like). */
function mixed(count: number, spanMs: number, firstId = 1): InstanceSeed[] {
  return Array.from({ length: count }, (_, i) => ({
    jobName: `job_${i % 37}`,
    instanceId: firstId + i,
    status: (i % 10 === 0 ? STATUSES[(i / 10) % 3] : STATUSES[3 + (i % 2)]) as string,
    planTime: T0 - Math.floor(((i + 0.5) * spanMs) / count),
    endTime: T0 - Math.floor(((i + 0.5) * spanMs) / count) + MIN,
  }));
}

const listRequests = () => emulator.requests.filter((r) => r.route === 'list');
const config = (policy: Record<string, unknown> = {}) =>
  parseConfig({
    targets: [{ name: 'prod', endpoint: 'https://example.com', projectId: PROJECT }],
    ledger: { type: 'file', path: '/unused', retention: '30d' },
    policy,
  });

describe('an idle target costs one request per sweep', () => {
  it.each([
    ['nothing at all', 0],
    ['900 successes', 900],
  ])('%s in the window: 1 list request, storm guard on, no failure', async (_name, successes) => {
    emulator.seed(
      PROJECT,
      undefined,
      Array.from({ length: successes }, (_, i) => ({
        jobName: `ok_${i % 50}`,
        instanceId: i + 1,
        status: 'success',
        planTime: T0 - (i + 1) * MIN,
      })),
    );
    const report = await sweeper(emulator, clock, new MemoryLedger(), {
      stormGuard: { enabled: true },
    }).run();
    expect(listRequests()).toHaveLength(1);
    expect(emulator.requests).toHaveLength(1);
    // Nothing filtered on the server: the one page answered every status at once.
    expect(listRequests()[0]?.query.status).toBeUndefined();
    expect(report.targets[0]?.listed).toBe(0);
    expect(report.targets[0]?.storm.totalInstances).toBe(successes);
  });

  it('three idle targets: three requests', async () => {
    for (const workspace of ['a', 'b', 'c'])
      emulator.seed(
        PROJECT,
        workspace,
        mixed(200, DAY).filter((s) => s.status === 'success'),
      );
    const targets = ['a', 'b', 'c'].map((workspace) => ({
      name: workspace,
      endpoint: emulator.url,
      projectId: PROJECT,
      workspace,
    }));
    await sweeper(emulator, clock, new MemoryLedger(), {}, { targets }).run();
    expect(listRequests()).toHaveLength(3);
  });

  it('a look-back over 7 days still sends 7-day pieces: one request each', async () => {
    emulator.seed(PROJECT, undefined, mixed(600, 20 * DAY));
    const { client } = akskClient(emulator, clock);
    const listing = await listTarget(client, { from: T0 - 20 * DAY, to: T0 }, config({ lookback: '20d' }));
    // 20 days in 7-day pieces (the emulator refuses wider requests): 3 requests.
    expect(listRequests()).toHaveLength(3);
    expect(listing.total).toBe(600);
    expect(listing.listed).toHaveLength(60);
  });
});

describe('the one-page listing lists exactly what the status-filtered listing lists', () => {
  /** The former plan: one status-filtered listing per status, merged by id. */
  async function perStatus(window: { from: number; to: number }, statuses: string[]) {
    const { client } = akskClient(emulator, clock);
    const lists = await Promise.all(
      statuses.map((status) => client.listInstances(window, { status } satisfies ListFilters)),
    );
    return new Set(lists.flatMap((l) => l.instances.map((i) => `${i.instanceId}:${i.status}`)));
  }

  it.each([
    ['a small window (one page)', 800, DAY],
    ['a full window (falls back to status filters)', 4_000, DAY],
    ['a small window across two 7-day pieces', 700, 10 * DAY],
    ['a full 10-day window', 3_500, 10 * DAY],
  ])('%s', async (_name, count, span) => {
    emulator.seed(PROJECT, undefined, [
      ...mixed(count, span),
      // On both ends of the window, and just outside it.
      { jobName: 'edge', instanceId: 900_001, status: 'fail', planTime: T0 - span },
      { jobName: 'edge', instanceId: 900_002, status: 'fail', planTime: T0 },
      { jobName: 'edge', instanceId: 900_003, status: 'fail', planTime: T0 - span - 1 },
      { jobName: 'edge', instanceId: 900_004, status: 'fail', planTime: T0 + 1 },
    ]);
    const window = { from: T0 - span, to: T0 };
    const { client } = akskClient(emulator, clock);
    const listing = await listTarget(client, window, config({ lookback: `${span / DAY}d` }));
    const ours = new Set(listing.listed.map((i) => `${i.instanceId}:${i.status}`));
    expect(ours).toEqual(await perStatus(window, ['fail', 'manual-stop', 'running-exception']));
    expect(ours.has('900001:fail') && ours.has('900002:fail')).toBe(true);
    expect(listing.total).toBe(count + 2);
    expect(listing.incomplete).toEqual([]);
  });

  it('successes come from the same page when a rule looks for superseded failures', async () => {
    emulator.seed(PROJECT, undefined, mixed(500, DAY));
    const { client } = akskClient(emulator, clock);
    const listing = await listTarget(client, { from: T0 - DAY, to: T0 }, config({ skipSuperseded: true }));
    expect(listRequests()).toHaveLength(1);
    expect(listing.successes.length).toBeGreaterThan(0);
    expect(listing.successes.every((i) => i.status === 'success')).toBe(true);
    expect(listing.listed.every((i) => i.status !== 'success')).toBe(true);
  });

  it('a page that falls short of its total is listed again per status; a gap that stays is reported', async () => {
    await emulator.close();
    ({ emulator, clock } = await emulatorWithClock({ reportTotal: (actual) => actual + 5 }));
    emulator.seed(PROJECT, undefined, mixed(300, DAY));
    const { client } = akskClient(emulator, clock);
    const listing = await listTarget(client, { from: T0 - DAY, to: T0 }, config());
    // The short unfiltered page, then one listing per status.
    const statuses = listRequests().map((r) => r.query.status);
    expect(statuses[0]).toBeUndefined();
    expect(statuses.slice(1).sort()).toEqual(['fail', 'manual-stop', 'running-exception']);
    expect(listing.listed).toHaveLength(30);
    expect(listing.incomplete).toHaveLength(3);
    expect(listing.incomplete[0]).toMatch(/^status fail: up to 5 instances could not be listed/);
  });
});
