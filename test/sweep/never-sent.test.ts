/**
 * Which failed restarts give their attempt back (lib/sweep/restart-one.ts, `neverSent`):
 * only one that certainly never reached DataArts. Two sides, each pinned over the
 * emulator (Stryker found the `UNSAFE_PATH` test unrun by any sweep test):
 *
 * - A job name that would change the restart's path (`..`, a control character) is
 *   refused by `apiPath` before anything is sent (MalformedResponseError UNSAFE_PATH):
 *   the claim is released and the attempt is not counted, this sweep or the next. A
 *   listing normally drops such a row when it reads it (MALFORMED_INSTANCE), so the
 *   restart path's check is the last line of defence; to reach it the listing here is
 *   the real client's, with the name changed after reading (`wrapClient`), as a reader
 *   that let it through would hand it on.
 * - A restart that reached DataArts and was applied, but whose answer is malformed (a
 *   MalformedResponseError of another code: RESPONSE_TOO_LARGE), stays counted and
 *   unconfirmed: freeing the budget there would let a later sweep rerun it a second time.
 *
 * Everything runs over the emulator on a manual clock; nothing depends on machine speed.
 */

import type { ManualClock } from '../../emulator/manual-clock';
import { seededRandom } from '../../emulator/seeded-random';
import type { Emulator } from '../../emulator/server';
import { wrapClient } from '../../lib/cli/wrap-client';
import { parseConfig } from '../../lib/config/parse';
import type { TransportOptions } from '../../lib/dataarts/transport';
import type { InstanceKey } from '../../lib/ledger/ledger';
import type { SweepReport } from '../../lib/sweep/report';
import { runSweep } from '../../lib/sweep/sweep';
import type { TargetApi } from '../../lib/sweep/target-input';
import { buildTargets } from '../../lib/wiring';
import { MemoryLedger } from '../support/memory-ledger';
import { emulatorPerTest, failedAgo } from '../support/sweep-setup';
import { AK, FAST, PROJECT, SK, T0 } from '../support/targets';

const MIN = 60_000;
const ZERO_BACKOFF = { firstRetryDelay: '0s', backoff: { base: '0s', jitter: 'none' }, maxAttempts: 3 };
let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

const keyOf = (report: SweepReport, id: number): InstanceKey => {
  const d = report.decisions.find((x) => x.instanceId === String(id));
  if (!d) throw new Error(`no decision for instance ${id}`);
  return { target: d.target, workspace: d.workspace, jobName: d.jobName, instanceId: d.instanceId };
};

const entryOf = async (ledger: MemoryLedger, key: InstanceKey) =>
  (await ledger.read([key])).values().next().value;

/**
 * A sweep wired as `sweeper` (test/support/sweep-setup.ts) does, with the transport
 * settings `transport` on top of FAST and the client's listing passed through `relist`.
 */
function sweepWith(
  ledger: MemoryLedger,
  options: {
    transport?: Partial<TransportOptions>;
    policy?: Record<string, unknown>;
    relist?: (listed: Awaited<ReturnType<TargetApi['listInstances']>>) => typeof listed;
  } = {},
) {
  const config = parseConfig({
    targets: [{ name: 'prod', endpoint: emulator.url, projectId: PROJECT }],
    ledger: { type: 'file', path: '/unused' },
    policy: { stormGuard: { enabled: false }, firstRetryDelay: '1m', ...options.policy },
    client: { timeout: '5s' },
  });
  const built = buildTargets(config, { kind: 'aksk', ak: AK, sk: SK }, clock, {
    ...FAST,
    ...options.transport,
  });
  const relist = options.relist;
  const targets = built.map(({ target, client }) => ({
    target,
    client: relist
      ? wrapClient(client, {
          listInstances: async (...args) => relist(await client.listInstances(...args)),
        })
      : client,
  }));
  return () =>
    runSweep(
      { config, targets, ledger, clock, random: seededRandom(1) },
      { itemsPerOutcome: Number.POSITIVE_INFINITY },
    );
}

describe('a job name that would change the restart path is never sent', () => {
  it('a listed unsafe name is dropped when the list answer is read: no claim, no restart', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30, { jobName: '..' })]);
    const ledger = new MemoryLedger();
    const report = await sweepWith(ledger)();
    expect(emulator.count('list')).toBeGreaterThan(0);
    expect(report.errors).toMatchObject([
      { code: 'MALFORMED_INSTANCE', message: expect.stringContaining('dot segment') },
    ]);
    expect(report.decisions).toEqual([]);
    expect(emulator.count('restart')).toBe(0);
  });

  it.each([
    ['a dot segment', '..'],
    ['a control character', 'job\u0007_1'],
  ])(
    'one that reaches the restart (%s) is refused before sending: released, not counted, this sweep or the next',
    async (_, unsafe) => {
      emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
      const ledger = new MemoryLedger();
      // The instance as listed over HTTP, its job name changed after the list answer was read.
      const sweep = sweepWith(ledger, {
        relist: (listed) => ({
          ...listed,
          instances: listed.instances.map((i) => (i.instanceId === '1' ? { ...i, jobName: unsafe } : i)),
        }),
      });

      const first = await sweep();
      expect(emulator.count('restart')).toBe(0);
      expect(first.restarted).toEqual([]);
      expect(first.unconfirmed).toEqual([]);
      expect(first.errors).toMatchObject([
        { instanceId: '1', jobName: unsafe, code: 'UNSAFE_PATH', attemptCounted: false },
      ]);
      // Not a systemic refusal: the target goes on.
      expect(first.targets[0]?.error).toBeUndefined();
      const key = keyOf(first, 1);
      expect(await entryOf(ledger, key)).toMatchObject({ attempts: 0, lastOutcome: 'released' });
      await expect(ledger.hourlyCount('prod', T0)).resolves.toBe(0);

      // A later sweep meets the same name: refused again, and again not counted.
      clock.advance(10 * MIN);
      const second = await sweep();
      expect(emulator.count('restart')).toBe(0);
      expect(second.errors).toMatchObject([{ instanceId: '1', code: 'UNSAFE_PATH', attemptCounted: false }]);
      expect(await entryOf(ledger, key)).toMatchObject({ attempts: 0, lastOutcome: 'released' });
      expect(emulator.restarts(1)).toBe(0);
    },
  );
});

describe('an attempt given back frees its place in the sweep cap', () => {
  it('the next restart of the target is still made within a cap of 2', async () => {
    // The oldest failure (1) goes first and is refused before sending; 2 must still go.
    emulator.seed(PROJECT, undefined, [failedAgo(1, 40), failedAgo(2, 30)]);
    const sweep = sweepWith(new MemoryLedger(), {
      policy: { maxRestartsPerSweep: 2, concurrency: 1 },
      relist: (listed) => ({
        ...listed,
        instances: listed.instances.map((i) => (i.instanceId === '1' ? { ...i, jobName: '..' } : i)),
      }),
    });
    const report = await sweep();
    expect(report.errors).toMatchObject([{ instanceId: '1', code: 'UNSAFE_PATH', attemptCounted: false }]);
    expect(report.restarted.map((r) => r.instanceId)).toEqual(['2']);
    expect(emulator.restarts(2)).toBe(1);
  });
});

describe('a restart that reached DataArts but was answered malformed', () => {
  it('stays counted and unconfirmed (RESPONSE_TOO_LARGE): never restarted twice across two sweeps', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    // Applied 30 s after it was accepted (within the client's assumed 60 s restart lag):
    // the next sweep, 10 s later, still sees the very same failure.
    emulator.setRestartLag(30_000);
    // Accepted and applied, then answered with a body over the client's limit.
    emulator.inject({ route: 'restart', kind: 'custom', processed: true, body: 'x'.repeat(4096) });
    const ledger = new MemoryLedger();
    // No backoff: were the attempt given back, the next sweep would be free to rerun it.
    const sweep = sweepWith(ledger, { transport: { maxResponseBytes: 1024 }, policy: ZERO_BACKOFF });

    const first = await sweep();
    expect(emulator.count('restart')).toBe(1);
    expect(emulator.restarts(1)).toBe(1);
    expect(first.restarted).toEqual([]);
    expect(first.errors).toMatchObject([
      { instanceId: '1', code: 'RESPONSE_TOO_LARGE', attemptCounted: true },
    ]);
    expect(first.unconfirmed).toMatchObject([{ instanceId: '1', attempt: 1, code: 'RESPONSE_TOO_LARGE' }]);
    const key = keyOf(first, 1);
    expect(await entryOf(ledger, key)).toMatchObject({ attempts: 1, lastOutcome: 'unconfirmed' });
    await expect(ledger.hourlyCount('prod', T0)).resolves.toBe(1);

    // The failure still shown, the rerun pending: the counted attempt holds it, no second rerun.
    clock.advance(10_000);
    const second = await sweep();
    expect(second.restarted).toEqual([]);
    expect(second.decisions).toMatchObject([{ instanceId: '1', outcome: 'outcome-unknown' }]);
    expect(emulator.restarts(1)).toBe(1);
    expect(emulator.maxRerunsPerFailure()).toBe(1);
    expect(await entryOf(ledger, key)).toMatchObject({ attempts: 1 });
  });
});
