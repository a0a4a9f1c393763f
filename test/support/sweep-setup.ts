import type { Emulator } from '../../emulator/server';
import { parseConfig } from '../../lib/config/parse';
import type { Ledger } from '../../lib/ledger/ledger';
import { runSweep, type SweepOptions } from '../../lib/sweep/sweep';
import { buildTargets } from '../../lib/wiring';
import type { ManualClock } from './manual-clock';
import { seededRandom } from './seeded-random';
import { AK, FAST, PROJECT, SK } from './targets';

/** A sweep wired to the emulator, with test-speed transport settings. */
export function sweeper(
  emulator: Emulator,
  clock: ManualClock,
  ledger: Ledger,
  policy: Record<string, unknown> = {},
  extra: { targets?: Array<Record<string, unknown>>; sk?: string; ledger?: Record<string, unknown> } = {},
) {
  const config = parseConfig({
    targets: extra.targets ?? [{ name: 'prod', endpoint: emulator.url, projectId: PROJECT }],
    ledger: { type: 'file', path: '/unused', ...extra.ledger },
    policy: { stormGuard: { enabled: false }, ...policy },
    // As FAST's timeout: long enough that a loaded machine never times out a test sweep.
    client: { timeout: '5s' },
  });
  const targets = buildTargets(config, { kind: 'aksk', ak: AK, sk: extra.sk ?? SK }, clock, FAST);
  return {
    config,
    run: (options: SweepOptions = {}) =>
      runSweep({ config, targets, ledger, clock, random: seededRandom(1) }, options),
  };
}
