/**
 * Property-based sweeps: random instance sets, fault schedules, clock advances and
 * 1–4 overlapping sweeps on one ledger. Fixed seed; a failing case prints its seed
 * and path (fast-check's report) so it can be replayed.
 */
import fc from 'fast-check';
import { parseConfig } from '../../lib/config/parse';
import type { Ledger } from '../../lib/ledger/ledger';
import { keyString } from '../../lib/ledger/ledger';
import type { SweepReport } from '../../lib/sweep/report';
import { runSweep } from '../../lib/sweep/sweep';
import { buildTargets } from '../../lib/wiring';
import { type Emulator, type Fault, startEmulator } from '../emulator/server';
import { freshDynamoLedger } from '../support/dynamo';
import { ManualClock } from '../support/manual-clock';
import { MemoryLedger } from '../support/memory-ledger';
import { seededRandom } from '../support/seeded-random';
import { AK, SK, T0 } from '../support/targets';

const MIN = 60_000;
const SEED = 20261124;
const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const DYNAMO_RUNS = Number(process.env.PROPERTY_DYNAMO_RUNS ?? 40);
const FAILED_LIKE = new Set(['fail', 'manual-stop', 'running-exception']);

const instanceArb = fc.record({
  job: fc.constantFrom('ods_a', 'ods_b', 'dwd_c', '作业_d', 'tmp_x', 'legacy_y'),
  status: fc.constantFrom(
    'fail',
    'fail',
    'fail',
    'fail',
    'manual-stop',
    'running-exception',
    'success',
    'running',
    'quantum',
  ),
  instanceType: fc.constantFrom(0, 0, 0, 2, 5),
  forceSuccess: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  endedMinutesAgo: fc.integer({ min: 0, max: 90 }),
  script: fc.array(fc.constantFrom<'fail' | 'success'>('fail', 'success'), { maxLength: 3 }),
  afterScript: fc.constantFrom<'fail' | 'success'>('fail', 'success'),
  runMinutes: fc.integer({ min: 1, max: 30 }),
});

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({
    route: fc.constant('list' as const),
    kind: fc.constantFrom<Fault['kind']>(429, 503, 500, 'reset', 'malformed-json', 'unknown-fields', 'hang'),
  }),
  fc.record({
    route: fc.constant('restart' as const),
    kind: fc.constantFrom<Fault['kind']>(
      429,
      503,
      500,
      502,
      504,
      'reset',
      'hang',
      'instance-vanished',
      'status-changed',
    ),
    processed: fc.boolean(),
  }),
  fc.record({ route: fc.constant('show' as const), kind: fc.constantFrom<Fault['kind']>(500, 503, 'reset') }),
  fc.record({
    route: fc.constant('restart' as const),
    kind: fc.constant<Fault['kind']>(429),
    retryAfterSeconds: fc.constant(0),
  }),
);

const scenarioArb = fc.record({
  instances: fc.array(instanceArb, { minLength: 1, maxLength: 8 }),
  maxAttempts: fc.integer({ min: 1, max: 3 }),
  firstRetryMinutes: fc.integer({ min: 0, max: 10 }),
  backoffMinutes: fc.integer({ min: 1, max: 20 }),
  jitter: fc.constantFrom('equal', 'full', 'none'),
  rounds: fc.array(
    fc.record({
      sweeps: fc.integer({ min: 1, max: 4 }),
      faults: fc.array(faultArb, { maxLength: 3 }),
      advanceMinutes: fc.integer({ min: 0, max: 60 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

let emulator: Emulator;
const clock = new ManualClock(T0);
let caseNumber = 0;

beforeAll(async () => {
  emulator = await startEmulator({ clock, accessKeys: { [AK]: SK } });
});
afterAll(async () => emulator.close());

async function check(scenario: Scenario, ledger: Ledger): Promise<void> {
  caseNumber++;
  const project = `p${caseNumber}`;
  const firstId = caseNumber * 100;
  clock.set(T0);
  emulator.clearFaults();
  emulator.seed(
    project,
    undefined,
    scenario.instances.map((i, n) => ({
      jobName: i.job,
      instanceId: firstId + n,
      status: i.status,
      instanceType: i.instanceType,
      forceSuccess: i.forceSuccess,
      planTime: T0 - (i.endedMinutesAgo + i.runMinutes) * MIN,
      startTime: T0 - (i.endedMinutesAgo + i.runMinutes) * MIN,
      endTime: T0 - i.endedMinutesAgo * MIN,
      script: [...i.script],
      afterScript: i.afterScript,
      runMs: i.runMinutes * MIN,
    })),
  );
  const config = parseConfig({
    targets: [{ name: `t${caseNumber}`, endpoint: emulator.url, projectId: project }],
    ledger: { type: 'file', path: 'unused' },
    policy: {
      excludeJobs: ['tmp_*'],
      maxAttempts: scenario.maxAttempts,
      firstRetryDelay: `${scenario.firstRetryMinutes}m`,
      backoff: { base: `${scenario.backoffMinutes}m`, jitter: scenario.jitter, max: '2h' },
      rules: [{ match: 'legacy_*', enabled: false }],
      stormGuard: { enabled: false },
      concurrency: 4,
    },
  });
  const transport = {
    timeoutMs: 25,
    retries: 2,
    baseDelayMs: 1,
    maxDelayMs: 3,
    maxRetryAfterMs: 5,
    ratePerSecond: 100_000,
    concurrency: 4,
  };
  const rejected = new Set(
    scenario.instances
      .map((i, n) => ({ i, id: String(firstId + n) }))
      .filter(
        ({ i }) =>
          i.job === 'tmp_x' ||
          i.job === 'legacy_y' ||
          i.instanceType === 2 ||
          i.forceSuccess ||
          // Statuses that stay as they are (a running instance may still fail).
          !['fail', 'running'].includes(i.status),
      )
      .map(({ id }) => id),
  );
  const random = seededRandom(caseNumber);

  for (const round of scenario.rounds) {
    const failedAtStart = new Set(
      emulator.state
        .all()
        .filter(
          (i) =>
            i.instanceId.length > 0 &&
            Number(i.instanceId) >= firstId &&
            Number(i.instanceId) < firstId + 100,
        )
        .map((i) => emulator.state.settle(i, clock.now()))
        .filter((i) => FAILED_LIKE.has(i.status))
        .map((i) => i.instanceId),
    );
    for (const fault of round.faults) emulator.inject(fault);
    const reports: SweepReport[] = await Promise.all(
      Array.from({ length: round.sweeps }, () =>
        runSweep({
          config,
          targets: buildTargets(config, { kind: 'aksk', ak: AK, sk: SK }, clock, transport),
          ledger,
          clock,
          random,
        }),
      ),
    );
    emulator.clearFaults();
    for (const report of reports) {
      const ids = report.decisions.map((d) => d.instanceId);
      // Each listed instance is accounted for exactly once per report...
      expect(new Set(ids).size).toBe(ids.length);
      // ...and with a single sweep and a clean listing, every failed instance is.
      if (round.sweeps === 1 && !report.targets[0]?.error) expect(new Set(ids)).toEqual(failedAtStart);
      for (const r of report.restarted) expect(emulator.restarts(r.instanceId)).toBeGreaterThanOrEqual(1);
    }
    clock.advance(round.advanceMinutes * MIN);
  }

  const keys = scenario.instances.map((i, n) => ({
    target: `t${caseNumber}`,
    workspace: 'default',
    jobName: i.job,
    instanceId: String(firstId + n),
  }));
  const entries = await ledger.read(keys);
  for (const key of keys) {
    const attempts = entries.get(keyString(key))?.attempts ?? 0;
    const reruns = emulator.restarts(key.instanceId);
    // Never a rerun without a counted attempt (so never two reruns for one attempt),
    expect(reruns).toBeLessThanOrEqual(attempts);
    // never beyond the budget,
    expect(attempts).toBeLessThanOrEqual(scenario.maxAttempts);
    // and never an instance that policy rejects.
    if (rejected.has(key.instanceId)) expect(reruns).toBe(0);
  }
}

describe('property: sweeps under random faults, clocks and overlaps keep every promise', () => {
  it(`${RUNS} scenarios on the memory ledger`, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, (scenario) => check(scenario, new MemoryLedger())),
      { numRuns: RUNS, seed: SEED, verbose: 1 },
    );
  }, 600_000);

  it(`${DYNAMO_RUNS} scenarios on DynamoDB (dynalite)`, async () => {
    const { ledger } = await freshDynamoLedger();
    await fc.assert(
      fc.asyncProperty(scenarioArb, (scenario) => check(scenario, ledger)),
      { numRuns: DYNAMO_RUNS, seed: SEED + 1, verbose: 1 },
    );
  }, 600_000);
});
