/**
 * Review: fair shares make every target wait for every other target's plan. One slow
 * target (its listing still answering, just slowly) held the restarts of every healthy
 * target; when the sweep's deadline/abort came first, the healthy targets restarted
 * nothing at all (they were independent before fair shares). The wait for plans now
 * has a cutoff (fair-share.ts): past it, the targets that have planned get their
 * shares, and the slow one gets what is left of the cap.
 */
import type { Emulator } from '../../emulator/server';
import { MemoryLedger } from '../support/memory-ledger';
import { sweeper } from '../support/sweep-setup';
import { emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
let fast: Emulator;
let slow: Emulator;
let clock: Awaited<ReturnType<typeof emulatorWithClock>>['clock'];

beforeEach(async () => {
  const a = await emulatorWithClock();
  fast = a.emulator;
  clock = a.clock;
  // Answers long after the sweep is aborted; close() lets its held requests finish.
  slow = (await emulatorWithClock({ clock: a.clock, latencyMs: 30_000 })).emulator;
});
afterEach(async () => {
  await fast.close();
  await slow.close();
});

it('a slow target does not keep a healthy target from restarting before the sweep ends', async () => {
  fast.seed(PROJECT, 'ws', [
    {
      jobName: 'healthy_job',
      instanceId: 1,
      status: 'fail',
      planTime: T0 - 40 * MIN,
      startTime: T0 - 40 * MIN,
      endTime: T0 - 30 * MIN,
      runMs: 10 * MIN,
    },
  ]);
  const targets = [
    { name: 'healthy', endpoint: fast.url, projectId: PROJECT, workspace: 'ws' },
    { name: 'slow', endpoint: slow.url, projectId: PROJECT, workspace: 'ws' },
  ];
  // The sweep's deadline (Lambda abort) comes long before the slow target's listing.
  // The wait for plans is cut off well inside it (a real timer: this test is about it).
  const signal = AbortSignal.timeout(4_000);
  const report = await sweeper(fast, clock, new MemoryLedger(), {}, { targets }).run({
    signal,
    shareWaitMs: 100,
  });
  expect(report.restarted.map((r) => r.target)).toEqual(['healthy']);
  expect(report.restarted.map((r) => r.jobName)).toEqual(['healthy_job']);
}, 20_000);
