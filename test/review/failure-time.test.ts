/**
 * Review of `failureTime` (lib/policy/decide.ts): start → end → plan. The change only
 * guards one direction (a field that APPEARS later); a field that DISAPPEARS from a
 * later answer of the very same run, or a rerun that keeps its instance's startTime,
 * still breaks "at most one rerun per observed failure" / "nothing silently missed".
 */
import { parseConfig } from '../../lib/config/parse';
import type { Instance } from '../../lib/dataarts/instance';
import type { InstanceKey } from '../../lib/ledger/ledger';
import { decide, failureTime } from '../../lib/policy/decide';
import { isNewerFailure, isSameFailure } from '../../lib/policy/failure-identity';
import { resolveRule } from '../../lib/policy/rules';
import { MemoryLedger } from '../support/memory-ledger';

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const config = parseConfig({
  targets: [{ name: 't', endpoint: 'https://x', projectId: 'p' }],
  ledger: { type: 'file', path: 'l.json' },
  // The README: the promises hold with zero backoff.
  policy: { maxAttempts: 3, firstRetryDelay: '0s', backoff: { base: '0s', max: '0s' } },
});
const rule = resolveRule('ods_orders', config.policy);
const context = { policy: config.policy };
const key: InstanceKey = { target: 't', workspace: 'default', jobName: 'ods_orders', instanceId: '1' };

const run = (times: Partial<Instance>): Instance =>
  ({
    jobName: 'ods_orders',
    instanceId: '1',
    status: 'fail',
    instanceType: 0,
    planTime: NOW - 90 * MIN,
    ...times,
  }) as Instance;

/** Sweep-like: read, decide, claim, settle as `outcome`. Returns whether a restart went out. */
async function sweepOnce(
  ledger: MemoryLedger,
  instance: Instance,
  now: number,
  outcome: 'restarted' | 'unconfirmed',
) {
  const entry = [...(await ledger.read([key])).values()][0];
  const decision = decide(instance, entry, rule, now, context);
  if (decision.action !== 'restart') return false;
  const claimId = `c${now}`;
  const claimed = await ledger.claim(key, {
    expectedAttempts: decision.attempt - 1,
    maxAttempts: decision.maxAttempts,
    now,
    notBefore: now,
    expiresAt: now + 86_400_000,
    claimId,
    leaseUntil: now + 190_000,
    failureAt: decision.failureAt,
    ...(decision.failureStart === undefined ? {} : { failureStart: decision.failureStart }),
    ...(decision.failureEnd === undefined ? {} : { failureEnd: decision.failureEnd }),
    observedAt: now,
  });
  if (!claimed) return false;
  await ledger.settle(key, { attempt: decision.attempt, claimId, at: now, outcome });
  return true;
}

describe('failureTime: one failed run named two ways', () => {
  const S1 = NOW - 60 * MIN;
  const E1 = NOW - 30 * MIN;

  it('the same failed run, answered once with startTime and once without, is one failure', () => {
    // Every field but jobName, instanceId and status is optional (reference sheet).
    const full = run({ startTime: S1, endTime: E1 });
    const bare = run({ endTime: E1 });
    const answered = (i: Instance) => ({
      failureAt: failureTime(i) ?? 0,
      ...(i.startTime === undefined ? {} : { failureStart: i.startTime }),
      ...(i.endTime === undefined ? {} : { failureEnd: i.endTime }),
    });
    expect(isNewerFailure(bare, answered(full))).toBe(false);
    expect(isNewerFailure(full, answered(bare))).toBe(false);
    expect(isSameFailure(bare, answered(full))).toBe(true);
    expect(isSameFailure(full, answered(bare))).toBe(true);
  });

  it('a later answer of the same failure that lacks startTime gets no second rerun (restart lag, zero backoff)', async () => {
    const ledger = new MemoryLedger();
    // Sweep 1: the failure, with startTime; the restart is accepted (DataArts applies it after a lag).
    expect(await sweepOnce(ledger, run({ startTime: S1, endTime: E1 }), NOW, 'restarted')).toBe(true);
    // Sweep 2, 30 s later, within the restart lag: the SAME failed run, this answer without startTime.
    const second = await sweepOnce(ledger, run({ endTime: E1 }), NOW + 30_000, 'restarted');
    expect(second).toBe(false); // fails: the same failure is rerun a second time
  });

  it('an unknown outcome blocks the same failure while its lease runs, also when startTime drops out', async () => {
    const ledger = new MemoryLedger();
    // 502 after DataArts acted: unconfirmed, lease 190 s.
    expect(await sweepOnce(ledger, run({ startTime: S1, endTime: E1 }), NOW, 'unconfirmed')).toBe(true);
    // 10 s later, lease still running, same failed run without startTime.
    expect(await sweepOnce(ledger, run({ endTime: E1 }), NOW + 10_000, 'unconfirmed')).toBe(false);
    // After the lease, the very same failure still shows (the rerun never started): claimed again, once.
    expect(await sweepOnce(ledger, run({ endTime: E1 }), NOW + 200_000, 'restarted')).toBe(true);
    expect(await sweepOnce(ledger, run({ startTime: S1, endTime: E1 }), NOW + 400_000, 'restarted')).toBe(
      false,
    );
  });
});

describe('failureTime: a new failure must not be refused forever', () => {
  it('a rerun that fails again later is a new failure even if the answer keeps the instance startTime', async () => {
    // Nothing in the reference says a rerun moves the instance's startTime (e.g. a rerun from
    // the failed node, retry_location error_node); the end time of a rerun always moves.
    const S1 = NOW - 60 * MIN;
    const ledger = new MemoryLedger();
    expect(
      await sweepOnce(ledger, run({ startTime: S1, endTime: NOW - 30 * MIN }), NOW - 20 * MIN, 'restarted'),
    ).toBe(true);
    // The rerun ran and failed again, ending 5 minutes ago; startTime still S1.
    const again = run({ startTime: S1, endTime: NOW - 5 * MIN });
    const entry = [...(await ledger.read([key])).values()][0];
    const decision = decide(again, entry, rule, NOW, context);
    expect(decision).toMatchObject({ action: 'restart', attempt: 2 }); // fails: 'already-attempted', forever
  });
});
