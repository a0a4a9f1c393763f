import type { ClaimRequest, LedgerEntry } from '../../lib/ledger/ledger';
import { emptyState, mayClaim, pruneExpired, upgradeLegacy } from '../../lib/ledger/ledger-state';

/** The claim rule of the file and memory ledgers, as a table (the contract suites run it through each ledger). */
const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const FAILED = NOW - 1_800_000;

const request: ClaimRequest = {
  expectedAttempts: 1,
  maxAttempts: 3,
  now: NOW,
  notBefore: NOW + 600_000,
  expiresAt: NOW + 86_400_000,
  claimId: 'next',
  leaseUntil: NOW + 180_000,
  failureAt: FAILED,
  observedAt: NOW,
};
/** An entry; an override of `undefined` removes the field. */
type Fields = { [K in keyof LedgerEntry]?: LedgerEntry[K] | undefined };
const entry = (overrides: Fields): LedgerEntry => {
  const base: LedgerEntry = {
    target: 't',
    workspace: 'w',
    jobName: 'j',
    instanceId: '1',
    attempts: 1,
    notBefore: NOW,
    lastOutcome: 'restarted',
    claimId: 'c',
    leaseUntil: NOW,
    failureAt: FAILED - 1,
    outcomes: {},
    expiresAt: 2e9,
  };
  const result: Record<string, unknown> = { ...base, ...overrides };
  for (const name of Object.keys(result)) if (result[name] === undefined) delete result[name];
  return result as unknown as LedgerEntry;
};

describe('mayClaim', () => {
  it.each<[string, LedgerEntry | undefined, Partial<ClaimRequest>, boolean]>([
    ['no entry, attempt 1', undefined, { expectedAttempts: 0 }, true],
    ['no entry, but the decision saw an attempt', undefined, {}, false],
    ['a newer failure', entry({}), {}, true],
    ['the count changed', entry({ attempts: 2 }), {}, false],
    ['the count went down (a release)', entry({ attempts: 0 }), {}, false],
    ['the budget is used', entry({}), { maxAttempts: 1 }, false],
    ['one attempt left', entry({}), { maxAttempts: 2 }, true],
    ['notBefore not reached', entry({ notBefore: NOW + 1 }), {}, false],
    ['notBefore reached', entry({ notBefore: NOW }), {}, true],
    ['no notBefore', entry({ notBefore: undefined }), {}, true],
    ['no failure recorded', entry({ failureAt: undefined }), {}, true],
    ['the same failure after a known outcome', entry({ failureAt: FAILED }), {}, false],
    ['an older failure', entry({ failureAt: FAILED + 1, lastOutcome: 'unconfirmed' }), {}, false],
    [
      'the same failure, unconfirmed, lease over',
      entry({ failureAt: FAILED, lastOutcome: 'unconfirmed' }),
      {},
      true,
    ],
    [
      'the same failure, in flight, lease over',
      entry({ failureAt: FAILED, lastOutcome: 'in-flight' }),
      {},
      true,
    ],
    [
      'the same failure, unconfirmed, lease over after the listing',
      entry({ failureAt: FAILED, lastOutcome: 'unconfirmed', leaseUntil: NOW + 1 }),
      {},
      false,
    ],
    [
      'the same failure, unconfirmed, no lease',
      entry({ failureAt: FAILED, lastOutcome: 'unconfirmed', leaseUntil: undefined }),
      {},
      true,
    ],
    ['the same failure, no outcome', entry({ failureAt: FAILED, lastOutcome: undefined }), {}, false],
    ['the same failure, released', entry({ failureAt: FAILED, lastOutcome: 'released' }), {}, false],
  ])('%s → %s', (_name, current, overrides, expected) => {
    expect(mayClaim(current, { ...request, ...overrides })).toBe(expected);
  });
});

describe('pruneExpired', () => {
  it('drops entries at their expiry and hourly counters two days after their hour; keeps what it cannot date', () => {
    const state = emptyState();
    state.instances.a = entry({ expiresAt: NOW / 1000 });
    state.instances.b = entry({ expiresAt: NOW / 1000 + 1 });
    state.hourly['t#2026-11-22T08'] = 1;
    state.hourly['t#2026-11-22T09'] = 2;
    state.hourly['t#not-an-hour'] = 3;
    state.hourly['a#b#2026-11-22T07'] = 4;
    pruneExpired(state, NOW);
    expect(Object.keys(state.instances)).toEqual(['b']);
    expect(state.hourly).toEqual({ 't#2026-11-22T09': 2, 't#not-an-hour': 3 });
  });
});

describe('upgradeLegacy', () => {
  it('reads `claimed` as in flight and leaves every other outcome', () => {
    expect(upgradeLegacy(entry({ lastOutcome: 'claimed' as never })).lastOutcome).toBe('in-flight');
    expect(upgradeLegacy(entry({ lastOutcome: 'unconfirmed' })).lastOutcome).toBe('unconfirmed');
  });
});
