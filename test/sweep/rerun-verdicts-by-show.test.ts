/**
 * A rerun that failed again is judged by a show when the failure listing cannot see
 * it. The listing's window filters on plan time (now - lookback .. now), and a rerun
 * keeps its instance's plan time; recovery tracking keeps an entry while its last
 * attempt is within the look-back. So an instance planned near the far edge of the
 * window, restarted by one sweep, has left the next sweep's listing while its rerun
 * still awaits a verdict: the verdict comes from `fromShow` (lib/sweep/recovery-tracking.ts).
 * Each status `fromShow` counts as failed ('fail', 'running-exception',
 * 'manual-stop') must give 'failed-again' there (Stryker left each string mutated to
 * '' alive: such a rerun would be left pending forever, never counting against the
 * job). The emulator's reruns end only in success or fail, so for the other two
 * statuses the test sets the ended rerun's status in the emulator's state. Everything
 * runs over the emulator on a manual clock: nothing depends on machine speed.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, failedAgo, sweeper } from '../support/sweep-setup';
import { PROJECT } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

describe('a rerun that failed again, outside the failure listing, is judged by show', () => {
  it.each(['fail', 'running-exception', 'manual-stop'])(
    'a rerun that ended in %s is recorded as failed again',
    async (status) => {
      // Planned (and started) 50 minutes before the first sweep, ended 40 minutes before:
      // inside a one-hour look-back now, outside it 15 minutes later.
      emulator.seed(PROJECT, undefined, [failedAgo(1, 40, { afterScript: 'fail' })]);
      const ledger = new MemoryLedger();
      const s = sweeper(emulator, clock, ledger, { firstRetryDelay: '1m', lookback: '1h' });
      const first = await s.run();
      expect(first.restarted.map((r) => r.instanceId)).toEqual(['1']);

      // The rerun runs ten minutes and fails; it is read 15 minutes after the restart.
      clock.advance(15 * MIN);
      emulator.settleAll();
      const instance = emulator.state.all().find((i) => i.instanceId === '1');
      expect(instance).toMatchObject({ status: 'fail', startTime: clock.now() - 15 * MIN });
      if (instance) instance.status = status;

      const showsBefore = emulator.count('show');
      const second = await s.run();
      // Not in this sweep's failure listing: its plan time is older than the window.
      expect(second.decisions.map((d) => d.instanceId)).toEqual([]);
      expect(emulator.count('show') - showsBefore).toBe(1);
      expect(second.targets[0]?.recovery).toEqual({ recovered: 0, failedAgain: 1, pending: 0 });
      expect(second.recovered).toEqual([]);
      expect(await ledger.jobRecovery('prod', ['job_1'])).toEqual(
        new Map([['job_1', expect.objectContaining({ recovered: 0, failedAgain: 1 })]]),
      );
    },
  );
});

describe('a show answer whose time cannot be an epoch-ms time', () => {
  it('gives no verdict: the rerun stays awaited, never "failed again" on a nanosecond end', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 40, { afterScript: 'fail' })]);
    const ledger = new MemoryLedger();
    const s = sweeper(emulator, clock, ledger, { firstRetryDelay: '1m', lookback: '1h' });
    expect((await s.run()).restarted.map((r) => r.instanceId)).toEqual(['1']);
    clock.advance(15 * MIN);
    emulator.settleAll();
    const instance = emulator.state.all().find((i) => i.instanceId === '1');
    if (instance?.endTime !== undefined) instance.endTime *= 1e6;

    const second = await s.run();
    expect(emulator.count('show')).toBe(1);
    expect(second.targets[0]?.recovery).toEqual({ recovered: 0, failedAgain: 0, pending: 1 });
    expect(await ledger.jobRecovery('prod', ['job_1'])).toEqual(new Map());
  });
});
