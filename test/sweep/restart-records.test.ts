/**
 * What a restart writes down, and when one may start (Stryker found these surviving in
 * lib/sweep/restart-one.ts and lib/sweep/execute.ts):
 *
 * - The claim fixes the next attempt's earliest time at the claim plus the backoff
 *   (`notBefore`): a rerun that fails again waits out the backoff before the next
 *   attempt, and is not restarted again at once (no restart storm).
 * - An attempt starts only if its worst case fits before the deadline: exactly fitting
 *   is allowed, one millisecond short is deferred.
 * - Each outcome's record: a restart's detail is `attempt k of n`; an error's detail is
 *   `<code>: <message>`; only an attempt whose outcome is unknown is listed as
 *   unconfirmed (a definite refusal by DataArts is not); and a restart whose outcome the
 *   ledger could not write halts the target, with `ledger failed: <message>` as the
 *   reason every later instance of it carries.
 *
 * Everything runs over the emulator on a manual clock; nothing depends on machine speed.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { LedgerError } from '../../lib/errors';
import type { InstanceKey, Settlement } from '../../lib/ledger/ledger';
import type { SweepReport } from '../../lib/sweep/report';
import { attemptBudgetMs } from '../../lib/sweep/sweep';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, failedAgo, sweeper } from '../support/sweep-setup';
import { PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

const outcomeOf = (report: SweepReport, id: number) =>
  report.decisions.find((d) => d.instanceId === String(id));

/** A MemoryLedger whose `settle` (the write of an attempt's outcome) is refused. */
class SettleRefusingLedger extends MemoryLedger {
  override async settle(_key: InstanceKey, _settlement: Settlement): Promise<boolean> {
    throw new LedgerError({ message: 'ledger write refused' });
  }
}

describe('after a rerun fails again, the next attempt waits out the backoff', () => {
  it('a sweep before claim + backoff is backing-off until exactly then and restarts nothing; one after it restarts attempt 2', async () => {
    // The rerun runs five minutes and fails again.
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30, { runMs: 5 * MIN, afterScript: 'fail' })]);
    // No first delay: only the backoff after attempt 1 (10 min, no jitter) holds the next attempt.
    const s = sweeper(emulator, clock, new MemoryLedger(), {
      firstRetryDelay: '0s',
      backoff: { base: '10m', jitter: 'none' },
      maxAttempts: 3,
    });

    const first = await s.run();
    expect(first.restarted).toMatchObject([{ instanceId: '1', attempt: 1 }]);
    expect(emulator.restarts(1)).toBe(1);

    // The rerun failed at T0 + 5 min; the backoff claimed at T0 runs to T0 + 10 min.
    clock.advance(6 * MIN);
    emulator.settleAll();
    const early = await s.run();
    expect(early.restarted).toEqual([]);
    expect(outcomeOf(early, 1)).toMatchObject({
      outcome: 'backing-off',
      attempt: 2,
      maxAttempts: 3,
      until: '2026-11-24T08:10:00Z', // T0 + 10 min
    });
    expect(emulator.restarts(1)).toBe(1);

    clock.set(T0 + 10 * MIN);
    const due = await s.run();
    expect(due.restarted).toMatchObject([{ instanceId: '1', attempt: 2 }]);
    expect(emulator.restarts(1)).toBe(2);
  });
});

describe('an attempt starts only if its worst case (restart, then settle) fits before the deadline', () => {
  it('exactly fitting (deadline = now + worst case) is restarted', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    const s = sweeper(emulator, clock, new MemoryLedger());
    const report = await s.run({ deadline: T0 + attemptBudgetMs(s.config) });
    expect(report.restarted).toMatchObject([{ instanceId: '1', attempt: 1 }]);
    expect(report.deferred).toEqual([]);
    expect(emulator.restarts(1)).toBe(1);
  });

  it('one millisecond short is deferred, nothing sent', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    const s = sweeper(emulator, clock, new MemoryLedger());
    const report = await s.run({ deadline: T0 + attemptBudgetMs(s.config) - 1 });
    expect(report.restarted).toEqual([]);
    expect(outcomeOf(report, 1)).toMatchObject({ outcome: 'deferred' });
    expect(emulator.count('restart')).toBe(0);
  });
});

describe('what each restart outcome records', () => {
  it('a restart is recorded as `attempt k of n`', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    const report = await sweeper(emulator, clock, new MemoryLedger(), { maxAttempts: 3 }).run();
    expect(report.decisions).toEqual([
      expect.objectContaining({
        instanceId: '1',
        outcome: 'restarted',
        detail: 'attempt 1 of 3',
        attempt: 1,
        maxAttempts: 3,
      }),
    ]);
  });

  it('a restart DataArts refuses outright (status does not allow rerun) is an error `<code>: <message>`, counted but not unconfirmed', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    // Someone else reran it between the listing and the restart: DataArts refuses, definitely.
    emulator.inject({ route: 'restart', kind: 'status-changed' });
    const report = await sweeper(emulator, clock, new MemoryLedger()).run();

    expect(emulator.count('restart')).toBe(1);
    const requestId = emulator.requests.find((r) => r.route === 'restart')?.requestId;
    const message = `POST /v1/${PROJECT}/jobs/job_1/instances/1/restart answered 400: Instance status running does not allow rerun (EMU). (DLF.EMU3, request id ${requestId})`;
    expect(report.errors).toEqual([
      expect.objectContaining({ instanceId: '1', code: 'RESTART_REJECTED', message, attemptCounted: true }),
    ]);
    expect(outcomeOf(report, 1)).toMatchObject({ outcome: 'error', detail: `RESTART_REJECTED: ${message}` });
    // A definite answer: nothing is unknown about it.
    expect(report.unconfirmed).toEqual([]);
    expect(report.restarted).toEqual([]);
  });

  it('a restart whose outcome the ledger cannot write halts the target: later instances carry `ledger failed: <message>`', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 40), failedAgo(2, 30)]);
    const report = await sweeper(emulator, clock, new SettleRefusingLedger(), { concurrency: 1 }).run();

    // The oldest was restarted (sent and accepted) though its outcome was not written.
    expect(emulator.restarts(1)).toBe(1);
    expect(outcomeOf(report, 1)).toMatchObject({ outcome: 'restarted', detail: 'attempt 1 of 3' });
    expect(report.errors).toEqual([
      expect.objectContaining({
        instanceId: '1',
        code: 'LEDGER_FAILED',
        message:
          'ledger write refused; its outcome is not recorded: the attempt stays counted, and a sweep after its lease confirms it from the instance',
        attemptCounted: true,
      }),
    ]);
    // No restart without a record: the next one is not started, and says why exactly.
    expect(emulator.restarts(2)).toBe(0);
    expect(outcomeOf(report, 2)).toMatchObject({
      outcome: 'target-halted',
      detail: 'ledger failed: ledger write refused',
    });
    expect(report.targets[0]?.error).toEqual({
      code: 'TARGET_HALTED',
      message: 'ledger failed: ledger write refused',
    });
    expect(report.unconfirmed).toEqual([]);
  });
});
