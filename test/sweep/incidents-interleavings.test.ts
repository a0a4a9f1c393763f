import { failedEndedAgo } from '../../emulator/builders';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { Incident } from '../../lib/ledger/ledger-incidents';
import type { SweepReport } from '../../lib/sweep/report';
import { freshDynamoLedger } from '../support/dynamo';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, sweeper } from '../support/sweep-setup';
import { PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

const outageMessage = (i: number) =>
  `DLI.0005: queue 'etl_q' is unavailable: connection to 10.0.3.${i}:8998 refused (application_1700000000000_00${10 + i})`;
/** A failure of the outage's cause of `etl_${i}`, ended `minutesAgo` before T0. */
const outageFailure = (i: number, minutesAgo: number, id = i + 1): InstanceSeed =>
  failedEndedAgo(T0, id, minutesAgo, { jobName: `etl_${i}`, errorMessage: outageMessage(i), runMs: 2 * MIN });

const incidentOf = (report: SweepReport) => report.targets[0]?.incidents?.[0];
const restartsOf = (jobName: string) =>
  emulator.requests.filter(
    (r) => r.route === 'restart' && r.status === 204 && r.path.includes(`/jobs/${jobName}/`),
  ).length;

async function at(minutes: number, s: ReturnType<typeof sweeper>) {
  clock.set(T0 + minutes * MIN);
  emulator.settleAll();
  return s.run();
}

describe('the incidents breaker under interleavings', () => {
  beforeEach(() => emulator.setRestartLag(2 * MIN));

  it('a subset sweep does not clear an incident whose failures of a job that joined after it opened it cannot see', async () => {
    // Five jobs open it; a sixth job fails of the same cause afterwards (no transition, no board write).
    emulator.seed(
      PROJECT,
      undefined,
      [0, 1, 2, 3, 4].map((i) => outageFailure(i, 20 - i)),
    );
    const ledger = new MemoryLedger();
    const full = sweeper(emulator, clock, ledger, { lookback: '1h' });
    expect(incidentOf(await at(0, full))).toMatchObject({ state: 'open', events: ['opened'] });
    emulator.seed(PROJECT, undefined, [
      failedEndedAgo(T0, 6, -1, { jobName: 'etl_5', errorMessage: outageMessage(5) }),
    ]);
    expect(incidentOf(await at(2, full))).toMatchObject({ state: 'open', events: [] });
    // No full sweep for a while; the five first jobs' failures leave the look-back.
    const subset = sweeper(emulator, clock, ledger, {
      lookback: '1h',
      jobs: ['etl_0', 'etl_1', 'etl_2', 'etl_3', 'etl_4'],
    });
    const seen = await at(45, subset);
    // etl_5's failure is still held by the incident in a full sweep: the subset cannot judge it.
    expect(incidentOf(seen)?.events ?? []).not.toContain('cleared');
    const after = await at(46, full);
    // The next full sweep still holds etl_5 under the incident: it goes as its one canary.
    expect(incidentOf(after)).toMatchObject({ state: 'probing', events: ['canary-sent'] });
    expect(incidentOf(after)?.canary?.jobName).toBe('etl_5');
    expect(restartsOf('etl_5')).toBe(1);
  });

  // The board is written after the caps (commit-incidents.ts): a canary they defer is not recorded.
  it('a canary the hourly cap defers is not reported sent nor counted as a probe', async () => {
    const older = [101, 102].map((id) =>
      failedEndedAgo(T0, id, 140 - id, { jobName: `report_${id}`, errorMessage: `unrelated ${id}x` }),
    );
    emulator.seed(PROJECT, undefined, [...older, ...[0, 1, 2, 3, 4].map((i) => outageFailure(i, 20 - i))]);
    const s = sweeper(emulator, clock, new MemoryLedger(), { maxRestartsPerHour: 2 });
    expect((await at(0, s)).restarted).toHaveLength(2);
    const due = await at(15, s);
    const canaries = [0, 1, 2, 3, 4].reduce((n, i) => n + restartsOf(`etl_${i}`), 0);
    // Every "canary-sent" is one canary rerun; none was run, so none may be reported or counted.
    expect(incidentOf(due)?.events.includes('canary-sent') ? 1 : 0).toBe(canaries);
    expect(incidentOf(due)?.probes ?? 0).toBe(canaries);
  });

  it('wide incidents whose failures are gone all end, their jobs no longer weighing on the one board item', async () => {
    // Eight outages that each spanned 1,378 jobs: the board is a few hundred bytes under DynamoDB's 400 KB item limit.
    const jobs = Array.from(
      { length: 1378 },
      (_, j) => `warehouse_daily_load_partition_${String(j).padStart(5, '0')}`,
    );
    const wide = (n: number): Incident => ({
      causeKey: `cause${n}`,
      causeText: `DLI.0005: queue '<v>' ${n} is unavailable`,
      state: 'open',
      openedAt: T0 - 60 * MIN,
      since: T0 - 70 * MIN,
      jobs: jobs.length,
      probes: 0,
      nextProbeAt: T0 + 60 * MIN,
      batches: 0,
      released: 0,
      memberJobs: jobs,
      held: jobs.length,
      updatedAt: T0 - 60 * MIN,
    });
    // A new outage trips in the same sweep: the board's one write would grow by its incident.
    emulator.seed(
      PROJECT,
      undefined,
      [0, 1, 2, 3, 4].map((i) => outageFailure(i, 20 - i)),
    );
    const { ledger } = await freshDynamoLedger();
    const WIDE = [1, 2, 3, 4, 5, 6, 7, 8];
    const incidents = Object.fromEntries(WIDE.map((n) => [`cause${n}`, wide(n)]));
    expect(await ledger.writeBoard({ target: 'prod', version: 1, incidents }, T0 + 86_400_000)).toBe(true);
    // No failure of any of them is left: each clears (and a closed incident needs no member list).
    const report = await at(0, sweeper(emulator, clock, ledger));
    expect(report.targets[0]?.incidentError).toBeUndefined();
    const board = await ledger.board('prod');
    expect(WIDE.map((n) => board.incidents[`cause${n}`]?.state)).toEqual(WIDE.map(() => 'closed'));
    expect(incidentOf(report)).toBeDefined();
    expect(report.targets[0]?.incidents?.map((i) => i.state).sort()).toEqual([
      ...WIDE.map(() => 'closed'),
      'open',
    ]);
  });
});
