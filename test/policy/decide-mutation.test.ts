import { parseConfig } from '../../lib/config/parse';
import type { Instance } from '../../lib/dataarts/instance';
import type { LedgerEntry } from '../../lib/ledger/ledger';
import { decide } from '../../lib/policy/decide';

/**
 * What a restart of the very same failure names (after an unknown outcome whose lease
 * ended): the fields either answer showed of that run, and no field that neither showed.
 * The claim records exactly these, for the next comparison (lib/policy/failure-identity.ts).
 */

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const S = NOW - 50 * MIN;
const E = NOW - 30 * MIN;
const { policy } = parseConfig({
  targets: [{ name: 't', endpoint: 'https://x', projectId: 'p' }],
  ledger: { type: 'file', path: 'l.json' },
});

const instance = (times: Pick<Instance, 'startTime' | 'endTime'>): Instance => ({
  jobName: 'ods_orders',
  instanceId: '1',
  status: 'fail',
  instanceType: 0,
  ...times,
});
/** Attempt 1 ended unknown, its lease over: the very same failure still showing is rerun. */
const unknownAttempt = (
  recorded: Pick<LedgerEntry, 'failureAt' | 'failureStart' | 'failureEnd'>,
): LedgerEntry => ({
  target: 't',
  workspace: 'default',
  jobName: 'ods_orders',
  instanceId: '1',
  attempts: 1,
  lastAttemptAt: NOW - 40 * MIN,
  notBefore: NOW - MIN,
  outcomes: {},
  expiresAt: 0,
  lastOutcome: 'unconfirmed',
  leaseUntil: NOW - MIN,
  claimId: 'c',
  ...recorded,
});
const run = (i: Instance, e: LedgerEntry) => decide(i, e, policy.defaults, NOW, { policy });
const restartOf = (fields: Record<string, number>) => ({
  action: 'restart',
  attempt: 2,
  maxAttempts: 3,
  rule: 'default',
  failureAt: S,
  ...fields,
});

describe('decide: restarting the very same failure after an unknown outcome', () => {
  it('adds the end the answer shows now to the start recorded before', () => {
    const decision = run(
      instance({ startTime: S, endTime: E }),
      unknownAttempt({ failureAt: S, failureStart: S }),
    );
    expect(decision).toStrictEqual(restartOf({ failureStart: S, failureEnd: E }));
  });

  it('adds the start the answer shows now to the end recorded before', () => {
    const decision = run(
      instance({ startTime: S, endTime: E }),
      unknownAttempt({ failureAt: S, failureEnd: E }),
    );
    expect(decision).toStrictEqual(restartOf({ failureStart: S, failureEnd: E }));
  });

  it('keeps a recorded field the answer no longer shows', () => {
    expect(
      run(instance({ endTime: E }), unknownAttempt({ failureAt: S, failureStart: S, failureEnd: E })),
    ).toStrictEqual(restartOf({ failureStart: S, failureEnd: E }));
    expect(
      run(instance({ startTime: S }), unknownAttempt({ failureAt: S, failureStart: S, failureEnd: E })),
    ).toStrictEqual(restartOf({ failureStart: S, failureEnd: E }));
  });

  it('names no start when neither side knows one, and no end when neither side knows one', () => {
    const noStart = run(instance({ endTime: E }), unknownAttempt({ failureAt: S, failureEnd: E }));
    expect(noStart).toStrictEqual(restartOf({ failureEnd: E }));
    expect(Object.keys(noStart)).not.toContain('failureStart');
    const noEnd = run(instance({ startTime: S }), unknownAttempt({ failureAt: S, failureStart: S }));
    expect(noEnd).toStrictEqual(restartOf({ failureStart: S }));
    expect(Object.keys(noEnd)).not.toContain('failureEnd');
  });
});
