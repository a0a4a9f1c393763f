/**
 * The wait for every target's plan has a cutoff (fair-share.ts): a slow target must not
 * hold up the restarts of the healthy ones. The timer is injected, so nothing here
 * depends on how fast the machine is.
 */
import { getEventListeners } from 'node:events';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { Candidate } from '../../lib/policy/guards';
import { MAX_SHARE_WAIT_MS, ShareCoordinator, shareWaitMs } from '../../lib/sweep/fair-share';
import type { Sleep } from '../../lib/util/time';
import { MemoryLedger } from '../support/memory-ledger';
import { sweeper } from '../support/sweep-setup';
import { emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
const want = (ago: number): Candidate => ({
  decision: { action: 'restart', attempt: 1, maxAttempts: 3, rule: 'default', failureAt: T0 - ago * MIN },
  failedAt: T0 - ago * MIN,
});
const wants = (n: number, ago = 60) => Array.from({ length: n }, (_, i) => want(ago + i));

/** A sleep the test ends by hand; records what it was asked to wait. */
function manualSleep() {
  const asked: number[] = [];
  let fire = () => {};
  let stopped = false;
  const sleep: Sleep = (ms, signal) => {
    asked.push(ms);
    return new Promise<void>((resolve, reject) => {
      fire = resolve;
      signal?.addEventListener('abort', () => {
        stopped = true;
        reject(signal.reason);
      });
    });
  };
  return { sleep, asked, fire: () => fire(), stopped: () => stopped };
}

/** Whether `p` has settled, after pending callbacks ran. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('shareWaitMs: a fifth of the time left, at most 30 s', () => {
  it.each([
    { name: 'no deadline', deadline: Number.POSITIVE_INFINITY, wait: MAX_SHARE_WAIT_MS },
    { name: '10 min left', deadline: T0 + 10 * MIN, wait: 30_000 },
    { name: '60 s left', deadline: T0 + 60_000, wait: 12_000 },
    { name: 'deadline passed', deadline: T0 - 1_000, wait: 0 },
  ])('$name', ({ deadline, wait }) => {
    expect(shareWaitMs(deadline, T0)).toBe(wait);
  });
});

describe('ShareCoordinator cutoff', () => {
  it('when every target plans in time, the cutoff changes nothing (10 targets, cap 20: 2 each)', async () => {
    const timer = manualSleep();
    const coordinator = new ShareCoordinator(10, 20, { waitMs: () => 5_000, sleep: timer.sleep });
    const shares = await Promise.all(Array.from({ length: 10 }, (_, i) => coordinator.request(i, wants(30))));
    expect(shares).toEqual(Array(10).fill(2));
    expect(timer.asked).toEqual([5_000]); // one timer, from the first plan in
    expect(timer.stopped()).toBe(true); // and cancelled once every plan was in
  });

  it('past the cutoff, the planned targets share the cap; late ones get only what is left', async () => {
    const timer = manualSleep();
    const coordinator = new ShareCoordinator(4, 5, { waitMs: () => 1_000, sleep: timer.sleep });
    const a = coordinator.request(0, wants(1));
    const b = coordinator.request(1, wants(2));
    expect(await settled(a)).toBe(false); // still waiting for targets 2 and 3
    timer.fire(); // the cutoff passes
    await expect(Promise.all([a, b])).resolves.toEqual([1, 2]);
    // Cap 5, 3 handed out: the late targets get the remaining 2 between them, in the order they come.
    await expect(coordinator.request(3, wants(10))).resolves.toBe(2);
    await expect(coordinator.request(2, wants(10))).resolves.toBe(0);
  });

  it('the planned targets may take the whole cap: a late target gets nothing', async () => {
    const timer = manualSleep();
    const coordinator = new ShareCoordinator(3, 4, { waitMs: () => 1_000, sleep: timer.sleep });
    const a = coordinator.request(0, wants(10));
    const b = coordinator.request(1, wants(10));
    timer.fire();
    await expect(Promise.all([a, b])).resolves.toEqual([2, 2]);
    coordinator.withdraw(2); // a late withdrawal is harmless
    await expect(coordinator.request(2, wants(3))).resolves.toBe(0);
  });

  it('a withdrawn target does not start the wait; the sweep abort ends it', async () => {
    const timer = manualSleep();
    const abort = new AbortController();
    const coordinator = new ShareCoordinator(3, 4, {
      waitMs: () => 1_000,
      sleep: timer.sleep,
      signal: abort.signal,
    });
    coordinator.withdraw(0);
    expect(timer.asked).toEqual([]);
    const b = coordinator.request(1, wants(3));
    expect(await settled(b)).toBe(false);
    abort.abort(new Error('deadline'));
    await expect(b).resolves.toBe(3);
    expect(timer.stopped()).toBe(true);
  });

  it('asks for the wait when the first target plans, not before', async () => {
    const timer = manualSleep();
    let now = T0;
    const coordinator = new ShareCoordinator(2, 4, {
      waitMs: () => shareWaitMs(T0 + 100_000, now),
      sleep: timer.sleep,
    });
    now = T0 + 50_000;
    const a = coordinator.request(0, wants(1));
    expect(timer.asked).toEqual([10_000]);
    await expect(coordinator.request(1, wants(1)).then(async (b) => [await a, b])).resolves.toEqual([1, 1]);
  });

  it('decided, it leaves no listener on the sweep signal, whichever ended the wait', async () => {
    const abort = new AbortController();
    const coordinator = new ShareCoordinator(2, 4, {
      waitMs: () => 1_000,
      sleep: manualSleep().sleep,
      signal: abort.signal,
    });
    const a = coordinator.request(0, wants(1));
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(1);
    await expect(Promise.all([a, coordinator.request(1, wants(1))])).resolves.toEqual([1, 1]);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });

  it('the shares are decided once: a late target given its part stays within the cap', async () => {
    const abort = new AbortController();
    const coordinator = new ShareCoordinator(3, 4, {
      waitMs: () => 1_000,
      sleep: manualSleep().sleep,
      signal: abort.signal,
    });
    const a = coordinator.request(0, wants(10));
    abort.abort(new Error('deadline')); // decides: target 0 alone has planned
    // Late, before the stopped timer's rejection has been handled.
    const b = coordinator.request(1, wants(10));
    await expect(Promise.all([a, b])).resolves.toEqual([4, 0]);
  });
});

describe('a sweep with one slow target', () => {
  let fast: Emulator;
  let slow: Emulator;
  let clock: ManualClock;
  beforeEach(async () => {
    ({ emulator: fast, clock } = await emulatorWithClock());
    // Answers long after the sweep is aborted; close() lets its held requests finish.
    slow = (await emulatorWithClock({ clock, latencyMs: 30_000 })).emulator;
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
});
