import type { ClaimRequest } from '../../lib/ledger/ledger';

/** 2026-11-24T08:00:00Z: the fixed "now" of the ledger tests (as T0 in targets.ts). */
export const LEDGER_NOW = Date.UTC(2026, 10, 24, 8, 0, 0);

/**
 * A claim of a first attempt (of three) at `now`: due now, kept a day, claim id `c1`,
 * leased for 190 s, answering a failure DataArts reported a minute before.
 */
export function claimRequest(now: number, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    expectedAttempts: 0,
    maxAttempts: 3,
    now,
    notBefore: now,
    expiresAt: now + 86_400_000,
    claimId: 'c1',
    leaseUntil: now + 190_000,
    failureAt: now - 60_000,
    observedAt: now,
    ...overrides,
  };
}
