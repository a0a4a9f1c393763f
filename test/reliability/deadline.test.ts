import { runLambdaSweep } from '../../lib/lambda/run-sweep';
import { systemClock } from '../../lib/util/time';
import { type Emulator, startEmulator } from '../emulator/server';
import { ctx, lambdaDeps } from '../support/lambda-harness';
import { AK, PROJECT, SK } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
afterEach(async () => emulator.close());

it('with a short Lambda deadline and a slow API, returns in time; the rest is deferred', async () => {
  emulator = await startEmulator({ clock: systemClock, accessKeys: { [AK]: SK }, latencyMs: 150 });
  const now = Date.now();
  emulator.seed(
    PROJECT,
    undefined,
    Array.from({ length: 30 }, (_, i) => ({
      jobName: `slow_${i}`,
      instanceId: 300 + i,
      status: 'fail',
      planTime: now - 60 * MIN,
      endTime: now - 30 * MIN,
    })),
  );
  const output: string[] = [];
  const deps = await lambdaDeps(emulator, systemClock, output);
  deps.env.AUTORETRY_POLICY = JSON.stringify({
    concurrency: 1,
    rateLimit: 1000,
    stormGuard: { enabled: false },
  });
  deps.env.AUTORETRY_CLIENT = JSON.stringify({ timeout: '500ms' });
  deps.env.DEADLINE_MARGIN = '500ms';
  deps.transport = {
    timeoutMs: 500,
    retries: 1,
    baseDelayMs: 1,
    maxDelayMs: 5,
    ratePerSecond: 1000,
    concurrency: 1,
  };
  const remainingMs = 3000;
  const started = performance.now();
  const result = await runLambdaSweep({}, ctx(remainingMs), deps);
  const elapsed = performance.now() - started;
  expect(elapsed).toBeLessThan(remainingMs);
  expect(result.restarted.length).toBeGreaterThan(0);
  expect(result.deferred.length).toBeGreaterThan(0);
  expect(result.restarted.length + result.deferred.length).toBe(30);
  expect(result.totals.deferred).toBe(result.deferred.length);
  // What was deferred was never claimed: the next sweep takes it as attempt 1.
  expect(emulator.count('restart')).toBe(result.restarted.length);
}, 20_000);
