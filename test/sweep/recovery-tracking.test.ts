import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import type { InstanceKey, Ledger } from '../../lib/ledger/ledger';
import type { LedgerHistory } from '../../lib/ledger/ledger-history';
import type { LedgerRecovery } from '../../lib/ledger/ledger-recovery';
import { buildSummary } from '../../lib/notify/summary';
import type { SweepReport } from '../../lib/sweep/report';
import { freshDynamoLedger } from '../support/dynamo';
import { claimRequest, LEDGER_NOW } from '../support/ledger-entries';
import { MEMORY_AND_DYNAMO } from '../support/ledger-kinds';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, failedAgo, sweeper } from '../support/sweep-setup';
import { PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

const failed = (id: number, extra: Partial<InstanceSeed> = {}): InstanceSeed =>
  failedAgo(id, 30, { errorMessage: 'connection reset', ...extra });

/** Sweeps now, then again `minutes` later, on one ledger. */
async function twoSweeps(ledger: Ledger, minutes: number, policy: Record<string, unknown> = {}) {
  const s = sweeper(emulator, clock, ledger, { firstRetryDelay: '1m', ...policy });
  const first = await s.run();
  clock.advance(minutes * MIN);
  const second = await s.run();
  return { first, second, s };
}

const recoveryOf = (report: SweepReport) => report.targets[0]?.recovery;

describe('recovery tracking', () => {
  it('records a rerun that succeeded as recovered, once, with one show request', async () => {
    emulator.seed(PROJECT, undefined, [failed(1)]);
    const { first, second, s } = await twoSweeps(new MemoryLedger(), 15);
    expect(first.restarted).toHaveLength(1);
    expect(recoveryOf(first)).toBeUndefined();
    expect(recoveryOf(second)).toEqual({ recovered: 1, failedAgain: 0, pending: 0 });
    expect(second.recovered).toEqual([
      { target: 'prod', workspace: 'default', jobName: 'job_1', instanceId: '1' },
    ]);
    expect(second.apiCalls.show).toBe(1);
    const summary = buildSummary(second);
    expect(summary.sections.find((x) => x.kind === 'recovery')?.lines).toEqual([
      '1 of 1 reruns since the last sweep recovered',
    ]);
    expect(
      buildSummary(second, { locale: 'zh-CN' }).sections.find((x) => x.kind === 'recovery')?.lines,
    ).toEqual(['自上次巡检以来的 1 次重跑中有 1 次已恢复']);
    // Recorded once: the next sweep has nothing left to judge, and asks nothing.
    const third = await s.run();
    expect(recoveryOf(third)).toBeUndefined();
    expect(third.apiCalls.show).toBe(0);
  });

  it('records a rerun that failed again from the listing, without a request, before the next claim', async () => {
    emulator.seed(PROJECT, undefined, [failed(1, { afterScript: 'fail' })]);
    const { second } = await twoSweeps(new MemoryLedger(), 20);
    expect(recoveryOf(second)).toEqual({ recovered: 0, failedAgain: 1, pending: 0 });
    expect(second.recovered).toEqual([]);
    expect(second.apiCalls.show).toBe(0);
    // The new failure earns its own attempt in the same sweep.
    expect(second.restarted).toMatchObject([{ instanceId: '1', attempt: 2 }]);
    expect(buildSummary(second).sections.find((x) => x.kind === 'recovery')?.lines).toEqual([
      '0 of 1 reruns since the last sweep recovered',
    ]);
  });

  it('tells apart two jobs whose reruns share an instance id: one recovered, one failed again', async () => {
    emulator.seed(PROJECT, undefined, [
      failed(1, { jobName: 'job_a' }),
      failed(1, { jobName: 'job_b', afterScript: 'fail' }),
    ]);
    const ledger = new MemoryLedger();
    const { first, second } = await twoSweeps(ledger, 20);
    expect(first.restarted.map((r) => r.jobName).sort()).toEqual(['job_a', 'job_b']);
    expect(recoveryOf(second)).toEqual({ recovered: 1, failedAgain: 1, pending: 0 });
    expect(second.recovered).toEqual([
      { target: 'prod', workspace: 'default', jobName: 'job_a', instanceId: '1' },
    ]);
    expect(second.restarted).toMatchObject([{ jobName: 'job_b', instanceId: '1', attempt: 2 }]);
    expect(await ledger.jobRecovery('prod', ['job_a', 'job_b'])).toEqual(
      new Map([
        ['job_a', { recovered: 1, failedAgain: 0 }],
        ['job_b', { recovered: 0, failedAgain: 1 }],
      ]),
    );
  });

  it('gives no verdict to a rerun still running, then judges it when it ends', async () => {
    emulator.seed(PROJECT, undefined, [failed(1)]);
    const ledger = new MemoryLedger();
    const { second, s } = await twoSweeps(ledger, 2);
    expect(recoveryOf(second)).toEqual({ recovered: 0, failedAgain: 0, pending: 1 });
    clock.advance(15 * MIN);
    expect(recoveryOf(await s.run())).toEqual({ recovered: 1, failedAgain: 0, pending: 0 });
  });

  it('gives no verdict when the instance is gone, and the sweep goes on', async () => {
    emulator.seed(PROJECT, undefined, [
      failed(1),
      failed(2, { planTime: T0 - 20 * MIN, startTime: T0 - 20 * MIN, endTime: T0 - 5 * MIN }),
    ]);
    const ledger = new MemoryLedger();
    const s = sweeper(emulator, clock, ledger, { firstRetryDelay: '10m' });
    expect((await s.run()).restarted.map((r) => r.instanceId)).toEqual(['1']);
    clock.advance(15 * MIN);
    emulator.inject({ route: 'show', kind: 'instance-vanished' });
    const second = await s.run();
    expect(recoveryOf(second)).toEqual({ recovered: 0, failedAgain: 0, pending: 1 });
    expect(second.restarted.map((r) => r.instanceId)).toEqual(['2']);
  });

  it('names a job whose reruns recovered 0 of 3 or more', async () => {
    emulator.seed(
      PROJECT,
      undefined,
      [1, 2, 3].map((id) => failed(id, { jobName: 'flaky', afterScript: 'fail' })),
    );
    const { second } = await twoSweeps(new MemoryLedger(), 20);
    expect(recoveryOf(second)).toMatchObject({ failedAgain: 3 });
    expect(second.notHelping).toEqual([{ target: 'prod', jobName: 'flaky', recovered: 0, failedAgain: 3 }]);
    const section = buildSummary(second).sections.find((x) => x.kind === 'not-helping');
    expect(section?.title).toBe('Reruns have not helped these jobs: consider a rule (1)');
    expect(section?.lines).toEqual(['prod / flaky: 0 of 3 reruns recovered']);
  });

  it('beyond 20 reruns, lists the successes once instead of a show each', async () => {
    emulator.seed(
      PROJECT,
      undefined,
      Array.from({ length: 25 }, (_, i) => failed(i + 1)),
    );
    // 25 jobs failing with one message are an incident: this is about reruns that all went.
    const { second } = await twoSweeps(new MemoryLedger(), 15, { incidents: { enabled: false } });
    expect(recoveryOf(second)).toEqual({ recovered: 25, failedAgain: 0, pending: 0 });
    expect(second.apiCalls.show).toBe(0);
  });

  it('a dry run reports what it would record and records nothing', async () => {
    emulator.seed(PROJECT, undefined, [failed(1)]);
    const ledger = new MemoryLedger();
    const s = sweeper(emulator, clock, ledger, { firstRetryDelay: '1m' });
    await s.run();
    clock.advance(15 * MIN);
    expect(recoveryOf(await s.run({ dryRun: true }))).toMatchObject({ recovered: 1 });
    expect(recoveryOf(await s.run())).toMatchObject({ recovered: 1 });
  });

  it('works the same on DynamoDB: the rerun awaits its verdict in the sparse index, and leaves it', async () => {
    emulator.seed(PROJECT, undefined, [failed(1), failed(2, { afterScript: 'fail' })]);
    const { ledger } = await freshDynamoLedger();
    const { second, s } = await twoSweeps(ledger, 20);
    expect(recoveryOf(second)).toEqual({ recovered: 1, failedAgain: 1, pending: 0 });
    expect(await ledger.awaitingVerdict('prod')).toEqual([
      expect.objectContaining({ instanceId: '2', attempts: 2, lastOutcome: 'restarted' }),
    ]);
    expect(await ledger.inFlight('prod')).toEqual([]);
    clock.advance(1 * MIN);
    expect(recoveryOf(await s.run())).toEqual({ recovered: 0, failedAgain: 0, pending: 1 });
  });
});

/**
 * An operator reset of an entry whose last attempt was `restarted` (no verdict yet): a
 * verdict can no longer be recorded for it, so it must leave the reruns awaiting one
 * (else every sweep in the look-back pays a show for it, and on DynamoDB it stays in
 * the sparse `leases` index until its TTL).
 */
/** A custom ledger that implements only `Ledger`: no recovery capability. */
class LedgerWithoutRecovery extends MemoryLedger {
  override readonly recovery = undefined;
}

describe('a ledger without recovery', () => {
  it('sweeps as any other, reports no recovery, and records no verdict', async () => {
    emulator.seed(PROJECT, undefined, [failed(1), failed(2, { afterScript: 'fail' })]);
    const ledger = new LedgerWithoutRecovery();
    const { first, second } = await twoSweeps(ledger, 20);
    expect(first.restarted.map((r) => r.instanceId).sort()).toEqual(['1', '2']);
    // The rerun that failed again earns its own attempt: every listed failure is accounted for.
    expect(second.restarted).toMatchObject([{ instanceId: '2', attempt: 2 }]);
    expect(second.decisions.map((d) => d.instanceId).sort()).toEqual(['2']);
    expect(second.targets[0]?.error).toBeUndefined();
    expect(recoveryOf(second)).toBeUndefined();
    expect(second.recovered).toEqual([]);
    expect(second.notHelping).toEqual([]);
    expect(second.apiCalls.show).toBe(0);
    expect(buildSummary(second).sections.find((x) => x.kind === 'recovery')).toBeUndefined();
    // Nothing judged: both reruns (2's second one too) still await a verdict no sweep of this ledger gives.
    expect((await ledger.awaitingVerdict('prod')).map((e) => e.instanceId).sort()).toEqual(['1', '2']);
  });
});

describe.each<[string, () => Promise<Ledger & LedgerHistory & LedgerRecovery>]>(MEMORY_AND_DYNAMO)(
  '%s ledger: reset of a rerun awaiting its verdict',
  (_name, make) => {
    const key: InstanceKey = { target: 't', workspace: 'default', jobName: 'ods_orders', instanceId: '1' };

    it('is no longer awaiting a verdict it can never get', async () => {
      const ledger = await make();
      expect(await ledger.claim(key, claimRequest(LEDGER_NOW))).toBe(true);
      expect(
        await ledger.settle(key, { attempt: 1, claimId: 'c1', at: LEDGER_NOW, outcome: 'restarted' }),
      ).toBe(true);
      const reset = await ledger.reset(key, { now: LEDGER_NOW + 300_000, by: 'op@host', reason: 'fixed' });
      expect(reset.status).toBe('reset');

      const awaiting = await ledger.awaitingVerdict('t');
      if (awaiting.length > 0) {
        // Whatever a sweep sees, the verdict cannot be written: the entry is stuck awaiting.
        const entry = awaiting[0]!;
        expect(
          await ledger.markRecovery(
            entry,
            entry.attempts,
            'recovered',
            LEDGER_NOW + 400_000,
            LEDGER_NOW + 86_400_000,
          ),
        ).toBe(true);
      }
      expect(await ledger.awaitingVerdict('t')).toEqual([]);
    });
  },
);
