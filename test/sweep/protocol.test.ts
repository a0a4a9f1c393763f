/**
 * The attempt protocol, interleaving by interleaving: each test builds, on purpose,
 * the schedule that broke an earlier design (a lost answer after DataArts acted, a
 * restart applied after a lag, a sweep deciding from a listing taken before another
 * sweep's restart, a lease that runs out between a listing and a claim, a sweep that
 * dies after sending) and asserts the invariant itself: reruns per observed failure.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { Ledger } from '../../lib/ledger/ledger';
import { INTERRUPTED, keyString } from '../../lib/ledger/ledger';
import { leaseMs } from '../../lib/sweep/sweep';
import { freshDynamoLedger } from '../support/dynamo';
import { MemoryLedger } from '../support/memory-ledger';
import { failedAgo, sweeper } from '../support/sweep-setup';
import { emulatorWithClock, PROJECT } from '../support/targets';

const MIN = 60_000;
const ZERO_BACKOFF = { firstRetryDelay: '0s', backoff: { base: '0s', jitter: 'none' }, maxAttempts: 3 };

let emulator: Emulator;
let clock: ManualClock;
afterEach(async () => emulator.close());

const failed = (id: number, extra: Partial<InstanceSeed> = {}): InstanceSeed =>
  failedAgo(id, 30, { runMs: 5 * MIN, afterScript: 'fail', ...extra });

/** A ledger whose `read` waits for `open()`: holds one sweep between its listing and its claims. */
function gated(inner: Ledger): { ledger: Ledger; open: () => void; reached: Promise<void> } {
  let open!: () => void;
  let reach!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  const ledger = Object.create(inner) as Ledger;
  ledger.read = async (keys) => {
    reach();
    await gate;
    return inner.read(keys);
  };
  return { ledger, open, reached };
}

const key = (id: number) => ({
  target: 'prod',
  workspace: 'default',
  jobName: `job_${id}`,
  instanceId: String(id),
});

describe.each([
  ['memory', async () => new MemoryLedger() as Ledger],
  ['DynamoDB (dynalite)', async () => (await freshDynamoLedger()).ledger as Ledger],
])('attempt protocol on the %s ledger', (_name, createLedger) => {
  let ledger: Ledger;
  beforeEach(async () => {
    ({ emulator, clock } = await emulatorWithClock({ acceptRunningRestart: true }));
    ledger = await createLedger();
  });

  it.each([502, 504, 500, 'reset'] as const)(
    'a restart answered %s after DataArts acted (applied 3 s later) is sent once, stays counted and is never resent',
    async (kind) => {
      emulator.seed(PROJECT, undefined, [failed(1)]);
      emulator.setRestartLag(3_000);
      emulator.inject({ route: 'restart', kind, processed: true });
      const first = await sweeper(emulator, clock, ledger, ZERO_BACKOFF).run();
      expect(emulator.count('restart')).toBe(1);
      expect(first.unconfirmed).toEqual([expect.objectContaining({ instanceId: '1', attempt: 1 })]);
      // The instance still shows the same failure (the rerun is pending): nobody reruns it again.
      const second = await sweeper(emulator, clock, ledger, ZERO_BACKOFF).run();
      expect(second.decisions).toEqual([
        expect.objectContaining({ instanceId: '1', outcome: 'outcome-unknown' }),
      ]);
      expect(emulator.rerunsPerFailure(1)).toBe(1);
      // The rerun runs and fails: a new failure, attempt 2.
      clock.advance(10 * MIN);
      const third = await sweeper(emulator, clock, ledger, ZERO_BACKOFF).run();
      expect(third.restarted).toEqual([expect.objectContaining({ instanceId: '1', attempt: 2 })]);
      expect(emulator.rerunsPerFailure(1)).toBe(1);
      expect((await ledger.read([key(1)])).get(keyString(key(1)))?.attempts).toBe(2);
    },
  );

  it('a sweep that listed before another sweep’s restart never reruns that failure (zero backoff)', async () => {
    emulator.seed(PROJECT, undefined, [failed(1), failed(2)]);
    emulator.setRestartLag(200);
    const slow = gated(ledger);
    const b = sweeper(emulator, clock, slow.ledger, ZERO_BACKOFF).run();
    await slow.reached; // B has listed both as failed
    const a = await sweeper(emulator, clock, ledger, ZERO_BACKOFF).run();
    expect(a.restarted).toHaveLength(2);
    clock.advance(1_000); // A's reruns are running now; B's listing is stale
    slow.open();
    const late = await b;
    expect(late.restarted).toHaveLength(0);
    expect(late.decisions.map((d) => d.outcome)).toEqual(['already-attempted', 'already-attempted']);
    expect(emulator.rerunsPerFailure(1)).toBe(1);
    expect(emulator.rerunsPerFailure(2)).toBe(1);
    expect(emulator.count('restart')).toBe(2);
  });

  it('a lease that ends between a listing and its claim does not free the failure that listing showed', async () => {
    emulator.seed(PROJECT, undefined, [failed(1)]);
    emulator.setRestartLag(20_000);
    // B lists while A's restart is accepted but not yet applied...
    const slow = gated(ledger);
    const dying = Object.create(ledger) as Ledger;
    dying.settle = async () => {
      throw new Error('the process died');
    };
    const a = sweeper(emulator, clock, dying, ZERO_BACKOFF);
    await a.run(); // A claims, sends (accepted, applied in 20 s), dies before recording
    const b = sweeper(emulator, clock, slow.ledger, ZERO_BACKOFF).run();
    await slow.reached;
    // ...then A's lease runs out (the rerun has long been applied) before B claims.
    clock.advance(leaseMs(a.config) + MIN);
    slow.open();
    const late = await b;
    expect(late.restarted).toHaveLength(0);
    expect(emulator.rerunsPerFailure(1)).toBe(1);
  });

  it('an attempt whose sweep died is found from the ledger and reported once, even when its rerun succeeded', async () => {
    emulator.seed(PROJECT, undefined, [failed(1, { afterScript: 'success', runMs: MIN })]);
    const dying = Object.create(ledger) as Ledger;
    dying.settle = async () => {
      throw new Error('the process died');
    };
    const a = sweeper(emulator, clock, dying, ZERO_BACKOFF);
    await a.run();
    expect(emulator.restarts(1)).toBe(1);
    // The next sweep comes at once: the lease is live, nothing to report yet, nothing rerun.
    const soon = await sweeper(emulator, clock, ledger, ZERO_BACKOFF).run();
    expect(soon.unconfirmed).toEqual([]);
    clock.advance(leaseMs(a.config) + MIN); // the rerun succeeded: it is never listed again
    const reports = await Promise.all(
      [1, 2, 3].map(() => sweeper(emulator, clock, ledger, ZERO_BACKOFF).run()),
    );
    const interrupted = reports.flatMap((r) => r.unconfirmed.filter((u) => u.code === INTERRUPTED));
    expect(interrupted).toEqual([expect.objectContaining({ instanceId: '1', attempt: 1 })]);
    const again = await sweeper(emulator, clock, ledger, ZERO_BACKOFF).run();
    expect(again.unconfirmed).toEqual([]);
    expect(emulator.restarts(1)).toBe(1);
  });

  it('an interrupted attempt whose failure still shows after the lease is tried again, and counted', async () => {
    emulator.seed(PROJECT, undefined, [failed(1)]);
    emulator.inject({ route: 'restart', kind: 'reset', processed: false });
    const dying = Object.create(ledger) as Ledger;
    dying.settle = async () => {
      throw new Error('the process died');
    };
    dying.release = async () => {
      throw new Error('the process died');
    };
    const a = sweeper(emulator, clock, dying, ZERO_BACKOFF);
    await a.run(); // the POST never reached DataArts, and the sweep died before saying so
    expect(emulator.restarts(1)).toBe(0);
    clock.advance(leaseMs(a.config) + MIN);
    const next = await sweeper(emulator, clock, ledger, ZERO_BACKOFF).run();
    expect(next.unconfirmed).toEqual([expect.objectContaining({ instanceId: '1', code: INTERRUPTED })]);
    expect(next.restarted).toEqual([expect.objectContaining({ instanceId: '1', attempt: 2 })]);
    expect(emulator.rerunsPerFailure(1)).toBe(1);
  });
});
