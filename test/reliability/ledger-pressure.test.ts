/**
 * DynamoDB under pressure: throttling (ProvisionedThroughputExceededException) is
 * injected at the SDK's edge, below its retry middleware, with dynalite still the
 * real store behind it. Throttling is retried with backoff and counted in the
 * report; it never leads to a double restart or a lost attempt.
 */

import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { failedSeeds } from '../../emulator/builders';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { parseConfig } from '../../lib/config/parse';
import { createLedgerTable } from '../../lib/ledger/create-table';
import { DynamoDbLedger } from '../../lib/ledger/dynamodb-ledger';
import { keyString } from '../../lib/ledger/ledger';
import { runSweep } from '../../lib/sweep/sweep';
import { buildTargets } from '../../lib/wiring';
import { AK, emulatorWithClock, FAST, PROJECT, SK, T0 } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
afterEach(async () => emulator.close());

type Plan = (command: string, input: Record<string, unknown>) => 'pass' | 'throttle' | 'lose-answer';

/** A DynamoDB client whose requests follow `plan`: pass, throttle before sending, or send and then throttle. */
function pressuredClient(plan: Plan) {
  const client = new DynamoDBClient({
    endpoint: process.env.DYNALITE_ENDPOINT as string,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // The SDK's own retry logic, 4 attempts, with a test-speed backoff (production keeps the default).
    retryStrategy: new ConfiguredRetryStrategy(4, (attempt) => 5 * attempt),
  });
  const throttled = { count: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const what = plan(context.commandName ?? '', (args.input ?? {}) as Record<string, unknown>);
      const error = () =>
        new ProvisionedThroughputExceededException({
          message: 'Rate of requests exceeds the allowed throughput.',
          $metadata: {},
        });
      if (what === 'throttle') {
        throttled.count++;
        throw error();
      }
      const result = await next(args);
      if (what === 'lose-answer') {
        throttled.count++;
        throw error();
      }
      return result;
    },
    { step: 'finalizeRequest', priority: 'low', name: 'injectThrottling' },
  );
  return { client, throttled };
}

async function setup(plan: Plan) {
  ({ emulator, clock } = await emulatorWithClock());
  emulator.seed(PROJECT, undefined, failedSeeds(6, { now: T0, firstId: 400 }));
  const { client, throttled } = pressuredClient(plan);
  const table = `pressure-${Math.random().toString(36).slice(2, 8)}`;
  await createLedgerTable(client, table);
  const ledger = new DynamoDbLedger(client, table);
  const config = parseConfig({
    targets: [{ name: 'prod', endpoint: emulator.url, projectId: PROJECT }],
    ledger: { type: 'dynamodb', table },
    policy: { stormGuard: { enabled: false }, concurrency: 3 },
  });
  const sweep = () =>
    runSweep({
      config,
      targets: buildTargets(config, { kind: 'aksk', ak: AK, sk: SK }, clock, FAST),
      ledger,
      clock,
    });
  return { ledger, throttled, sweep };
}

const isClaim = (command: string, input: Record<string, unknown>) =>
  command === 'UpdateItemCommand' && String(input.UpdateExpression).includes('claimId');

describe('the ledger under DynamoDB throttling', () => {
  it('retries throttled writes with backoff, reports the retries, restarts each instance once', async () => {
    // Every write is throttled twice, then goes through (the SDK makes up to 4 attempts).
    const seen = new Map<string, number>();
    const { throttled, sweep } = await setup((command, input) => {
      if (command !== 'UpdateItemCommand') return 'pass';
      const id = JSON.stringify(input);
      const count = (seen.get(id) ?? 0) + 1;
      seen.set(id, count);
      return count <= 2 ? 'throttle' : 'pass';
    });
    const report = await sweep();
    expect(throttled.count).toBeGreaterThan(3);
    expect(report.ledgerRetries).toBeGreaterThan(3);
    expect(report.ledgerRetries).toBeLessThanOrEqual(throttled.count);
    expect(report.restarted).toHaveLength(6);
    for (let i = 0; i < 6; i++) expect(emulator.restarts(400 + i)).toBe(1);
  });

  it('a claim whose answer was lost is still ours: one restart, no lost attempt', async () => {
    const lost = new Set<string>();
    const { ledger, sweep } = await setup((command, input) => {
      if (!isClaim(command, input)) return 'pass';
      const pk = String((input.Key as { pk: { S: string } }).pk.S);
      if (lost.has(pk)) return 'pass';
      lost.add(pk);
      return 'lose-answer';
    });
    const report = await sweep();
    expect(report.restarted).toHaveLength(6);
    expect(report.totals['claimed-elsewhere']).toBeUndefined();
    const keys = Array.from({ length: 6 }, (_, i) => ({
      target: 'prod',
      workspace: 'default',
      jobName: `job_${i}`,
      instanceId: String(400 + i),
    }));
    const entries = await ledger.read(keys);
    for (const key of keys) {
      expect(entries.get(keyString(key))?.attempts).toBe(1);
      expect(emulator.restarts(key.instanceId)).toBe(1);
    }
  });

  it('persistent throttling on claims stops the target, restarts nothing, and says why', async () => {
    const { sweep } = await setup((command, input) => (isClaim(command, input) ? 'throttle' : 'pass'));
    const report = await sweep();
    expect(emulator.count('restart')).toBe(0);
    expect(report.restarted).toEqual([]);
    expect(report.targets[0]?.error?.message).toMatch(
      /ledger failed: .*ProvisionedThroughputExceededException/,
    );
    expect(report.errors.some((e) => e.code === 'LEDGER_FAILED')).toBe(true);
    expect(report.decisions).toHaveLength(6);
  });

  it('when the outcome cannot be recorded, the restart still counts, is never repeated, and the target stops', async () => {
    const { sweep } = await setup((command, input) =>
      command === 'UpdateItemCommand' && String(input.UpdateExpression).startsWith('SET lastOutcome')
        ? 'throttle'
        : 'pass',
    );
    const first = await sweep();
    // What was sent before the ledger failed stays counted (in flight, leased)...
    const sent = first.restarted.length;
    expect(sent).toBeGreaterThan(0);
    expect(first.errors.filter((e) => e.code === 'LEDGER_FAILED' && e.attemptCounted)).toHaveLength(sent);
    // ...and nothing more is restarted on this target without a durable record.
    expect(first.totals['target-halted'] ?? 0).toBe(6 - sent);
    expect(emulator.count('restart')).toBe(sent);
    clock.advance(2 * MIN);
    // The next sweep reruns only what was never sent (the others are in flight).
    const second = await sweep();
    const firstIds = new Set(first.restarted.map((r) => r.instanceId));
    expect(second.restarted.filter((r) => firstIds.has(r.instanceId))).toEqual([]);
    for (let i = 0; i < 6; i++) expect(emulator.restarts(400 + i)).toBeLessThanOrEqual(1);
  });
});
