/**
 * The edges of recovery tracking (lib/sweep/recovery-tracking.ts) that Stryker left alive:
 * - which reruns are judged at all: those awaiting a verdict whose last attempt was
 *   claimed at or after the start of the sweep's window (now - lookback); an older
 *   one gets no verdict and costs no request;
 * - how a rerun the failure listing does not show is judged: one show each up to
 *   SHOW_UP_TO (20), beyond that one listing of the window's successes (filtered to
 *   status success, so a rerun still running is not taken for recovered), and neither
 *   when a rule skips superseded failures (the successes are listed already);
 * - a show that fails leaves the rerun pending and is logged (debug) with the
 *   instance and the error.
 * The reruns are built directly in the ledger (a claim and a `restarted` settlement at
 * chosen times) for instances seeded in the emulator as they are now: succeeded (a
 * successful rerun is no failure, so the failure listing does not show it) or still
 * running. Requests are counted per route at the emulator; everything runs over HTTP
 * on a manual clock, so nothing depends on how fast the machine is.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { InstanceKey } from '../../lib/ledger/ledger';
import type { Logger } from '../../lib/log';
import { SHOW_UP_TO } from '../../lib/sweep/recovery-tracking';
import type { SweepReport } from '../../lib/sweep/report';
import { claimRequest } from '../support/ledger-entries';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, sweeper } from '../support/sweep-setup';
import { PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
const LOOKBACK = 60 * MIN;
/** The first sweep runs at T0 (the manual clock does not move by itself): its window starts here. */
const WINDOW_FROM = T0 - LOOKBACK;

let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

const keyOf = (id: number): InstanceKey => ({
  target: 'prod',
  workspace: 'default',
  jobName: `job_${id}`,
  instanceId: String(id),
});

/** An instance of `job_${id}` inside the window, now in `status` (its rerun's doing). */
const instance = (id: number, status: string): InstanceSeed => ({
  jobName: `job_${id}`,
  instanceId: id,
  status,
  planTime: T0 - 30 * MIN,
  startTime: T0 - 20 * MIN,
  // A running one runs two hours: it is still running whenever these sweeps read it.
  ...(status === 'running' ? { runMs: 120 * MIN } : { endTime: T0 - 10 * MIN }),
});

/** A first attempt on instance `id`, claimed at `at` and settled as restarted: it awaits a verdict. */
async function rerunAwaiting(ledger: MemoryLedger, id: number, at: number): Promise<void> {
  const claimId = `c${id}`;
  expect(
    await ledger.claim(keyOf(id), claimRequest(at, { claimId, failureAt: T0 - 45 * MIN, observedAt: at })),
  ).toBe(true);
  expect(await ledger.settle(keyOf(id), { attempt: 1, claimId, at, outcome: 'restarted' })).toBe(true);
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const recoveryOf = (report: SweepReport) => report.targets[0]?.recovery;
const listQueries = () => emulator.requests.filter((r) => r.route === 'list').map((r) => r.query);

/** Runs one sweep and counts its show and list requests. */
async function sweepCounting(ledger: MemoryLedger, policy: Record<string, unknown> = {}, logger?: Logger) {
  const s = sweeper(emulator, clock, ledger, { lookback: '1h', ...policy }, logger ? { logger } : {});
  const shows = emulator.count('show');
  const lists = emulator.count('list');
  const listsSeen = listQueries().length;
  const report = await s.run();
  return {
    report,
    shows: emulator.count('show') - shows,
    lists: emulator.count('list') - lists,
    newListQueries: listQueries().slice(listsSeen),
  };
}

/** The failure listing of a sweep with no success wanted: how many list requests it costs alone. */
async function baselineLists(policy: Record<string, unknown> = {}): Promise<number> {
  return (await sweepCounting(new MemoryLedger(), policy)).lists;
}

describe('which reruns recovery tracking judges', () => {
  it('judges a rerun claimed exactly at the window start, and neither judges nor shows one claimed just before', async () => {
    emulator.seed(PROJECT, undefined, [instance(1, 'success'), instance(2, 'success')]);
    const ledger = new MemoryLedger();
    await rerunAwaiting(ledger, 1, WINDOW_FROM - 1);
    await rerunAwaiting(ledger, 2, WINDOW_FROM);

    const { report, shows } = await sweepCounting(ledger);
    // The window the sweep used starts where this test put the edge.
    expect(Date.parse(report.targets[0]?.window.from ?? '')).toBe(WINDOW_FROM);
    expect(recoveryOf(report)).toEqual({ recovered: 1, failedAgain: 0, pending: 0 });
    expect((report.recovered ?? []).map((r) => r.instanceId)).toEqual(['2']);
    expect(shows).toBe(1);
    expect(emulator.requests.filter((r) => r.route === 'show').map((r) => r.path)).toEqual([
      expect.stringMatching(/\/jobs\/job_2\/instances\/2$/),
    ]);
    // The older rerun still awaits its verdict: it was left alone, not judged.
    expect((await ledger.awaitingVerdict('prod')).map((e) => e.instanceId)).toEqual(['1']);
  });
});

describe('how a rerun the failure listing does not show is judged', () => {
  it(`up to ${SHOW_UP_TO} reruns: one show each, and no listing of successes`, async () => {
    const base = await baselineLists();
    emulator.seed(
      PROJECT,
      undefined,
      ids(SHOW_UP_TO).map((id) => instance(id, 'success')),
    );
    const ledger = new MemoryLedger();
    for (const id of ids(SHOW_UP_TO)) await rerunAwaiting(ledger, id, T0 - 20 * MIN);

    const { report, shows, lists, newListQueries } = await sweepCounting(ledger);
    expect(recoveryOf(report)).toEqual({ recovered: SHOW_UP_TO, failedAgain: 0, pending: 0 });
    expect(shows).toBe(SHOW_UP_TO);
    expect(lists).toBe(base);
    expect(newListQueries.filter((q) => q.status === 'success')).toEqual([]);
  });

  it(`beyond ${SHOW_UP_TO} reruns: no show, one listing filtered to successes; a rerun still running stays pending`, async () => {
    const base = await baselineLists();
    const n = SHOW_UP_TO + 1;
    emulator.seed(PROJECT, undefined, [
      ...ids(n - 1).map((id) => instance(id, 'success')),
      instance(n, 'running'),
    ]);
    const ledger = new MemoryLedger();
    for (const id of ids(n)) await rerunAwaiting(ledger, id, T0 - 20 * MIN);

    const { report, shows, lists, newListQueries } = await sweepCounting(ledger);
    expect(shows).toBe(0);
    expect(lists).toBe(base + 1);
    expect(newListQueries.filter((q) => q.status === 'success')).toHaveLength(1);
    expect(recoveryOf(report)).toEqual({ recovered: n - 1, failedAgain: 0, pending: 1 });
    expect((report.recovered ?? []).map((r) => r.instanceId).sort((a, b) => Number(a) - Number(b))).toEqual(
      ids(n - 1).map(String),
    );
    expect((await ledger.awaitingVerdict('prod')).map((e) => e.instanceId)).toEqual([String(n)]);
  });

  it.each([2, SHOW_UP_TO + 1])(
    'when a rule skips superseded failures, %i reruns are judged from the successes already listed: no show, no extra listing',
    async (n) => {
      const policy = { skipSuperseded: true };
      const base = await baselineLists(policy);
      emulator.seed(PROJECT, undefined, [
        ...ids(n - 1).map((id) => instance(id, 'success')),
        instance(n, 'running'),
      ]);
      const ledger = new MemoryLedger();
      for (const id of ids(n)) await rerunAwaiting(ledger, id, T0 - 20 * MIN);

      const { report, shows, lists } = await sweepCounting(ledger, policy);
      expect(shows).toBe(0);
      expect(lists).toBe(base);
      expect(recoveryOf(report)).toEqual({ recovered: n - 1, failedAgain: 0, pending: 1 });
    },
  );
});

describe('a rerun whose show fails', () => {
  it('gets no verdict, and the debug log names the instance and the error', async () => {
    emulator.seed(PROJECT, undefined, [instance(1, 'success')]);
    const ledger = new MemoryLedger();
    await rerunAwaiting(ledger, 1, T0 - 20 * MIN);
    const debug: Array<{ message: string; data?: Record<string, unknown> }> = [];
    const logger: Logger = {
      debug: (message, data) => debug.push({ message, ...(data ? { data } : {}) }),
      info() {},
      warn() {},
      error() {},
    };
    emulator.inject({ route: 'show', kind: 'instance-vanished' });

    const { report, shows } = await sweepCounting(ledger, {}, logger);
    expect(shows).toBe(1);
    expect(recoveryOf(report)).toEqual({ recovered: 0, failedAgain: 0, pending: 1 });
    expect(report.recovered).toEqual([]);
    expect(debug.filter((d) => d.message === 'rerun not judged')).toEqual([
      {
        message: 'rerun not judged',
        data: { instanceId: '1', code: expect.any(String), message: expect.stringContaining('DLF.0137') },
      },
    ]);
    // Still awaiting: a later sweep may judge it.
    expect((await ledger.awaitingVerdict('prod')).map((e) => e.instanceId)).toEqual(['1']);
  });
});
