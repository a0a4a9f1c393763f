import { failedEndedAgo } from '../../emulator/builders';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { InstanceKey, Ledger } from '../../lib/ledger/ledger';
import type { Incident } from '../../lib/ledger/ledger-incidents';
import { closeByHand } from '../../lib/policy/incident';
import type { SweepReport } from '../../lib/sweep/report';
import { freshDynamoLedger } from '../support/dynamo';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, sweeper } from '../support/sweep-setup';
import { PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

/** One cause, eight jobs: the messages differ only in what the normaliser masks. */
const OUTAGE = 8;
const outageMessage = (i: number) =>
  `DLI.0005: queue 'etl_q' is unavailable: connection to 10.0.3.${i}:8998 refused at 2026-11-24T07:${10 + i}:00Z (application_1700000000000_00${10 + i})`;
const outage = (): InstanceSeed[] =>
  Array.from({ length: OUTAGE }, (_, i) =>
    failedEndedAgo(T0, i + 1, 20 - i, {
      jobName: `etl_${i}`,
      errorMessage: outageMessage(i),
      runMs: 2 * MIN,
    }),
  );
const unrelated = (): InstanceSeed[] => [
  failedEndedAgo(T0, 101, 15, {
    jobName: 'report_a',
    errorMessage: 'Table ods.sales_x not found',
    runMs: MIN,
  }),
  failedEndedAgo(T0, 102, 14, {
    jobName: 'report_b',
    errorMessage: 'java.lang.OutOfMemoryError: Java heap space',
    runMs: MIN,
  }),
];

const policy = { incidents: { release: { first: 2 } } };
const incidentOf = (report: SweepReport) => report.targets[0]?.incidents?.[0];
const restartsOf = (prefix: string) =>
  emulator.requests.filter(
    (r) => r.route === 'restart' && r.status === 204 && r.path.includes(`/jobs/${prefix}`),
  ).length;
const keyOf = (jobName: string, instanceId: number): InstanceKey => ({
  target: 'prod',
  workspace: 'default',
  jobName,
  instanceId: String(instanceId),
});

async function at(minutes: number, s: ReturnType<typeof sweeper>, options = {}) {
  clock.set(T0 + minutes * MIN);
  emulator.settleAll();
  return s.run(options);
}

describe('an outage of one cause: the incident', () => {
  beforeEach(() => emulator.setRestartLag(2 * MIN));

  it('opens on the first sweep: every failure of the cause held, no attempt counted, the unrelated ones rerun', async () => {
    emulator.seed(PROJECT, undefined, [...outage(), ...unrelated()]);
    const ledger = new MemoryLedger();
    const report = await at(0, sweeper(emulator, clock, ledger, policy));
    expect(report.totals['held-by-incident']).toBe(OUTAGE);
    expect(report.restarted.map((r) => r.jobName).sort()).toEqual(['report_a', 'report_b']);
    expect(incidentOf(report)).toMatchObject({
      state: 'open',
      events: ['opened'],
      jobs: OUTAGE,
      held: OUTAGE,
      probes: 0,
      cause: "DLI.0005: queue '<v>' is unavailable: connection to <host> refused at <time> (<id>)",
      nextProbeAt: new Date(T0 + 15 * MIN).toISOString().replace('.000', ''),
    });
    const held = Array.from({ length: OUTAGE }, (_, i) => keyOf(`etl_${i}`, i + 1));
    expect((await ledger.read(held)).size).toBe(0);
    const heldDecision = report.decisions.find((d) => d.jobName === 'etl_0');
    expect(heldDecision).toMatchObject({ outcome: 'held-by-incident', attempt: 1, maxAttempts: 3 });
    expect(heldDecision?.detail).toContain('next canary at');
  });

  it('probes with one canary at a time, holds the rest, releases in growing batches once it recovers, then closes', async () => {
    emulator.seed(PROJECT, undefined, [...outage(), ...unrelated()]);
    emulator.declareOutage({ jobs: 'etl_*', until: T0 + 40 * MIN, errorMessage: outageMessage(9) });
    const s = sweeper(emulator, clock, new MemoryLedger(), policy);
    const events: Array<[number, string[], number]> = [];
    for (const minute of [0, 5, 15, 20, 30, 45, 50, 55, 60, 70, 80, 90, 100]) {
      const report = await at(minute, s);
      events.push([minute, incidentOf(report)?.events ?? [], restartsOf('etl_')]);
    }
    expect(events).toEqual([
      [0, ['opened'], 0],
      [5, [], 0],
      [15, ['canary-sent'], 1],
      // Its rerun started inside the outage and failed again: open, the next probe 30 min after the first.
      [20, ['canary-failed'], 1],
      [30, [], 1],
      [45, ['canary-sent'], 2],
      // The second canary's rerun started after the dependency returned: recovered, the first batch (2) goes.
      [50, ['recovered', 'released'], 4],
      // release.every (10 min) between batches.
      [55, [], 4],
      [60, ['released'], 8],
      [70, ['released', 'closed'], 9],
      [80, [], 9],
      [90, [], 9],
      [100, [], 9],
    ]);
    // Every failure of the outage got at most one rerun, all recovered, none after the budget.
    expect(emulator.maxRerunsPerFailure()).toBe(1);
    clock.set(T0 + 120 * MIN);
    emulator.settleAll();
    const store = emulator.state.workspace(PROJECT, 'default');
    const statuses = [...(store?.values() ?? [])]
      .filter((x) => x.jobName.startsWith('etl_'))
      .map((x) => x.status);
    expect(statuses).toEqual(Array(OUTAGE).fill('success'));
  });

  it('of two sweeps at once when a probe is due, exactly one sends the canary (one board write wins)', async () => {
    emulator.seed(PROJECT, undefined, outage());
    emulator.declareOutage({ jobs: 'etl_*', until: T0 + 600 * MIN, errorMessage: outageMessage(9) });
    const { ledger } = await freshDynamoLedger();
    const a = sweeper(emulator, clock, ledger, policy);
    const b = sweeper(emulator, clock, ledger, policy);
    await at(0, a);
    clock.set(T0 + 15 * MIN);
    const [ra, rb] = await Promise.all([a.run(), b.run()]);
    expect(restartsOf('etl_')).toBe(1);
    const sent = [ra, rb].filter((r) => incidentOf(r)?.events.includes('canary-sent'));
    expect(sent).toHaveLength(1);
    const other = [ra, rb].find((r) => !incidentOf(r)?.events.includes('canary-sent'));
    expect(other?.totals['held-by-incident']).toBe(OUTAGE);
  });

  it('a dry run shows what the breaker would do and writes nothing', async () => {
    emulator.seed(PROJECT, undefined, [...outage(), ...unrelated()]);
    const ledger = new MemoryLedger();
    const report = await at(0, sweeper(emulator, clock, ledger, policy), { dryRun: true });
    expect(incidentOf(report)).toMatchObject({ state: 'open', events: ['opened'], held: OUTAGE });
    expect(report.totals['held-by-incident']).toBe(OUTAGE);
    expect(report.totals['dry-run']).toBe(2);
    expect(await ledger.board('prod')).toEqual({ target: 'prod', version: 0, incidents: {} });
  });

  it('a board write that fails holds every failure of the cause, canary too; the unrelated ones still go', async () => {
    emulator.seed(PROJECT, undefined, [...outage(), ...unrelated()]);
    const ledger = new MemoryLedger();
    ledger.writeBoard = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    const report = await at(0, sweeper(emulator, clock, ledger, policy));
    expect(report.totals['held-by-incident']).toBe(OUTAGE);
    expect(report.targets[0]?.incidentError?.message).toContain('ProvisionedThroughputExceededException');
    expect(report.targets[0]?.incidents).toBeUndefined();
    expect(report.restarted).toHaveLength(2);
  });

  it('a canary whose probe cannot be recorded is withdrawn before its claim: held, not sent, its slot given back', async () => {
    emulator.seed(PROJECT, undefined, outage());
    const ledger = new MemoryLedger();
    const s = sweeper(emulator, clock, ledger, policy);
    await at(0, s);
    ledger.writeBoard = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    const report = await at(15, s);
    expect(restartsOf('etl_')).toBe(0);
    expect(report.totals['held-by-incident']).toBe(OUTAGE);
    expect(report.decisions.find((d) => d.jobName === 'etl_0')?.detail).toContain('could not be recorded');
    expect(incidentOf(report)).toMatchObject({ state: 'open', events: [], held: OUTAGE });
    expect(await ledger.hourlyCount('prod', clock.now())).toBe(0);
  });

  it('a canary the caps defer is neither sent, nor reported sent, nor counted as a probe', async () => {
    const older = [101, 102].map((id) =>
      failedEndedAgo(T0, id, 140 - id, {
        jobName: `report_${id}`,
        errorMessage: `unrelated ${'x'.repeat(id - 100)}`,
      }),
    );
    emulator.seed(PROJECT, undefined, [...older, ...outage()]);
    const ledger = new MemoryLedger();
    const s = sweeper(emulator, clock, ledger, { ...policy, maxRestartsPerHour: 2 });
    expect((await at(0, s)).restarted).toHaveLength(2);
    const deferred = await at(15, s);
    expect(restartsOf('etl_')).toBe(0);
    expect(incidentOf(deferred)).toMatchObject({ state: 'open', events: [], probes: 0 });
    // The next hour has room: the probe goes at once, as the first.
    const next = await at(60, s);
    expect(restartsOf('etl_')).toBe(1);
    expect(incidentOf(next)).toMatchObject({ state: 'probing', events: ['canary-sent'], probes: 1 });
  });

  it('a board that cannot be read stops the target: nothing is restarted', async () => {
    emulator.seed(PROJECT, undefined, [...outage(), ...unrelated()]);
    const ledger = new MemoryLedger();
    ledger.board = async () => {
      throw new Error('the incident board of target "prod" is not one this version can read');
    };
    const report = await at(0, sweeper(emulator, clock, ledger, policy));
    expect(report.restarted).toHaveLength(0);
    expect(report.totals['target-halted']).toBe(OUTAGE + 2);
    expect(report.targets[0]?.error?.message).toContain('not one this version can read');
  });

  it('a sweep of a subset of jobs neither clears nor closes an incident whose other jobs it cannot see', async () => {
    emulator.seed(PROJECT, undefined, [...outage(), ...unrelated()]);
    const ledger: Ledger = new MemoryLedger();
    await at(0, sweeper(emulator, clock, ledger, policy));
    const subset = await at(5, sweeper(emulator, clock, ledger, { ...policy, jobs: ['report_*'] }));
    expect(incidentOf(subset)).toMatchObject({ state: 'open', events: [] });
    const full = await at(10, sweeper(emulator, clock, ledger, policy));
    expect(incidentOf(full)).toMatchObject({ state: 'open', held: OUTAGE });
  });

  it('the storm guard does not count what an incident holds: unrelated failures are rerun', async () => {
    emulator.seed(PROJECT, undefined, [...outage(), ...unrelated()]);
    const guard = { stormGuard: { enabled: true, maxFailedJobs: 5 } };
    const report = await at(0, sweeper(emulator, clock, new MemoryLedger(), { ...policy, ...guard }));
    expect(report.targets[0]?.storm).toMatchObject({ suspected: false, failedJobs: 2 });
    expect(report.restarted).toHaveLength(2);
    const without = await at(
      1,
      sweeper(emulator, clock, new MemoryLedger(), { ...guard, incidents: { enabled: false } }),
    );
    expect(without.targets[0]?.storm).toMatchObject({ suspected: true });
  });

  it("nor does it count the failures of the cause still backing off: they are the incident's too", async () => {
    const fresh = outage().map((seed, i) => ({ ...seed, endTime: T0 - (i < 3 ? 20 : 2) * MIN }));
    emulator.seed(PROJECT, undefined, [...fresh, ...unrelated()]);
    const guard = { stormGuard: { enabled: true, maxFailedJobs: 5 } };
    const report = await at(0, sweeper(emulator, clock, new MemoryLedger(), { ...policy, ...guard }));
    expect(report.totals['backing-off']).toBe(OUTAGE - 3);
    expect(report.targets[0]?.storm).toMatchObject({ suspected: false, failedJobs: 2 });
    expect(report.restarted).toHaveLength(2);
  });

  it('at most 25 incidents open on a target, the board small: a 26th cause is retried as usual', async () => {
    const causes = 30;
    const seeds = Array.from({ length: causes * 5 }, (_, i) => {
      const cause = Math.floor(i / 5);
      const jobName = `${'a_very_long_job_name_of_a_data_platform_'.repeat(3)}${i}`;
      const errorMessage =
        cause < 25
          ? `dependency number${'s'.repeat(cause)} down at 10.0.0.${i}:80`
          : `cause ${'x'.repeat(cause)} gone`;
      return failedEndedAgo(T0, i + 1, 20, { jobName, errorMessage });
    });
    emulator.seed(PROJECT, undefined, seeds);
    const ledger = new MemoryLedger();
    const report = await at(0, sweeper(emulator, clock, ledger, { ...policy, maxRestartsPerSweep: 100 }));
    expect(report.targets[0]?.incidents).toHaveLength(25);
    expect(report.totals['held-by-incident']).toBe(125);
    expect(report.restarted).toHaveLength(25);
    expect(JSON.stringify(await ledger.board('prod')).length).toBeLessThan(60_000);
  });

  it('the board records what each change held; a closed incident stays a week, then leaves with a later write', async () => {
    emulator.seed(PROJECT, undefined, outage());
    const ledger = new MemoryLedger();
    const s = sweeper(emulator, clock, ledger, policy);
    const opened = incidentOf(await at(0, s));
    expect((await ledger.board('prod')).incidents[opened?.causeKey ?? '']?.held).toBe(OUTAGE);
    await at(15, s);
    const probing = (await ledger.board('prod')).incidents[opened?.causeKey ?? ''];
    expect(probing).toMatchObject({ state: 'probing', held: OUTAGE - 1, updatedAt: T0 + 15 * MIN });
    const board = await ledger.board('prod');
    const closed = closeByHand(probing as Incident, 'resized', T0 + 16 * MIN);
    await ledger.writeBoard(
      { ...board, version: board.version + 1, incidents: { [closed.causeKey]: closed } },
      T0 + 30 * DAY,
    );
    const another = (day: number, first: number) =>
      Array.from({ length: 5 }, (_, i) =>
        failedEndedAgo(T0 + day * DAY, first + i, 20, {
          jobName: `dws_${day}_${i}`,
          errorMessage: `OBS 503 on day ${'x'.repeat(day)}`,
        }),
      );
    emulator.seed(PROJECT, undefined, another(6, 200));
    await at(6 * 24 * 60, s);
    expect(Object.keys((await ledger.board('prod')).incidents)).toContain(closed.causeKey);
    emulator.seed(PROJECT, undefined, another(8, 300));
    await at(8 * 24 * 60, s);
    expect(Object.keys((await ledger.board('prod')).incidents)).not.toContain(closed.causeKey);
  });

  it('a batch the caps cut releases what went: the rest stay held for the next batch, and it does not close early', async () => {
    emulator.seed(PROJECT, undefined, outage());
    emulator.declareOutage({ jobs: 'etl_*', until: T0 + 10 * MIN, errorMessage: outageMessage(9) });
    const ledger = new MemoryLedger();
    const s = sweeper(emulator, clock, ledger, {
      incidents: { release: { first: 6 } },
      maxRestartsPerHour: 4,
    });
    await at(0, s);
    await at(15, s);
    // 08:30: the canary recovered; the hour's four restarts: the canary and three of the batch of six.
    const cut = await at(30, s);
    expect(incidentOf(cut)).toMatchObject({
      state: 'releasing',
      events: ['recovered', 'released'],
      released: 3,
    });
    expect(restartsOf('etl_')).toBe(4);
    // Still 08:45: no slot left this hour; nothing went, so no batch is spent.
    const none = await at(45, s);
    expect(incidentOf(none)).toMatchObject({ state: 'releasing', events: [], released: 3 });
    const board = (await ledger.board('prod')).incidents[incidentOf(none)?.causeKey ?? ''];
    expect(board).toMatchObject({ batches: 1, released: 3 });
    expect(board?.memberJobs?.every((h) => /^[0-9a-f]{8}$/.test(h))).toBe(true);
    // The next hour: the other four go (the second batch may be 12), and it closes.
    const rest = await at(60, s);
    expect(incidentOf(rest)).toMatchObject({ state: 'closed', events: ['released', 'closed'], released: 7 });
    expect(emulator.maxRerunsPerFailure()).toBe(1);
  });

  it('keeps the 50 most recent closed incidents on the board, the older ones leave with the next write', async () => {
    const ledger = new MemoryLedger();
    const closed = (n: number): Incident => ({
      causeKey: `c${String(n).padStart(15, '0')}`,
      causeText: `old cause ${n}`,
      state: 'closed',
      openedAt: T0 - DAY,
      since: T0 - DAY,
      jobs: 5,
      probes: 1,
      nextProbeAt: T0 - DAY,
      batches: 1,
      released: 5,
      held: 0,
      closedAt: T0 - DAY + n * MIN,
      closedBy: 'recovered',
      updatedAt: T0 - DAY + n * MIN,
    });
    const old = Array.from({ length: 60 }, (_, n) => closed(n));
    await ledger.writeBoard(
      { target: 'prod', version: 1, incidents: Object.fromEntries(old.map((i) => [i.causeKey, i])) },
      T0 + DAY,
    );
    emulator.seed(PROJECT, undefined, outage());
    await at(0, sweeper(emulator, clock, ledger, policy));
    const kept = Object.values((await ledger.board('prod')).incidents).filter((i) => i.state === 'closed');
    expect(kept.map((i) => i.causeText).sort()).toEqual(
      old
        .slice(10)
        .map((i) => i.causeText)
        .sort(),
    );
  });

  it('fewer jobs than minJobs are no incident: each is retried on its own', async () => {
    emulator.seed(PROJECT, undefined, outage().slice(0, 4));
    const report = await at(0, sweeper(emulator, clock, new MemoryLedger(), policy));
    expect(report.restarted).toHaveLength(4);
    expect(report.targets[0]?.incidents).toBeUndefined();
  });

  it('plays the timeline of docs/incidents.md with the default settings', async () => {
    emulator.setRestartLag(30_000);
    const jobs = 40;
    const seeds: InstanceSeed[] = Array.from({ length: jobs }, (_, i) => ({
      jobName: `etl_${i}`,
      instanceId: i + 1,
      status: 'fail',
      planTime: T0 - 10 * MIN,
      startTime: T0 - 10 * MIN,
      endTime: T0 + i * 7_500,
      runMs: 5 * MIN,
      errorMessage: outageMessage(i % 10),
    }));
    const other = failedEndedAgo(T0, 100, -2, {
      jobName: 'report_a',
      errorMessage: 'Table ods.sales_x not found',
    });
    emulator.seed(PROJECT, undefined, [...seeds, other]);
    emulator.declareOutage({ jobs: 'etl_*', until: T0 + 70 * MIN, errorMessage: outageMessage(3) });
    const s = sweeper(emulator, clock, new MemoryLedger(), { stormGuard: { enabled: true } });
    const timeline: string[] = [];
    for (const minute of [15, 30, 45, 60, 75, 90, 105, 120, 135]) {
      const before = restartsOf('etl_');
      const report = await at(minute, s);
      const i = incidentOf(report);
      const others = report.restarted.filter((r) => r.jobName === 'report_a').length;
      timeline.push(
        `${minute}: ${i?.state} ${i?.events.join('+')} held ${i?.held} etl ${restartsOf('etl_') - before} other ${others}`,
      );
    }
    expect(timeline).toEqual([
      '15: open opened held 40 etl 0 other 1',
      '30: probing canary-sent held 39 etl 1 other 0',
      '45: open canary-failed held 40 etl 0 other 0',
      '60: probing canary-sent held 39 etl 1 other 0',
      '75: open canary-failed held 40 etl 0 other 0',
      '90: probing canary-sent held 39 etl 1 other 0',
      '105: releasing recovered+released held 14 etl 25 other 0',
      '120: closed released+closed held 0 etl 14 other 0',
      '135: undefined undefined held undefined etl 0 other 0',
    ]);
    expect(emulator.maxRerunsPerFailure()).toBe(1);
  });
});
