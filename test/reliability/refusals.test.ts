/**
 * Systemic refusals and answers that must fail closed, at sweep level against the
 * emulator in its strict default mode. Invariants are counted: attempts in the
 * ledger, reruns the emulator accepted per failure, requests it received.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator, FaultKind } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { LedgerEntry } from '../../lib/ledger/ledger';
import type { SweepReport } from '../../lib/sweep/report';
import { MemoryLedger } from '../support/memory-ledger';
import { sweeper } from '../support/sweep-setup';
import { emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
const HOUR = 60 * MIN;
let emulator: Emulator;
let clock: ManualClock;
afterEach(async () => emulator?.close());

function failed(id: number, over: Partial<InstanceSeed> = {}): InstanceSeed {
  return {
    jobName: `job_${id}`,
    instanceId: id,
    planTime: T0 - HOUR,
    startTime: T0 - HOUR,
    endTime: T0 - 30 * MIN,
    status: 'fail',
    ...over,
  };
}

async function start(seeds: InstanceSeed[]): Promise<void> {
  ({ emulator, clock } = await emulatorWithClock());
  emulator.seed(PROJECT, undefined, seeds);
}

async function ledgerEntries(ledger: MemoryLedger, report: SweepReport): Promise<LedgerEntry[]> {
  const keys = report.decisions.map(({ target, workspace, jobName, instanceId }) => ({
    target,
    workspace,
    jobName,
    instanceId,
  }));
  return [...(await ledger.read(keys)).values()];
}

const outcomes = (report: SweepReport) => report.decisions.map((d) => d.outcome).sort();

describe('a systemic refusal of every restart is not the instances’ failure (item 4)', () => {
  const refusals: Array<[FaultKind, string]> = [
    ['route-missing', 'APIGW.0101'],
    ['header-missing', 'APIGW.0106'],
    ['no-permission', 'DLF.6888'],
    [403, 'APIGW.0302'],
    [401, 'APIGW.0301'],
  ];

  it.each(refusals)(
    '%s: nothing counted, the target stops naming %s; the route back restarts every instance with maxAttempts 1',
    async (kind, code) => {
      const ids = [1, 2, 3, 4, 5, 6];
      await start(ids.map((id) => failed(id)));
      const ledger = new MemoryLedger();
      emulator.inject({ route: 'restart', kind, times: 1000 });
      const policy = { maxAttempts: 1, firstRetryDelay: '1m', concurrency: 2 };

      const refused = await sweeper(emulator, clock, ledger, policy).run();
      expect(emulator.count('restart', 0)).toBe(0);
      // At most one refused request per slot in flight: the target stopped at the first.
      expect(emulator.count('restart')).toBeLessThanOrEqual(2);
      expect(emulator.restarts(1) + emulator.restarts(6)).toBe(0);
      expect((await ledgerEntries(ledger, refused)).map((e) => e.attempts)).toEqual(
        expect.not.arrayContaining([1]),
      );
      expect(refused.errors.filter((e) => e.instanceId).every((e) => e.attemptCounted === false)).toBe(true);
      expect(refused.targets[0]?.error).toMatchObject({ code: 'TARGET_HALTED' });
      expect(refused.targets[0]?.error?.message).toContain(code);
      expect(refused.targets[0]?.error?.message).toMatch(/request id [0-9a-f]{32}/);
      expect(outcomes(refused).filter((o) => o !== 'error' && o !== 'target-halted')).toEqual([]);

      // The route is back (the gateway is fixed, the permission granted).
      emulator.clearFaults();
      clock.advance(5 * MIN);
      const back = await sweeper(emulator, clock, ledger, policy).run();
      expect(outcomes(back)).toEqual(ids.map(() => 'restarted'));
      for (const id of ids) {
        expect(emulator.restarts(id)).toBe(1);
        expect(emulator.rerunsPerFailure(id)).toBe(1);
      }
      expect((await ledgerEntries(ledger, back)).map((e) => e.attempts)).toEqual(ids.map(() => 1));
    },
  );
});

describe('answers that must fail closed (item 8)', () => {
  it('a job name with "/" and ".." is one path segment: its own instance is restarted, no other', async () => {
    const sneaky = 'x/../../jobs/victim';
    await start([failed(1, { jobName: sneaky }), failed(2, { jobName: 'victim' })]);
    const ledger = new MemoryLedger();
    const report = await sweeper(emulator, clock, ledger).run();
    expect(emulator.count('restart', 401)).toBe(0);
    expect(emulator.restarts(1)).toBe(1);
    expect(emulator.restarts(2)).toBe(1);
    const paths = emulator.requests.filter((r) => r.route === 'restart').map((r) => r.path);
    expect(paths.sort()).toEqual(
      [
        `/v1/${PROJECT}/jobs/${sneaky}/instances/1/restart`,
        `/v1/${PROJECT}/jobs/victim/instances/2/restart`,
      ].sort(),
    );
    expect(report.restarted).toHaveLength(2);
  });

  it.each([
    ['jobName "."', { jobName: '.' }],
    ['jobName ".."', { jobName: '..' }],
    ['jobName with a newline', { jobName: 'a\nb' }],
    ['forceSuccess "true"', { forceSuccess: 'true' }],
    ['ignoreSuccess 1', { ignoreSuccess: 1 }],
    ['instanceType null', { instanceType: null }],
  ])('%s: the instance is reported malformed and never restarted; the others are', async (_what, over) => {
    await start([failed(1, over as unknown as Partial<InstanceSeed>), failed(2)]);
    const ledger = new MemoryLedger();
    const report = await sweeper(emulator, clock, ledger).run();
    expect(emulator.restarts(1)).toBe(0);
    expect(emulator.restarts(2)).toBe(1);
    expect(emulator.count('restart')).toBe(1);
    expect(emulator.count('restart', 401)).toBe(0);
    expect(report.errors.map((e) => e.code)).toEqual(['MALFORMED_INSTANCE']);
    expect(report.targets[0]?.error).toBeUndefined();
  });
});

describe('a missing endTime is unknown, never a new failure (item 5)', () => {
  it('an answer that adds the endTime it left out does not earn the same failure a second rerun', async () => {
    // Seen: finished instances answered without endTime. The rerun takes its time to show.
    const { endTime: _answeredWithout, ...withoutEnd } = failed(1);
    await start([withoutEnd]);
    emulator.setRestartLag(2 * HOUR);
    const ledger = new MemoryLedger();
    const policy = { maxAttempts: 3, firstRetryDelay: '1m', backoff: { base: '1m', jitter: 'none' } };
    const first = await sweeper(emulator, clock, ledger, policy).run();
    expect(first.restarted).toHaveLength(1);

    // The same run, now answered with its endTime; every lease is long over.
    const instance = emulator.state.all()[0]!;
    instance.endTime = T0 - 30 * MIN;
    clock.advance(20 * MIN);
    const second = await sweeper(emulator, clock, ledger, policy).run();
    expect(second.decisions.map((d) => d.outcome)).toEqual(['already-attempted']);
    expect(emulator.restarts(1)).toBe(1);
    expect(emulator.rerunsPerFailure(1)).toBe(1);
    expect((await ledgerEntries(ledger, second)).map((e) => e.attempts)).toEqual([1]);
  });
});
