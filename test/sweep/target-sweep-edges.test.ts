/**
 * What a target reports when the ledger cannot be read for its plan: every listed
 * instance is halted with the ledger's own message as its detail (what the operator
 * needs to act on), the target carries the error, and nothing is restarted. A target
 * whose listing failed suspects no storm; an attempt's worst case, which decides
 * whether it may start before the deadline, is every try at its timeout plus the
 * longest Retry-After between them.
 */

import * as v from 'valibot';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { ClientSchema } from '../../lib/config/schema/client';
import { LedgerSchema } from '../../lib/config/schema/ledger';
import { LedgerError } from '../../lib/errors';
import type { InstanceKey, LedgerEntry } from '../../lib/ledger/ledger';
import { attemptBudgetMs, attemptWorstCaseMs, leaseMs } from '../../lib/sweep/sweep';
import { MemoryLedger } from '../support/memory-ledger';
import { failedAgo, sweeper } from '../support/sweep-setup';
import { emulatorWithClock, PROJECT } from '../support/targets';

let emulator: Emulator;
let clock: ManualClock;
beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
});
afterEach(() => emulator.close());

/** A MemoryLedger whose reads of entries fail; everything else works. */
class UnreadableLedger extends MemoryLedger {
  override async read(_keys: readonly InstanceKey[]): Promise<Map<string, LedgerEntry>> {
    throw new LedgerError({ message: 'ledger read refused' });
  }
}

describe('a ledger that cannot be read for the plan', () => {
  it('halts every listed instance with the ledger’s message, reports the target, restarts nothing', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30), failedAgo(2, 31)]);
    const report = await sweeper(emulator, clock, new UnreadableLedger()).run();
    expect(report.targets[0]?.error).toEqual({ code: 'LEDGER_FAILED', message: 'ledger read refused' });
    expect(report.decisions.map((d) => [d.instanceId, d.outcome, d.detail]).sort()).toEqual([
      ['1', 'target-halted', 'ledger unreadable: ledger read refused'],
      ['2', 'target-halted', 'ledger unreadable: ledger read refused'],
    ]);
    expect(emulator.count('restart')).toBe(0);
  });
});

describe('a target whose listing failed', () => {
  it('suspects no storm', async () => {
    emulator.seed(PROJECT, undefined, [failedAgo(1, 30)]);
    emulator.inject({ route: 'list', kind: 500, times: 100 });
    const report = await sweeper(emulator, clock, new MemoryLedger()).run();
    expect(report.targets[0]?.error).toBeDefined();
    expect(report.targets[0]?.storm.suspected).toBe(false);
    expect(report.storm).toBe(false);
  });
});

describe('an attempt’s worst case', () => {
  it('is every try at its timeout plus the longest Retry-After between tries', () => {
    const client = v.parse(ClientSchema, { timeout: '5s', retries: 2, maxRetryAfter: '30s' });
    expect(attemptWorstCaseMs(client)).toBe(3 * 5_000 + 2 * 30_000);
    expect(attemptWorstCaseMs(v.parse(ClientSchema, { timeout: '5s', retries: 0 }))).toBe(5_000);
  });

  it('and a claim is leased for that worst case, the settle after it and the time DataArts takes to show a restart', () => {
    const client = v.parse(ClientSchema, {
      timeout: '5s',
      retries: 2,
      maxRetryAfter: '30s',
      restartLag: '90s',
    });
    const ledger = v.parse(LedgerSchema, { type: 'dynamodb', table: 'ledger', timeout: '7s' });
    expect(attemptBudgetMs({ client, ledger })).toBe(3 * 5_000 + 2 * 30_000 + 7_000);
    expect(leaseMs({ client, ledger })).toBe(3 * 5_000 + 2 * 30_000 + 7_000 + 90_000);
  });
});
