import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { keyString } from '../../lib/ledger/ledger';
import { MemoryLedger } from '../support/memory-ledger';
import { warningsLogger } from '../support/recording-logger';
import { emulatorPerTest, failedAgo, sweeper } from '../support/sweep-setup';
import { PROJECT } from '../support/targets';

let emulator: Emulator;
let clock: ManualClock;
emulatorPerTest((s) => ({ emulator, clock } = s));

type Method =
  | 'inFlight'
  | 'attemptedKeys'
  | 'read'
  | 'reserveHourly'
  | 'claim'
  | 'settle'
  | 'awaitingVerdict'
  | 'markRecovery';

/** A ledger one of whose methods never answers (a stalled endpoint, a hung disk). */
class HangingLedger extends MemoryLedger {
  constructor(hangs: Method) {
    super();
    const original = (this[hangs] as (...args: unknown[]) => Promise<unknown>).bind(this);
    Object.assign(this, {
      [hangs]: (...args: unknown[]) => (this.hanging ? new Promise(() => undefined) : original(...args)),
    });
  }
  hanging = true;
}

// Every call of the sweep is given up after ledger.timeout (1 s, the least allowed) of real time.
describe('a ledger call that never answers', () => {
  it.each<[Method, { restarted: number; where: 'target' | 'instance' }]>([
    ['inFlight', { restarted: 0, where: 'target' }],
    ['attemptedKeys', { restarted: 0, where: 'target' }],
    ['read', { restarted: 0, where: 'target' }],
    ['reserveHourly', { restarted: 0, where: 'target' }],
    ['claim', { restarted: 0, where: 'target' }],
    ['settle', { restarted: 1, where: 'instance' }],
  ])(
    '%s: the sweep ends with a report that names it, nothing rerun twice, every attempt counted',
    async (method, expected) => {
      emulator.seed(PROJECT, undefined, [failedAgo(1, 40), failedAgo(2, 30)]);
      const ledger = new HangingLedger(method);
      const s = sweeper(emulator, clock, ledger, { concurrency: 1 }, { ledger: { timeout: '1s' } });
      const report = await s.run();

      const named = `did not answer ${method} within 1 s`;
      if (expected.where === 'target') expect(report.targets[0]?.error?.message).toContain(named);
      else expect(report.errors.map((e) => e.message)).toEqual([expect.stringContaining(named)]);
      expect(report.restarted).toHaveLength(expected.restarted);
      expect(emulator.count('restart')).toBe(expected.restarted);
      // Whatever was sent is counted in the ledger: the next sweep cannot rerun it again for this failure.
      ledger.hanging = false;
      for (const r of report.restarted) {
        const entry = (await ledger.read([r])).get(keyString(r));
        expect(entry).toMatchObject({ attempts: 1, lastOutcome: 'in-flight' });
      }
      // Every listed failure is accounted for (reconciling, which comes before the listing, lists none).
      expect(report.decisions.map((d) => d.instanceId).sort()).toEqual(
        method === 'inFlight' ? [] : ['1', '2'],
      );
    },
  );
});

// Recovery is reached through `ledger.recovery`: a call one property deeper is bounded all the same.
describe('a recovery call that never answers', () => {
  it.each<Method>(['awaitingVerdict', 'markRecovery'])(
    '%s: the sweep gives it up after ledger.timeout, warns, and reruns the new failure all the same',
    async (method) => {
      emulator.seed(PROJECT, undefined, [failedAgo(1, 40, { afterScript: 'success' })]);
      const ledger = new HangingLedger(method);
      ledger.hanging = false;
      const { logger, warnings } = warningsLogger();
      const s = sweeper(
        emulator,
        clock,
        ledger,
        { firstRetryDelay: '1m' },
        { ledger: { timeout: '1s' }, logger },
      );
      expect((await s.run()).restarted).toHaveLength(1);
      clock.advance(15 * 60_000);
      emulator.seed(PROJECT, undefined, [failedAgo(2, 5)]);
      ledger.hanging = true;
      const second = await s.run();

      expect(warnings.map((w) => JSON.stringify(w))).toEqual([
        expect.stringContaining(`did not answer ${method} within 1 s`),
      ]);
      expect(second.targets[0]?.error).toBeUndefined();
      expect(second.targets[0]?.recovery?.recovered ?? 0).toBe(0);
      expect(second.restarted.map((r) => r.instanceId)).toEqual(['2']);
      expect(second.decisions.map((d) => d.instanceId).sort()).toContain('2');
    },
  );
});
