/**
 * One deadline, from the handler down: the Lambda's remaining time becomes an
 * AbortSignal that ends listing, ledger waits and requests, no attempt is claimed
 * whose worst case would cross it, and the report, metrics and summary always go
 * out. These tests are about that deadline, so they use real (short) time: each
 * stops ~3 s into a 5 s invocation, whatever the machine's load, because the
 * slow part (a listing, a restart, the ledger) never answers in time at all.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { failedSeeds } from '../../emulator/builders';
import { type Emulator, startEmulator } from '../../emulator/server';
import { runLambdaSweep } from '../../lib/lambda/run-sweep';
import { systemClock } from '../../lib/util/time';
import { ctx, lambdaDeps, snsMock } from '../support/lambda-harness';
import { AK, PROJECT, SK } from '../support/targets';

/** The invocation has 5 s; the deadline is 2 s before its end, so 2 s remain for report and summary. */
const REMAINING_MS = 5_000;
let emulator: Emulator;
afterEach(async () => emulator.close());

async function setup(failed: number) {
  emulator = await startEmulator({ clock: systemClock, accessKeys: { [AK]: SK } });
  const now = Date.now();
  emulator.seed(PROJECT, undefined, failedSeeds(failed, { now, jobPrefix: 'slow_', firstId: 300 }));
  const output: string[] = [];
  const deps = await lambdaDeps(emulator, systemClock, output);
  deps.env.AUTORETRY_POLICY = JSON.stringify({
    concurrency: 1,
    rateLimit: 1000,
    stormGuard: { enabled: false },
  });
  // One restart can take at most 1 s (one try, no retry): claims stop 1 s before the deadline.
  deps.env.AUTORETRY_CLIENT = JSON.stringify({ timeout: '1s', retries: 0 });
  deps.env.DEADLINE_MARGIN = '2s';
  deps.transport = { timeoutMs: 1_000, retries: 0, baseDelayMs: 1, maxDelayMs: 5, ratePerSecond: 1000 };
  return { deps, output };
}

async function invoke(deps: Awaited<ReturnType<typeof setup>>['deps']) {
  const started = performance.now();
  const result = await runLambdaSweep({}, ctx(REMAINING_MS), deps);
  return { result, elapsed: performance.now() - started };
}

it('a listing that never answers: returns before the deadline, the target says why, the summary goes out', async () => {
  const { deps, output } = await setup(3);
  // A request timeout longer than the invocation: only the deadline can end the wait.
  deps.env.AUTORETRY_CLIENT = JSON.stringify({ timeout: '10s', retries: 0 });
  deps.transport = { ...deps.transport, timeoutMs: 10_000 };
  emulator.setLatency(60_000, 'list');
  const { result, elapsed } = await invoke(deps);
  expect(elapsed).toBeLessThan(REMAINING_MS);
  expect(result.targets[0]?.error?.code).toBe('ABORTED');
  expect(emulator.count('restart')).toBe(0);
  expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  expect(output.some((line) => line.includes('"_aws"'))).toBe(true);
}, 20_000);

it('restarts that hang: each is cut by its timeout, none is claimed too late, the rest is deferred', async () => {
  const { deps } = await setup(8);
  emulator.inject({ route: 'restart', kind: 'hang', times: 8 });
  const { result, elapsed } = await invoke(deps);
  expect(elapsed).toBeLessThan(REMAINING_MS);
  // Every failed instance is accounted for: sent (outcome unknown, counted) or deferred.
  expect(result.unconfirmed.length + result.deferred.length).toBe(8);
  expect(result.deferred.length).toBeGreaterThan(0);
  expect(emulator.count('restart')).toBe(result.unconfirmed.length);
  expect(result.errors.filter((e) => e.code === 'TIMEOUT').every((e) => e.attemptCounted)).toBe(true);
  expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
}, 20_000);

it('a ledger that never answers: returns before the deadline with the target reported, the summary goes out', async () => {
  const { deps } = await setup(3);
  deps.dynamo.middlewareStack.add(
    (next) => async (args) => {
      await new Promise((resolve) => setTimeout(resolve, 60_000).unref());
      return next(args);
    },
    { step: 'initialize', name: 'slowLedger' },
  );
  const { result, elapsed } = await invoke(deps);
  expect(elapsed).toBeLessThan(REMAINING_MS);
  expect(result.targets[0]?.error?.code).toBe('ABORTED');
  expect(emulator.count('restart')).toBe(0);
  expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
}, 20_000);
