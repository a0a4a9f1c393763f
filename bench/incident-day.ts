/**
 * The simulated outage day (the acceptance scenario of "Retries that understand an
 * outage"): a sweep every 15 minutes for a day, on a manual clock that moves between
 * sweeps, against the emulator (real HTTP on 127.0.0.1, signatures verified) and a
 * file ledger. 120 jobs on one DLI queue fail within ten minutes with one cause (their
 * messages differ in hosts, times and application ids: the normaliser groups them), the
 * queue is back 90 minutes after the first failure; 6 other jobs fail on their own, one
 * message each; 200 instances an hour succeed around them. The figures are read from
 * the emulator (every restart it accepted, when and for which failure; the instances'
 * statuses), not from the sweep's reports (incident-day-figures.ts).
 *
 * `npm run bench -- --incident-day` prints the day with incidents on and with today's
 * storm guard alone side by side; test/sweep/incident-day.test.ts asserts them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../emulator/manual-clock';
import type { Outage } from '../emulator/outage';
import { seededRandom } from '../emulator/seeded-random';
import { type Emulator, startEmulator } from '../emulator/server';
import type { InstanceSeed } from '../emulator/state';
import { parseConfig } from '../lib/config/parse';
import type { Config } from '../lib/config/types';
import { buildLedger } from '../lib/ledger/build-ledger';
import { runSweep } from '../lib/sweep/sweep';
import { buildTargets } from '../lib/wiring';
import { type DayFigures, DONE_WHEN, dayFigures, type SweepSeen } from './incident-day-figures';

const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const AK = 'BENCHINCIDENTDAYAK01';
const SK = 'bench-incident-day-secret';
const MIN = 60_000;
const HOUR = 60 * MIN;

/** The day's timeline, on the emulator's clock. */
const DAY = {
  /** 2026-12-08T00:00:00Z: the first sweep; the ledger is empty before it. */
  start: Date.UTC(2026, 11, 8),
  sweepEveryMs: 15 * MIN,
  sweeps: 96,
  /**
   * The queue goes down half-way between two sweeps (no phase favoured): the outage's
   * failures end from here to ten minutes later, across the 00:15 sweep.
   */
  outageFrom: Date.UTC(2026, 11, 8, 0, 7, 30),
  outageJobs: 120,
  outageSpreadMs: 10 * MIN,
  /** The dependency returns 90 minutes after the first failure. */
  downForMs: 90 * MIN,
  /** How long a rerun runs (the seeded runs lasted as long), and how fast a rerun fails while the queue is down. */
  runMs: 5 * MIN,
  failAfterMs: MIN,
  /** DataArts applies an accepted restart within seconds; half a minute here. */
  restartLagMs: 30_000,
  /** Successful instances an hour around the failures (so the storm guard's ratio check sees a fleet). */
  successesPerHour: 200,
} as const;

const RETURN_AT = DAY.outageFrom + DAY.downForMs;

/** The unrelated failures: each its own job, node and message, spread over the outage and after it. */
const UNRELATED: ReadonlyArray<{
  at: string;
  jobName: string;
  node: NonNullable<InstanceSeed['node']>;
  message: string;
}> = [
  {
    at: '00:09:00',
    jobName: 'report_daily_sales',
    node: { nodeName: 'export', type: 'Shell' },
    message: 'Shell exited with code 1: curl: (56) Recv failure: Connection reset by peer',
  },
  {
    at: '00:26:00',
    jobName: 'dwd_orders_merge',
    node: { nodeName: 'merge', type: 'DLISQL', queue: 'dws_q' },
    message: 'Spark executor 7 lost on node-3.cluster.local: container_e01_1700000000000_0007_01_000003 OOM',
  },
  {
    at: '00:48:00',
    jobName: 'cdm_mysql_customers',
    node: { nodeName: 'copy', type: 'CDMJob' },
    message: "CDM.0021: link 'mysql_crm' timed out after 60s reading table customers",
  },
  {
    at: '01:11:00',
    jobName: 'obs_export_finance',
    node: { nodeName: 'upload', type: 'OBSManager' },
    message: 'OBS 503 SlowDown: please reduce your request rate (request id 0000018C2A5F6E1B)',
  },
  {
    at: '01:52:00',
    jobName: 'dws_rollup_hourly',
    node: { nodeName: 'rollup', type: 'DWSSQL' },
    message: 'ERROR: could not serialize access due to concurrent update (SQLSTATE 40001)',
  },
  {
    at: '02:40:00',
    jobName: 'hive_partition_repair',
    node: { nodeName: 'msck', type: 'HiveSQL' },
    message: 'LockException: Lock acquisition for LockRequest(lockid:88412) timed out after 300000ms',
  },
];

const atOfDay = (hms: string) => DAY.start + Date.parse(`1970-01-01T${hms}Z`);
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** One job's outage failure: the queue, a host of the queue's pool, the time, the YARN id (all vary). */
function outageMessage(i: number, at: number, applicationId: number): string {
  const iso = new Date(at).toISOString().replace('.000Z', 'Z');
  return `DLI.0005: queue 'etl_q' is unavailable: connection to 10.0.3.${17 + (i % 40)}:8998 refused at ${iso} (application_1700000000000_${pad(applicationId, 4)})`;
}

const outageJob = (i: number) => `etl_${pad(i, 3)}`;

/** A failed or successful instance that ran `DAY.runMs` and ended at `endTime`. */
function ended(
  jobName: string,
  instanceId: number,
  endTime: number,
  extra: Partial<InstanceSeed>,
): InstanceSeed {
  const planTime = endTime - DAY.runMs;
  return { jobName, instanceId, planTime, startTime: planTime, endTime, runMs: DAY.runMs, ...extra };
}

/** When the queue goes down and comes back, `shiftMs` later than the day's default. */
function outageTimes(shiftMs: number): { from: number; returnAt: number } {
  const from = DAY.outageFrom + shiftMs;
  return { from, returnAt: from + DAY.downForMs };
}

function outageSeeds(shiftMs = 0): InstanceSeed[] {
  const step = DAY.outageSpreadMs / (DAY.outageJobs - 1);
  const { from } = outageTimes(shiftMs);
  return Array.from({ length: DAY.outageJobs }, (_, i) => {
    const endTime = Math.round(from + i * step);
    return ended(outageJob(i), 1_000 + i, endTime, {
      status: 'fail',
      errorMessage: outageMessage(i, endTime, 42 + i),
      node: { nodeName: 'load', type: 'DLISQL', queue: 'etl_q' },
    });
  });
}

function unrelatedSeeds(): InstanceSeed[] {
  return UNRELATED.map((u, j) =>
    ended(u.jobName, 2_000 + j, atOfDay(u.at), { status: 'fail', errorMessage: u.message, node: u.node }),
  );
}

/** The fleet around them: 100 jobs each succeeding twice an hour, from a day before the first sweep. */
function successSeeds(): InstanceSeed[] {
  const every = HOUR / DAY.successesPerHour;
  const from = DAY.start - 24 * HOUR;
  const count = Math.floor((DAY.sweeps * DAY.sweepEveryMs + 24 * HOUR) / every);
  return Array.from({ length: count }, (_, n) =>
    ended(`ods_sync_${pad(n % 100, 2)}`, 5_000_000 + n, from + n * every + DAY.runMs, { status: 'success' }),
  );
}

/** Each outage job's queue is down until the return: its reruns fail again, each with its own message. */
function outages(shiftMs: number): Outage[] {
  const { returnAt } = outageTimes(shiftMs);
  return Array.from({ length: DAY.outageJobs }, (_, i) => ({
    jobs: [outageJob(i)],
    until: returnAt,
    errorMessage: outageMessage(i, returnAt - HOUR + i * 1000, 4_000 + i),
    failAfterMs: DAY.failAfterMs,
  }));
}

/** Instances appear as they end: a sweep sees only what has happened by its time. */
class Arrivals {
  private next = 0;
  private readonly seeds: InstanceSeed[];

  constructor(seeds: InstanceSeed[]) {
    this.seeds = [...seeds].sort((a, b) => (a.endTime ?? 0) - (b.endTime ?? 0));
  }

  seedUpTo(emulator: Emulator, now: number): void {
    const from = this.next;
    while (this.next < this.seeds.length && (this.seeds[this.next]?.endTime ?? 0) <= now) this.next++;
    if (this.next > from) emulator.seed(PROJECT, undefined, this.seeds.slice(from, this.next));
  }

  get done(): boolean {
    return this.next === this.seeds.length;
  }
}

export interface IncidentDayOptions {
  /** `policy.incidents.enabled`: the breaker on, or today's storm guard alone. */
  incidents: boolean;
  /**
   * Stop once every failure of the day has been seen and recovered (nothing can be held
   * then); the figures are those of the sweeps run. Default: the whole day.
   */
  stopWhenSettled?: boolean;
  /**
   * The outage (its failures and its return) this much later than 00:07:30, half-way
   * between two sweeps: how its timing against the sweeps moves the figures.
   */
  outageShiftMs?: number;
}

/** Runs the day in one mode: default policy, only `policy.incidents.enabled` set. */
export async function runIncidentDay(options: IncidentDayOptions): Promise<DayFigures> {
  const shift = options.outageShiftMs ?? 0;
  const clock = new ManualClock(DAY.start);
  const emulator = await startEmulator({
    clock,
    accessKeys: { [AK]: SK },
    restartLagMs: DAY.restartLagMs,
    outages: outages(shift),
  });
  const dir = await mkdtemp(join(tmpdir(), 'incident-day-'));
  try {
    const config = parseConfig({
      targets: [{ name: 'prod', endpoint: emulator.url, projectId: PROJECT }],
      ledger: { type: 'file', path: join(dir, 'ledger.jsonl') },
      policy: { incidents: { enabled: options.incidents } },
    });
    const sweeps = await sweepTheDay(emulator, clock, config, options.stopWhenSettled ?? false, shift);
    // The statuses as the next sweep would find them.
    clock.set((sweeps.at(-1)?.at ?? DAY.start) + DAY.sweepEveryMs);
    emulator.settleAll();
    const failedJobs = new Set([...outageSeeds(shift), ...unrelatedSeeds()].map((s) => s.jobName));
    return dayFigures({
      sweeps,
      accepted: emulator.acceptedRestarts(),
      instances: emulator.state.all().filter((i) => failedJobs.has(i.jobName)),
      outageJobs: new Set(outageSeeds(shift).map((s) => s.jobName)),
      unrelated: unrelatedSeeds().map((s) => ({ jobName: s.jobName, failedAt: s.endTime ?? 0 })),
      returnAt: outageTimes(shift).returnAt,
      dayStart: DAY.start,
      sweepEveryMs: DAY.sweepEveryMs,
      policy: config.policy,
    });
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The sweeps, each at its time on the clock, until the day ends (or everything settled). */
async function sweepTheDay(
  emulator: Emulator,
  clock: ManualClock,
  config: Config,
  stopWhenSettled: boolean,
  shiftMs: number,
): Promise<SweepSeen[]> {
  // The transport paces requests in real time; the day is simulated, so its pace is not
  // the deployed 10/s (no figure depends on it, and the day runs in seconds).
  const targets = buildTargets(config, { kind: 'aksk', ak: AK, sk: SK }, clock, { ratePerSecond: 1_000 });
  const deps = { config, targets, ledger: buildLedger(config.ledger), clock, random: seededRandom(7) };
  const failures = new Arrivals([...outageSeeds(shiftMs), ...unrelatedSeeds()]);
  const successes = new Arrivals(successSeeds());
  const seen: SweepSeen[] = [];
  for (let k = 0; k < DAY.sweeps; k++) {
    const at = DAY.start + k * DAY.sweepEveryMs;
    clock.set(at);
    if (stopWhenSettled && failures.done && allSucceeded(emulator)) break;
    failures.seedUpTo(emulator, at);
    successes.seedUpTo(emulator, at);
    const report = await runSweep(deps);
    seen.push({ at, storm: report.storm, held: report.totals['held-by-incident'] ?? 0 });
  }
  return seen;
}

/** Every instance that failed today has since succeeded (status as of the clock). */
function allSucceeded(emulator: Emulator): boolean {
  emulator.settleAll();
  return emulator.state.all().every((i) => i.status === 'success');
}

const hhmm = (at: number) => new Date(at).toISOString().slice(11, 19);

/**
 * `npm run bench -- --incident-day`: the whole day in both modes, side by side, then
 * whether the incidents mode met each "Done when" figure. The checks (caps, one rerun
 * per failure) must hold in both modes and fail the run; the "Done when" is the
 * breaker's acceptance, judged by test/sweep/incident-day.test.ts, and only printed here.
 */
export async function incidentDayBench(): Promise<{
  lines: string[];
  checks: Array<{ label: string; ok: boolean }>;
}> {
  const on = await runIncidentDay({ incidents: true });
  const off = await runIncidentDay({ incidents: false });
  const lines = [
    `incident day: a sweep every ${DAY.sweepEveryMs / MIN} min for a day on a simulated clock; ${DAY.outageJobs} jobs fail ${hhmm(DAY.outageFrom)}-${hhmm(DAY.outageFrom + DAY.outageSpreadMs)} with one cause, back at ${hhmm(RETURN_AT)}; ${UNRELATED.length} unrelated failures (${UNRELATED[0]?.at}-${UNRELATED.at(-1)?.at}); ${DAY.successesPerHour} successes an hour; reruns run ${DAY.runMs / MIN} min; default policy`,
    '',
    '| figure | target | incidents on | storm guard alone (today) |',
    '|---|---|---|---|',
    ...DONE_WHEN.map((c) => `| ${c.figure} | ${c.target} | ${c.value(on)} | ${c.value(off)} |`),
    '| human actions | 0 | 0 | 0 |',
    `| sweeps (storm suspected in; most held in one) | | ${sweepSummary(on)} | ${sweepSummary(off)} |`,
    '',
    `incident day, incidents on: ${DONE_WHEN.filter((c) => c.met(on)).length} of ${DONE_WHEN.length} "Done when" figures met; ${DONE_WHEN.map((c) => `${c.figure} ${c.met(on) ? 'met' : 'MISS'}`).join('; ')}`,
  ];
  const invariants = DONE_WHEN.slice(-2);
  const checks = [on, off].flatMap((f, i) =>
    invariants.map((c) => ({
      label: `${i === 0 ? 'incidents on' : 'storm guard'}: ${c.figure} ${c.value(f)}`,
      ok: c.met(f),
    })),
  );
  return { lines, checks };
}

function sweepSummary(f: DayFigures): string {
  return `${f.sweeps.length} (${f.sweeps.filter((s) => s.storm).length}; ${Math.max(0, ...f.sweeps.map((s) => s.held))})`;
}
