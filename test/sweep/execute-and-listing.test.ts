/**
 * What the restart phase and the target listing promise at their edges (Stryker found
 * these lines surviving or unrun): the sweep's abort signal reaches every restart (a
 * request on the wire is cut off, a claim the ledger is still writing is abandoned and
 * the instance deferred), instances not started after a systemic refusal carry the
 * halt's own reason, a rule that sets no statuses lists no status of its own, and a
 * listing with more than three short windows shows three of them and says there are
 * more. Everything runs over the emulator on a manual clock; aborts are fired from the
 * emulator's request hook or the ledger call itself, never by timing.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import { seededRandom } from '../../emulator/seeded-random';
import type { Emulator, EmulatorOptions } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import { parseConfig } from '../../lib/config/parse';
import type { ClaimRequest, InstanceKey } from '../../lib/ledger/ledger';
import { SKIP_REASONS } from '../../lib/policy/decision';
import type { SweepReport } from '../../lib/sweep/report';
import { runSweep } from '../../lib/sweep/sweep';
import { buildTargets } from '../../lib/wiring';
import { MemoryLedger } from '../support/memory-ledger';
import { failedAgo, sweeper } from '../support/sweep-setup';
import { AK, emulatorWithClock, FAST, PROJECT, SK, T0 } from '../support/targets';

let emulator: Emulator;
let clock: ManualClock;
/** The emulator this test started, closed after it. */
let running: Emulator | undefined;
async function start(options: Partial<EmulatorOptions> = {}): Promise<void> {
  ({ emulator, clock } = await emulatorWithClock(options));
  running = emulator;
}
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const outcomeOf = (report: SweepReport, id: number | string) =>
  report.decisions.find((d) => d.instanceId === String(id));

const keyOf = (report: SweepReport, id: number): InstanceKey => {
  const d = outcomeOf(report, id);
  if (!d) throw new Error(`no decision for instance ${id}`);
  return { target: d.target, workspace: d.workspace, jobName: d.jobName, instanceId: d.instanceId };
};

/**
 * An emulator whose `advance` hook (called as each request arrives) aborts `stop` once
 * a request of `route` is recorded: the abort lands while that request is held.
 */
async function abortingWhen(route: 'restart', stop: AbortController): Promise<void> {
  await start({
    advanceOnRequestMs: 1,
    advance: () =>
      queueMicrotask(() => {
        if (emulator.requests.at(-1)?.route === route && !stop.signal.aborted)
          stop.abort(new Error('Ctrl-C'));
      }),
  });
}

/**
 * A MemoryLedger whose first claim aborts the sweep while it is being written (the
 * abort comes before the write lands, as from a slow ledger). `claimWritten` is that
 * write, which still completes: an abandoned claim is a lease that expires.
 */
class AbortDuringClaimLedger extends MemoryLedger {
  claimWritten: Promise<boolean> | undefined;

  constructor(private readonly stop: AbortController) {
    super();
  }

  override claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
    if (this.claimWritten) return super.claim(key, request);
    queueMicrotask(() => this.stop.abort(new Error('deadline')));
    this.claimWritten = super.claim(key, request);
    return this.claimWritten;
  }
}

describe('aborting the sweep during its restarts', () => {
  it('cuts off a restart held on the wire: counted as unconfirmed, the rest deferred, without waiting for an answer', async () => {
    const stop = new AbortController();
    await abortingWhen('restart', stop);
    emulator.seed(PROJECT, undefined, [failedAgo(1, 40), failedAgo(2, 30)]);
    emulator.inject({ route: 'restart', kind: 'hang' });
    const ledger = new MemoryLedger();
    const report = await sweeper(emulator, clock, ledger, { concurrency: 1 }).run({ signal: stop.signal });

    // One restart was sent and never answered (the emulator still holds it).
    expect(emulator.count('restart')).toBe(1);
    expect(emulator.requests.filter((r) => r.route === 'restart').map((r) => r.status)).toEqual([-1]);
    // It may have reached DataArts: the attempt stays counted and is reported unconfirmed.
    expect(outcomeOf(report, 1)).toMatchObject({
      outcome: 'error',
      detail: expect.stringMatching(/^ABORTED: /),
    });
    expect(report.errors).toMatchObject([{ instanceId: '1', code: 'ABORTED', attemptCounted: true }]);
    expect(report.unconfirmed).toMatchObject([{ instanceId: '1', attempt: 1, code: 'ABORTED' }]);
    const entry = (await ledger.read([keyOf(report, 1)])).values().next().value;
    expect(entry).toMatchObject({ attempts: 1, lastOutcome: 'unconfirmed' });
    // Nothing more is started once the sweep is stopped.
    expect(outcomeOf(report, 2)).toMatchObject({ outcome: 'deferred', detail: SKIP_REASONS.deferred });
    expect(report.deferred).toMatchObject([{ instanceId: '2' }]);
  });

  it('while the claim is being written: deferred, not an error, and nothing is sent', async () => {
    await start();
    const stop = new AbortController();
    emulator.seed(PROJECT, undefined, [failedAgo(1, 40), failedAgo(2, 30)]);
    const ledger = new AbortDuringClaimLedger(stop);
    const report = await sweeper(emulator, clock, ledger, { concurrency: 1 }).run({ signal: stop.signal });

    expect(emulator.count('restart')).toBe(0);
    expect(outcomeOf(report, 1)).toMatchObject({ outcome: 'deferred', detail: SKIP_REASONS.deferred });
    expect(outcomeOf(report, 2)).toMatchObject({ outcome: 'deferred', detail: SKIP_REASONS.deferred });
    expect(report.deferred.map((d) => d.instanceId)).toEqual(['1', '2']);
    // An abort is not a ledger failure: no error, the target is not halted.
    expect(report.errors).toEqual([]);
    expect(report.targets[0]?.error).toBeUndefined();
    expect(report.totals).toEqual({ deferred: 2 });
    // The abandoned write still lands: a leased claim with nothing sent, which expires.
    await expect(ledger.claimWritten).resolves.toBe(true);
    const entry = (await ledger.read([keyOf(report, 1)])).values().next().value;
    expect(entry).toMatchObject({ attempts: 1, lastOutcome: 'in-flight' });
  });
});

describe('a systemic refusal halts the target', () => {
  beforeEach(() => start());

  it.each([
    { kind: 403 as const, refusal: /^stopped after APIGW\.0302 \(HTTP 403, request id [0-9a-f]{32}\): / },
    {
      kind: 'no-permission' as const,
      refusal: /^stopped after DLF\.6888 \(HTTP 400, request id [0-9a-f]{32}\): /,
    },
  ])(
    'instances not started after a $kind refusal carry the halt reason itself as their detail',
    async ({ kind, refusal }) => {
      emulator.seed(PROJECT, undefined, [failedAgo(1, 50), failedAgo(2, 40), failedAgo(3, 30)]);
      emulator.inject({ route: 'restart', kind });
      const report = await sweeper(emulator, clock, new MemoryLedger(), { concurrency: 1 }).run();

      expect(emulator.count('restart')).toBe(1);
      const halt = report.targets[0]?.error;
      expect(halt?.code).toBe('TARGET_HALTED');
      expect(halt?.message).toMatch(refusal);
      expect(halt?.message).toMatch(/nothing more is restarted on this target$/);
      // The oldest got the refusal; the others were never started, and say why exactly.
      expect(outcomeOf(report, 1)?.outcome).toBe('error');
      for (const id of [2, 3])
        expect(outcomeOf(report, id)).toEqual(
          expect.objectContaining({ outcome: 'target-halted', detail: halt?.message }),
        );
      expect(report.totals['target-halted']).toBe(2);
    },
  );
});

describe('which statuses a target lists', () => {
  it('a rule that sets no statuses adds none: only the failure-like ones are listed per status', async () => {
    // A total one above what is delivered: the window is listed again per status.
    await start({ reportTotal: (actual) => actual + 1 });
    emulator.seed(PROJECT, undefined, [failedAgo(1, 40), failedAgo(2, 30)]);
    const report = await sweeper(emulator, clock, new MemoryLedger(), {
      rules: [{ match: 'job_1', maxAttempts: 5 }],
    }).run();

    const lists = emulator.requests.filter((r) => r.route === 'list');
    expect(lists.map((r) => r.query.status ?? '(any)').sort()).toEqual([
      '(any)',
      'fail',
      'manual-stop',
      'running-exception',
    ]);
    const incomplete = report.errors.filter((e) => e.code === 'LIST_INCOMPLETE');
    expect(incomplete.map((e) => e.message.split(':')[0])).toEqual([
      'status fail',
      'status manual-stop',
      'status running-exception',
    ]);
    expect(report.restarted.map((r) => r.instanceId).sort()).toEqual(['1', '2']);
  });
});

describe('statuses DataArts does not document', () => {
  const row = (id: number, status: string) =>
    JSON.stringify({
      jobName: `job_${id}`,
      instanceId: id,
      status,
      planTime: T0 - 40 * 60_000,
      endTime: T0 - 30 * 60_000,
    });

  it('are counted per target by the value seen, never decided, never an error', async () => {
    await start();
    emulator.seed(PROJECT, undefined, [
      failedAgo(1, 30),
      failedAgo(2, 30, { status: 'FAIL' }),
      failedAgo(3, 30, { status: 'fail ' }),
      failedAgo(4, 30, { status: 'FAIL' }),
      failedAgo(5, 30, { status: 'success' }),
      failedAgo(6, 30, { status: 'waiting-confirm' }),
      failedAgo(7, 30, { status: '__proto__' }),
    ]);
    const report = await sweeper(emulator, clock, new MemoryLedger()).run();
    expect(report.targets[0]?.unknownStatuses).toEqual({ FAIL: 2, 'fail ': 1, ['__proto__']: 1 });
    expect(Object.keys(report.targets[0]?.unknownStatuses ?? {})).toEqual(['FAIL', 'fail ', '__proto__']);
    expect(report.errors).toEqual([]);
    expect(report.decisions.map((d) => d.instanceId)).toEqual(['1']);
    expect(report.restarted.map((r) => r.instanceId)).toEqual(['1']);
    expect(emulator.count('restart')).toBe(1);
  });

  it('are counted when a listing asked for one status answers another (each instance once)', async () => {
    // A total one above what is delivered: the window is listed again per status.
    await start({ reportTotal: (actual) => actual + 1 });
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    // Whichever status listing gets it, this answer repeats instance 1 and adds an odd one.
    const odd = `{"total":2,"instances":[${row(1, 'fail')},${row(2, 'Fail')}]}`;
    emulator.inject({ route: 'list', kind: 'custom', nth: 2, body: odd });
    emulator.inject({ route: 'list', kind: 'custom', nth: 3, body: odd });
    const report = await sweeper(emulator, clock, new MemoryLedger()).run();
    expect(emulator.requests.filter((r) => r.route === 'list' && r.query.status !== undefined)).toHaveLength(
      3,
    );
    expect(report.targets[0]?.unknownStatuses).toEqual({ Fail: 1 });
    expect(report.restarted.map((r) => r.instanceId)).toEqual(['1']);
  });

  it('leave the report as it was when there are none', async () => {
    await start();
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    const report = await sweeper(emulator, clock, new MemoryLedger()).run();
    expect(report.targets[0]).not.toHaveProperty('unknownStatuses');
  });
});

describe('a listing whose windows deliver fewer instances than they claim', () => {
  /** A sweep of `lookback` listed in one-hour pieces, each piece's total one above what it delivers. */
  async function sweepInPieces(lookback: string): Promise<SweepReport> {
    await start({ reportTotal: (actual) => actual + 1 });
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    const config = parseConfig({
      targets: [{ name: 'prod', endpoint: emulator.url, projectId: PROJECT }],
      ledger: { type: 'file', path: '/unused' },
      policy: { stormGuard: { enabled: false }, lookback },
      client: { timeout: '5s', maxWindow: '1h' },
    });
    return runSweep(
      {
        config,
        targets: buildTargets(config, { kind: 'aksk', ak: AK, sk: SK }, clock, FAST),
        ledger: new MemoryLedger(),
        clock,
        random: seededRandom(1),
      },
      { itemsPerOutcome: Number.POSITIVE_INFINITY },
    );
  }

  /** What the report says of each window the `fail` listing requested: `<window> claimed N, delivered M`. */
  function failWindows(): string[] {
    return emulator.requests
      .filter((r) => r.route === 'list' && r.query.status === 'fail')
      .map((r) => {
        const [from, to] = [Number(r.query.minPlanTime), Number(r.query.maxPlanTime)];
        const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
        return `${iso(from)}..${iso(to)} (${to - from} ms)`;
      });
  }

  const message = (report: SweepReport) => {
    const lines = report.errors.filter(
      (e) => e.code === 'LIST_INCOMPLETE' && e.message.startsWith('status fail:'),
    );
    expect(lines).toHaveLength(1);
    return lines[0]?.message ?? '';
  };

  /** The windows a message shows, checked against those requested: each once, each one short. */
  function shownWindows(shown: string, requested: readonly string[]): void {
    const items = shown.split('; ');
    expect(items).toHaveLength(3);
    const windows = items.map((item) => {
      const m = /^(.*) claimed (\d+), delivered (\d+)$/.exec(item);
      expect(m).not.toBeNull();
      expect(Number(m?.[2]) - Number(m?.[3])).toBe(1);
      return m?.[1];
    });
    expect(new Set(windows).size).toBe(3);
    for (const w of windows) expect(requested).toContain(w);
  }

  it('more than three: three are shown, then "; ...", with the total missing over all of them', async () => {
    const report = await sweepInPieces('4h');
    const requested = failWindows();
    expect(requested).toHaveLength(5);
    const m =
      /^status fail: up to 5 instances could not be listed: 5 windows delivered fewer instances than their total claimed \((.*); \.\.\.\)$/.exec(
        message(report),
      );
    expect(m).not.toBeNull();
    shownWindows(m?.[1] ?? '', requested);
    // What was delivered is still restarted.
    expect(report.restarted.map((r) => r.instanceId)).toEqual(['1']);
  });

  it('exactly three: all are shown, with nothing after them', async () => {
    const report = await sweepInPieces('2h');
    const requested = failWindows();
    expect(requested).toHaveLength(3);
    const m =
      /^status fail: up to 3 instances could not be listed: 3 windows delivered fewer instances than their total claimed \((.*)\)$/.exec(
        message(report),
      );
    expect(m).not.toBeNull();
    expect(m?.[1]).not.toMatch(/\.\.\.$/);
    shownWindows(m?.[1] ?? '', requested);
  });
});

describe('an instance whose time cannot be an epoch-ms time of DataArts', () => {
  const DAY = 86_400_000;
  const failedAt = T0 - 30 * 60_000;
  const bad: Array<[string, Partial<InstanceSeed>, string]> = [
    ['endTime in nanoseconds', { endTime: failedAt * 1e6 }, `endTime ${failedAt * 1e6}`],
    ['startTime in seconds', { startTime: Math.floor(failedAt / 1000) }, 'startTime'],
    ['submitTime 0', { submitTime: 0 }, 'submitTime 0'],
    ['endTime negative', { endTime: -1 }, 'endTime -1'],
    ['planTime just before 2000-01-01', { planTime: Date.UTC(2000, 0, 1) - 1 }, 'planTime'],
    ['endTime over a day after the sweep’s clock', { endTime: T0 + DAY + 5 * 60_000 }, 'endTime'],
  ];

  it.each(bad)(
    '%s: that one is malformed and reported on every sweep, the three beside it are swept',
    async (_name, times, field) => {
      // The emulator filters on the other time, so the instance is listed whatever this one says.
      await start({ timeField: 'planTime' in times ? 'startTime' : 'planTime' });
      emulator.seed(PROJECT, undefined, [
        failedAgo(1, 30),
        failedAgo(2, 31),
        failedAgo(3, 32),
        failedAgo(4, 33, times),
      ]);
      const sweep = sweeper(emulator, clock, new MemoryLedger());
      for (const round of [1, 2]) {
        const report = await sweep.run();
        expect(report.targets[0]?.error).toBeUndefined();
        expect(report.errors).toEqual([
          {
            target: 'prod',
            workspace: 'default',
            code: 'MALFORMED_INSTANCE',
            message: expect.stringContaining(`job job_4, instance 4: ${field}`),
          },
        ]);
        expect(report.errors[0]?.message).toMatch(/is not an epoch-ms time from 2000-01-01 to a day after/);
        // Never decided, so never restarted; the others are, once each.
        expect(report.decisions.filter((d) => d.instanceId === '4')).toEqual([]);
        if (round === 1) expect(report.restarted.map((r) => r.instanceId).sort()).toEqual(['1', '2', '3']);
        clock.advance(60_000);
      }
      expect(emulator.restarts(4)).toBe(0);
      expect([1, 2, 3].map((id) => emulator.restarts(id))).toEqual([1, 1, 1]);
    },
  );

  it.each([
    ['planTime exactly 2000-01-01', { planTime: Date.UTC(2000, 0, 1) }],
    ['endTime exactly a day after the sweep’s clock (DataArts’ clock ahead)', { endTime: T0 + DAY }],
  ])('%s: plausible, decided like any failure', async (_name, times) => {
    await start({ timeField: 'startTime' });
    emulator.seed(PROJECT, undefined, [failedAgo(4, 33, times)]);
    const report = await sweeper(emulator, clock, new MemoryLedger()).run();
    expect(report.errors).toEqual([]);
    expect(report.decisions.map((d) => d.instanceId)).toEqual(['4']);
  });
});
