import { ManualClock } from '../../emulator/manual-clock';
import { type ExhaustedInput, reportExhausted } from '../../lib/sweep/phases/exhausted';
import type { Planned } from '../../lib/sweep/planned';

/** 10,000 budgets that ran out, against a ledger whose every write takes 1 ms of the clock. */
function setup(deadlineMs: number) {
  const clock = new ManualClock(0);
  const seen = { writes: 0, inFlight: 0, most: 0 };
  const ledger = {
    markExhausted: async () => {
      seen.writes++;
      seen.inFlight++;
      seen.most = Math.max(seen.most, seen.inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(1);
      seen.inFlight--;
      return true;
    },
  };
  const input = {
    ledger,
    dryRun: false,
    now: () => clock.now(),
    deadline: deadlineMs,
  } as unknown as ExhaustedInput;
  const planned = Array.from(
    { length: 10_000 },
    (_, i) =>
      ({
        key: { target: 't', workspace: 'default', jobName: `j${i}`, instanceId: String(i) },
        instance: { jobName: `j${i}`, instanceId: String(i), status: 'fail' },
        rule: { maxAttempts: 3 },
        entry: { attempts: 3 },
        decision: { action: 'skip', reason: 'budget-exhausted', detail: '' },
      }) as unknown as Planned,
  );
  return { input, planned, seen };
}

describe('exhausted budgets are marked in parallel and within the deadline', () => {
  it('10,000 marks with a deadline 500 ms away: no write starts after it, at most 8 at once', async () => {
    const { input, planned, seen } = setup(500);
    const exhausted = await reportExhausted(input, planned, 0);
    expect(seen.most).toBe(8);
    // Each write takes 1 ms; 8 at a time: writes started before 500 ms, none after.
    expect(seen.writes).toBeLessThanOrEqual(500 + 8);
    expect(exhausted).toHaveLength(seen.writes);
  });

  it('with time to spare every one is marked and reported once', async () => {
    const { input, planned, seen } = setup(Number.POSITIVE_INFINITY);
    const exhausted = await reportExhausted(input, planned, 0);
    expect(seen.writes).toBe(10_000);
    expect(new Set(exhausted.map((e) => e.instanceId)).size).toBe(10_000);
  });
});
