/**
 * Property-based sweeps against an emulator that behaves like the real service:
 * restarts applied after a lag, answers lost after the server acted, a server that
 * may accept a restart of a running instance, a clock that moves while requests are
 * in flight, 1–4 overlapping sweeps on one ledger with zero, full-jitter or normal
 * backoff, and sweeps that die between the restart and its record. The invariants
 * are the product's promises, asserted as counts:
 *   - reruns per observed failure <= 1 (the emulator books every accepted restart
 *     against the failure it answered);
 *   - reruns <= counted attempts <= maxAttempts (so no attempt was released after a
 *     POST that may have been processed, and none ran beyond the budget);
 *   - every listed failed instance is reported exactly once per report;
 *   - an attempt whose sweep died is reported interrupted exactly once.
 * Fixed seed; a failing case prints its seed and path (fast-check) for replay.
 */
import fc from 'fast-check';
import { ManualClock } from '../../emulator/manual-clock';
import { seededRandom } from '../../emulator/seeded-random';
import { type Emulator, type Fault, startEmulator } from '../../emulator/server';
import { parseConfig } from '../../lib/config/parse';
import type { Ledger, Settlement } from '../../lib/ledger/ledger';
import { INTERRUPTED, keyString } from '../../lib/ledger/ledger';
import type { SweepReport } from '../../lib/sweep/report';
import { leaseMs, runSweep } from '../../lib/sweep/sweep';
import { buildTargets } from '../../lib/wiring';
import { freshDynamoLedger } from '../support/dynamo';
import { MemoryLedger } from '../support/memory-ledger';
import { AK, SK, T0 } from '../support/targets';

const MIN = 60_000;
const SEED = 20261126;
const RUNS = Number(process.env.PROPERTY_RUNS ?? 600);
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

/** Ambiguous answers (the server may have acted) and certain refusals, on every route. */
const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({
    route: fc.constant('list' as const),
    kind: fc.constantFrom<Fault['kind']>(429, 503, 500, 'reset', 'malformed-json', 'unknown-fields'),
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
      'instance-vanished',
      'status-changed',
    ),
    processed: fc.boolean(),
    times: fc.integer({ min: 1, max: 3 }),
  }),
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
  backoff: fc.constantFrom(
    { base: '0s', jitter: 'none' },
    { base: '10m', jitter: 'full' },
    { base: '10m', jitter: 'equal' },
    { base: '1m', jitter: 'none' },
  ),
  /** DataArts applies a restart this long after accepting it (emulator clock). */
  lagMs: fc.constantFrom(0, 200, 3_000, 20_000, 60_000),
  /** The clock moves this much with every request. */
  advanceOnRequestMs: fc.constantFrom(0, 0, 50, 1_000, 30_000),
  acceptRunningRestart: fc.boolean(),
  rounds: fc.array(
    fc.record({
      sweeps: fc.integer({ min: 1, max: 4 }),
      faults: fc.array(faultArb, { maxLength: 3 }),
      /** One of the sweeps dies after its restarts are sent, before it records them. */
      crash: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      advanceMinutes: fc.integer({ min: 0, max: 60 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

/** A ledger as a sweep that dies after sending sees it: every outcome write is lost. */
class DyingLedger implements Ledger {
  constructor(private readonly inner: Ledger) {}
  read: Ledger['read'] = (keys) => this.inner.read(keys);
  inFlight: Ledger['inFlight'] = (target) => this.inner.inFlight(target);
  attemptedKeys: Ledger['attemptedKeys'] = (target, since) => this.inner.attemptedKeys(target, since);
  claim: Ledger['claim'] = (key, request) => this.inner.claim(key, request);
  settle = async (_key: unknown, _s: Settlement): Promise<boolean> => {
    throw new Error('the process died');
  };
  release = async (): Promise<boolean> => {
    throw new Error('the process died');
  };
  markInterrupted: Ledger['markInterrupted'] = (...a) => this.inner.markInterrupted(...a);
  markExhausted: Ledger['markExhausted'] = (...a) => this.inner.markExhausted(...a);
  hourlyCount: Ledger['hourlyCount'] = (...a) => this.inner.hourlyCount(...a);
  reserveHourly: Ledger['reserveHourly'] = (...a) => this.inner.reserveHourly(...a);
  releaseHourly: Ledger['releaseHourly'] = (...a) => this.inner.releaseHourly(...a);
}

let emulator: Emulator;
const clock = new ManualClock(T0);
let caseNumber = 0;
const counts = { scenarios: 0, sweeps: 0, restarts: 0, unconfirmed: 0, interrupted: 0, crashes: 0 };

beforeAll(async () => {
  emulator = await startEmulator({ clock, accessKeys: { [AK]: SK } });
});
afterAll(async () => {
  await emulator.close();
  process.stderr.write(`property suite: ${JSON.stringify(counts)}\n`);
});

/** Test-speed transport, but no real timeout under 1 s (no fault here hangs). */
const TRANSPORT = {
  timeoutMs: 5_000,
  retries: 2,
  baseDelayMs: 1,
  maxDelayMs: 3,
  maxRetryAfterMs: 5,
  ratePerSecond: 100_000,
  concurrency: 4,
};

async function check(scenario: Scenario, ledger: Ledger): Promise<void> {
  caseNumber++;
  counts.scenarios++;
  const project = `p${caseNumber}`;
  const firstId = caseNumber * 100;
  clock.set(T0);
  emulator.clearFaults();
  emulator.setRestartLag(scenario.lagMs);
  emulator.setAcceptRunningRestart(scenario.acceptRunningRestart);
  emulator.setAdvanceOnRequest(scenario.advanceOnRequestMs);
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
  const target = `t${caseNumber}`;
  const config = parseConfig({
    targets: [{ name: target, endpoint: emulator.url, projectId: project }],
    ledger: { type: 'file', path: 'unused' },
    policy: {
      excludeJobs: ['tmp_*'],
      maxAttempts: scenario.maxAttempts,
      firstRetryDelay: `${scenario.firstRetryMinutes}m`,
      backoff: { ...scenario.backoff, max: '2h' },
      rules: [{ match: 'legacy_*', enabled: false }],
      stormGuard: { enabled: false },
      concurrency: 4,
    },
    client: { timeout: '5s', retries: 2, maxRetryAfter: '1s' },
  });
  const ids = scenario.instances.map((_, n) => String(firstId + n));
  const neverRerun = new Set(
    scenario.instances
      .map((i, n) => ({ i, id: ids[n] as string }))
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
  const interruptedReports = new Map<string, number>();
  const sweep = (l: Ledger) =>
    runSweep({
      config,
      targets: buildTargets(config, { kind: 'aksk', ak: AK, sk: SK }, clock, TRANSPORT),
      ledger: l,
      clock,
      random,
    });

  for (const round of scenario.rounds) {
    const failedAtStart = failedNow(firstId);
    for (const fault of round.faults) emulator.inject(fault);
    const reports: SweepReport[] = await Promise.all(
      Array.from({ length: round.sweeps }, (_, n) =>
        sweep(round.crash && n === 0 ? new DyingLedger(ledger) : ledger),
      ),
    );
    counts.sweeps += reports.length;
    if (round.crash) counts.crashes++;
    emulator.clearFaults();
    for (const report of reports) {
      const listed = report.decisions.map((d) => d.instanceId);
      // Each listed instance is accounted for exactly once per report...
      expect(new Set(listed).size).toBe(listed.length);
      // ...and with one sweep, a still clock and a clean listing, every failed one is.
      if (round.sweeps === 1 && scenario.advanceOnRequestMs === 0 && !report.targets[0]?.error)
        expect(new Set(listed)).toEqual(failedAtStart);
      for (const r of report.restarted) expect(emulator.restarts(r.instanceId)).toBeGreaterThanOrEqual(1);
      counts.restarts += report.restarted.length;
      counts.unconfirmed += report.unconfirmed.length;
      for (const u of report.unconfirmed.filter((x) => x.code === INTERRUPTED)) {
        const id = `${u.instanceId}#${u.attempt}`;
        interruptedReports.set(id, (interruptedReports.get(id) ?? 0) + 1);
        counts.interrupted++;
      }
    }
    clock.advance(round.advanceMinutes * MIN);
  }
  // A last sweep after every lease has run out finds whatever a dead sweep left.
  clock.advance(leaseMs(config) + MIN);
  const last = await sweep(ledger);
  for (const u of last.unconfirmed.filter((x) => x.code === INTERRUPTED)) {
    const id = `${u.instanceId}#${u.attempt}`;
    interruptedReports.set(id, (interruptedReports.get(id) ?? 0) + 1);
  }

  const keys = scenario.instances.map((i, n) => ({
    target,
    workspace: 'default',
    jobName: i.job,
    instanceId: ids[n] as string,
  }));
  const entries = await ledger.read(keys);
  for (const key of keys) {
    const entry = entries.get(keyString(key));
    const attempts = entry?.attempts ?? 0;
    // At most one rerun per observed failure, whatever the lag, the clock and the overlap,
    expect(emulator.rerunsPerFailure(key.instanceId)).toBeLessThanOrEqual(1);
    // never a rerun without a counted attempt (nothing released that may have run),
    expect(emulator.restarts(key.instanceId)).toBeLessThanOrEqual(attempts);
    // never beyond the budget,
    expect(attempts).toBeLessThanOrEqual(scenario.maxAttempts);
    // never an instance that policy rejects,
    if (neverRerun.has(key.instanceId)) expect(emulator.restarts(key.instanceId)).toBe(0);
    // and no attempt is left in flight once every lease is over.
    expect(entry?.lastOutcome).not.toBe('in-flight');
  }
  // Every attempt a dead sweep left was reported interrupted exactly once.
  for (const [, times] of interruptedReports) expect(times).toBe(1);
  for (const entry of entries.values()) {
    for (const [attempt, outcome] of Object.entries(entry.outcomes)) {
      if (outcome.code === INTERRUPTED)
        expect(interruptedReports.get(`${entry.instanceId}#${attempt}`)).toBe(1);
    }
  }
}

/** Instances of this case that are failed right now (pending reruns not yet applied). */
function failedNow(firstId: number): Set<string> {
  return new Set(
    emulator.state
      .all()
      .filter((i) => Number(i.instanceId) >= firstId && Number(i.instanceId) < firstId + 100)
      .map((i) => emulator.state.settle(i, clock.now()))
      .filter((i) => FAILED_LIKE.has(i.status))
      .map((i) => i.instanceId),
  );
}

describe('property: overlapping sweeps, lagging restarts, lost answers, moving clocks and crashes keep every promise', () => {
  it(`${RUNS} scenarios on the memory ledger`, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, (scenario) => check(scenario, new MemoryLedger())),
      { numRuns: RUNS, seed: SEED, verbose: 1 },
    );
  }, 900_000);

  it(`${DYNAMO_RUNS} scenarios on DynamoDB (dynalite)`, async () => {
    const { ledger } = await freshDynamoLedger();
    await fc.assert(
      fc.asyncProperty(scenarioArb, (scenario) => check(scenario, ledger)),
      { numRuns: DYNAMO_RUNS, seed: SEED + 1, verbose: 1 },
    );
  }, 600_000);
});
