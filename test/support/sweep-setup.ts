import { failedEndedAgo } from '../../emulator/builders';
import type { ManualClock } from '../../emulator/manual-clock';
import { seededRandom } from '../../emulator/seeded-random';
import type { Emulator } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import { parseConfig } from '../../lib/config/parse';
import type { InstanceKey, Ledger } from '../../lib/ledger/ledger';
import type { Logger } from '../../lib/log';
import { runSweep, type SweepDeps, type SweepOptions } from '../../lib/sweep/sweep';
import { buildTargets } from '../../lib/wiring';
import { claimRequest } from './ledger-entries';
import { AK, emulatorWithClock, FAST, PROJECT, SK, T0 } from './targets';

const MIN = 60_000;

/** A sweep wired to the emulator, with test-speed transport settings. */
export function sweeper(
  emulator: Emulator,
  clock: ManualClock,
  ledger: Ledger,
  policy: Record<string, unknown> = {},
  extra: {
    targets?: Array<Record<string, unknown>>;
    sk?: string;
    ledger?: Record<string, unknown>;
    logger?: Logger;
  } = {},
) {
  const config = parseConfig({
    targets: extra.targets ?? [{ name: 'prod', endpoint: emulator.url, projectId: PROJECT }],
    ledger: { type: 'file', path: '/unused', ...extra.ledger },
    policy: { stormGuard: { enabled: false }, ...policy },
    // As FAST's timeout: long enough that a loaded machine never times out a test sweep.
    client: { timeout: '5s' },
  });
  const targets = buildTargets(config, { kind: 'aksk', ak: AK, sk: extra.sk ?? SK }, clock, FAST);
  const deps: SweepDeps = {
    config,
    targets,
    ledger,
    clock,
    random: seededRandom(1),
    ...(extra.logger ? { logger: extra.logger } : {}),
  };
  return {
    config,
    deps,
    // Every decision kept: these tests account for each listed instance one by one.
    run: (options: SweepOptions = {}) =>
      runSweep(deps, { itemsPerOutcome: Number.POSITIVE_INFINITY, ...options }),
  };
}

/**
 * Starts an emulator (on a manual clock at T0) before each test and closes it after;
 * `set` receives both, so a test file keeps its own `emulator` and `clock` variables.
 */
export function emulatorPerTest(set: (started: { emulator: Emulator; clock: ManualClock }) => void): void {
  let started: Emulator | undefined;
  beforeEach(async () => {
    const s = await emulatorWithClock();
    started = s.emulator;
    set(s);
  });
  afterEach(async () => started?.close());
}

/** A failed instance of `job_${id}` that ended `minutes` before T0 after a ten-minute run. */
export const failedAgo = (id: number, minutes: number, extra: Partial<InstanceSeed> = {}): InstanceSeed =>
  failedEndedAgo(T0, id, minutes, extra);

/**
 * `count` failures ended one second apart (the first the oldest, the newest 40 min and 1 s
 * before T0), ids from `firstId`, of `jobs` jobs taken in turn (`job_0`, `job_1`, …).
 */
export function failuresSecondsApart(count: number, { firstId = 1, jobs = 40 } = {}): InstanceSeed[] {
  return Array.from({ length: count }, (_, i) =>
    failedEndedAgo(T0 - (count - i) * 1000, firstId + i, 40, { jobName: `job_${i % jobs}` }),
  );
}

/** The ledger key of an instance of the `prod` target's default workspace (as `sweeper` names it). */
export const prodKey = (jobName: string, instanceId: string): InstanceKey => ({
  target: 'prod',
  workspace: 'default',
  jobName,
  instanceId,
});

/**
 * Writes `attempts` claimed-and-rerun attempts three hours before T0, as sweeps under a
 * rule of `maxAttempts` did, each answering an older failure than the one listed now.
 */
export async function attemptsMade(
  ledger: Ledger,
  key: InstanceKey,
  attempts: number,
  maxAttempts: number,
): Promise<void> {
  const at = T0 - 3 * 60 * MIN;
  for (let a = 0; a < attempts; a++) {
    const claimId = `seed-${a}`;
    const request = claimRequest(at, {
      expectedAttempts: a,
      maxAttempts,
      claimId,
      failureAt: at - 60 * MIN + a,
      notBefore: at,
      leaseUntil: at + 1000,
      observedAt: at,
    });
    expect(await ledger.claim(key, request)).toBe(true);
    expect(await ledger.settle(key, { attempt: a + 1, claimId, at, outcome: 'restarted' })).toBe(true);
  }
}
