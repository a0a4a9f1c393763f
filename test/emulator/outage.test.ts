/**
 * The emulator plays an outage: jobs whose shared dependency is down until a time T on
 * the emulator's clock. A rerun of one of their instances is accepted (204) but fails
 * again with the outage's message once the restart lag is over; a rerun that starts at
 * or after T runs as the instance would anyway (by default, it succeeds). Everything is
 * seen through the signed HTTP API, and only the emulator's clock moves it.
 */
import { outageFailures } from '../../emulator/builders';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { DataArtsClient } from '../../lib/dataarts/client';
import type { Instance } from '../../lib/dataarts/instance';
import { akskClient, emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
const LAG = 2 * MIN;
const RUN = 5 * MIN;
const SEEDED = 'DLI.0001: Queue dli_etl is not available.';
const DOWN = 'DLI.0001: Queue dli_etl is not available (still down).';
const T = T0 + 30 * MIN;

let emulator: Emulator;
let clock: ManualClock;
let client: DataArtsClient;

beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock({ restartLagMs: LAG }));
  client = akskClient(emulator, clock).client;
  // Three jobs on the queue failed within twenty minutes; one unrelated job failed on its own.
  emulator.seed(PROJECT, undefined, [
    ...outageFailures(3, {
      from: T0 - 30 * MIN,
      to: T0 - 10 * MIN,
      errorMessage: SEEDED,
      jobPrefix: 'ods_',
      extra: { runMs: RUN },
    }),
    ...outageFailures(1, {
      from: T0 - 20 * MIN,
      to: T0 - 20 * MIN,
      errorMessage: 'Shell exited with code 1',
      jobPrefix: 'dwd_',
      firstId: 100,
      extra: { runMs: RUN },
    }),
  ]);
});
afterEach(async () => emulator.close());

/** The instances of the last day as the list answer shows them, by job. */
async function listed(): Promise<Map<string, Instance>> {
  const { instances } = await client.listInstances({ from: clock.now() - 86_400_000, to: clock.now() + 1 });
  return new Map(instances.map((i) => [i.jobName, i]));
}

async function listedJob(jobName: string): Promise<Instance> {
  const instance = (await listed()).get(jobName);
  if (!instance) throw new Error(`${jobName} is not listed`);
  return instance;
}

describe('outageFailures: the failures an outage leaves behind', () => {
  it('seeds one failed instance per job, ending within the range, each with the message in the list answer', async () => {
    const all = await listed();
    const ods = ['ods_0', 'ods_1', 'ods_2'].map((job) => all.get(job));
    expect(ods.map((i) => i?.status)).toEqual(['fail', 'fail', 'fail']);
    expect(ods.map((i) => i?.errorMessage)).toEqual([SEEDED, SEEDED, SEEDED]);
    expect(ods.map((i) => i?.endTime)).toEqual([T0 - 30 * MIN, T0 - 20 * MIN, T0 - 10 * MIN]);
    expect(new Set(ods.map((i) => i?.instanceId)).size).toBe(3);
    expect(all.get('dwd_0')).toMatchObject({ status: 'fail', endTime: T0 - 20 * MIN, instanceId: '100' });
  });
});

describe('an outage until T', () => {
  beforeEach(() => emulator.declareOutage({ jobs: 'ods_*', until: T, errorMessage: DOWN }));

  it('before T, a rerun is accepted but fails again with the message, after the lag, with a newer endTime', async () => {
    const before = await listedJob('ods_0');
    await expect(client.restartInstance('ods_0', before.instanceId)).resolves.toBeUndefined();
    expect(emulator.count('restart', 204)).toBe(1);

    clock.advance(LAG - 1);
    expect(await listedJob('ods_0')).toMatchObject({
      status: 'fail',
      endTime: before.endTime,
      errorMessage: SEEDED,
    });

    clock.advance(1);
    const after = await listedJob('ods_0');
    expect(after).toMatchObject({ status: 'fail', errorMessage: DOWN, endTime: T0 + LAG });
    expect(after.endTime).toBeGreaterThan(before.endTime ?? Infinity);
    const shown = await client.getInstance('ods_0', before.instanceId);
    expect(shown).toMatchObject({ status: 'fail', endTime: T0 + LAG });
    expect(shown.nodes.map((n) => n.status)).toEqual(['fail']);
    // One rerun answered the seeded failure; the failed rerun is a new failure.
    expect(emulator.rerunsPerFailure(before.instanceId)).toBe(1);
  });

  it('each rerun before T fails again: every one is a new failure, answered once', async () => {
    const { instanceId } = await listedJob('ods_1');
    for (let i = 0; i < 3; i++) {
      await client.restartInstance('ods_1', instanceId);
      clock.advance(LAG);
      expect(await listedJob('ods_1')).toMatchObject({
        status: 'fail',
        errorMessage: DOWN,
        endTime: clock.now(),
      });
    }
    expect(emulator.restarts(instanceId)).toBe(3);
    expect(emulator.maxRerunsPerFailure()).toBe(1);
  });

  it('after T, a rerun succeeds', async () => {
    const { instanceId } = await listedJob('ods_2');
    clock.set(T);
    await client.restartInstance('ods_2', instanceId);
    clock.advance(LAG);
    expect(await listedJob('ods_2')).toMatchObject({ status: 'running', startTime: T + LAG });
    clock.advance(RUN);
    expect(await listedJob('ods_2')).toMatchObject({ status: 'success', endTime: T + LAG + RUN });
    expect((await client.getInstance('ods_2', instanceId)).status).toBe('success');
  });

  it('the emulator clock decides, when the rerun starts: accepted before T, started after T, it succeeds', async () => {
    const { instanceId } = await listedJob('ods_0');
    clock.set(T - LAG / 2);
    await client.restartInstance('ods_0', instanceId);
    clock.advance(LAG + RUN);
    expect(await listedJob('ods_0')).toMatchObject({ status: 'success' });
  });

  it('jobs outside the outage are unaffected: their rerun runs and succeeds before T', async () => {
    const { instanceId } = await listedJob('dwd_0');
    await client.restartInstance('dwd_0', instanceId);
    clock.advance(LAG);
    expect(await listedJob('dwd_0')).toMatchObject({ status: 'running' });
    clock.advance(RUN);
    expect(await listedJob('dwd_0')).toMatchObject({ status: 'success', endTime: T0 + LAG + RUN });
  });
});

describe('declaring an outage', () => {
  it('by a list of job names holds those jobs only', async () => {
    emulator.declareOutage({ jobs: ['ods_1'], until: T, errorMessage: DOWN });
    for (const job of ['ods_0', 'ods_1'])
      await client.restartInstance(job, (await listedJob(job)).instanceId);
    clock.advance(LAG + RUN);
    const all = await listed();
    expect(all.get('ods_1')).toMatchObject({ status: 'fail', errorMessage: DOWN });
    expect(all.get('ods_0')).toMatchObject({ status: 'success' });
  });

  it('with failAfterMs, the rerun runs that long before it fails', async () => {
    emulator.declareOutage({ jobs: 'ods_?', until: T, errorMessage: DOWN, failAfterMs: MIN });
    const { instanceId } = await listedJob('ods_0');
    await client.restartInstance('ods_0', instanceId);
    clock.advance(LAG);
    expect(await listedJob('ods_0')).toMatchObject({ status: 'running' });
    clock.advance(MIN);
    expect(await listedJob('ods_0')).toMatchObject({
      status: 'fail',
      errorMessage: DOWN,
      endTime: T0 + LAG + MIN,
    });
  });

  it('at start (options.outages), as `npm run emulator -- --options` can', async () => {
    await emulator.close();
    ({ emulator, clock } = await emulatorWithClock({
      outages: [{ jobs: 'ods_*', until: T, errorMessage: DOWN }],
    }));
    client = akskClient(emulator, clock).client;
    emulator.seed(
      PROJECT,
      undefined,
      outageFailures(1, { from: T0 - MIN, to: T0 - MIN, errorMessage: SEEDED, jobPrefix: 'ods_' }),
    );
    await client.restartInstance('ods_0', '1');
    expect(await listedJob('ods_0')).toMatchObject({ status: 'fail', errorMessage: DOWN, endTime: T0 });
  });

  it('refuses an outage with no jobs, an invalid until or a negative failAfterMs, naming the field', () => {
    expect(() => emulator.declareOutage({ jobs: [], until: T, errorMessage: DOWN })).toThrow(/jobs/);
    expect(() => emulator.declareOutage({ jobs: 'x', until: Number.NaN, errorMessage: DOWN })).toThrow(
      /until/,
    );
    expect(() =>
      emulator.declareOutage({ jobs: 'x', until: T, errorMessage: DOWN, failAfterMs: -1 }),
    ).toThrow(/failAfterMs/);
  });
});
