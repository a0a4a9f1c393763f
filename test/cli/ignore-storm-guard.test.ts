import { failedSeeds } from '../../emulator/builders';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { runCli } from '../../lib/cli/main';
import type { SweepReport } from '../../lib/sweep/report';
import { emulatorIo, writeSweepConfig } from '../support/cli-run';
import { emulatorWithClock, PROJECT } from '../support/targets';

let emulator: Emulator;
let clock: ManualClock;
beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
});
afterEach(async () => emulator.close());

it('--ignore-storm-guard restarts during a storm, and the JSON report says it was used', async () => {
  emulator.seed(PROJECT, undefined, failedSeeds(5, { now: clock.now() }));
  const { config } = await writeSweepConfig(emulator.url, 'storm-', {
    rateLimit: 1000,
    stormGuard: { maxFailedJobs: 2 },
  });
  const sweep = async (...extra: string[]) => {
    const io = emulatorIo(clock);
    await runCli(['--config', config, '--json', ...extra], io);
    return JSON.parse(io.out()) as SweepReport;
  };
  const guarded = await sweep('--dry-run');
  expect(guarded.storm).toBe(true);
  expect(guarded.totals['storm-guard']).toBe(5);
  expect(guarded).not.toHaveProperty('stormGuardIgnored');
  const ignored = await sweep('--ignore-storm-guard');
  expect(ignored.stormGuardIgnored).toBe(true);
  expect(ignored.restarted).toHaveLength(5);
});
