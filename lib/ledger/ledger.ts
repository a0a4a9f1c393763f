/**
 * The durable retry budget, and the owner of every attempt's state. One entry per
 * target + workspace + job + instance.
 *
 * An attempt is a leased state machine:
 *
 *   (none) --claim--> in-flight --owner--> restarted | rejected | not-found | unconfirmed | released
 *                         \--lease expires, found by a later sweep--> unconfirmed (INTERRUPTED)
 *
 * A claim is one conditional write that names the failure it answers (`failureAt`,
 * DataArts' own time of that failure) and carries a random `claimId` and a lease.
 * Only the claim's owner moves it on, by writes conditioned on that claimId. The
 * claim is refused unless it answers a failure newer than the previous attempt's, so
 * two sweeps (or one sweep's stale listing) can never rerun one failure twice.
 */

import type { LedgerHistory } from './ledger-history';
import type { LedgerIncidents } from './ledger-incidents';
import type { LedgerRecovery } from './ledger-recovery';

export interface InstanceKey {
  target: string;
  workspace: string;
  jobName: string;
  instanceId: string;
}

export type AttemptOutcome =
  | 'in-flight'
  | 'restarted'
  | 'rejected'
  | 'not-found'
  | 'unconfirmed'
  | 'released';

/** Outcomes after which the same failure may be claimed again once the lease is over. */
export const UNKNOWN_OUTCOMES: ReadonlySet<AttemptOutcome> = new Set(['in-flight', 'unconfirmed']);

export interface AttemptRecord {
  at: number;
  outcome: AttemptOutcome;
  code?: string;
  /** What became of a `restarted` attempt's rerun, recorded once by a later sweep (lib/ledger/ledger-recovery.ts). */
  recovery?: 'recovered' | 'failed-again';
  /** When that verdict was recorded (this tool's clock). */
  judgedAt?: number;
}

export interface LedgerEntry extends InstanceKey {
  /** Attempts counted (claimed and not released). */
  attempts: number;
  /** When the last attempt was claimed (this tool's clock). */
  lastAttemptAt?: number;
  /** No new attempt before this time (last attempt + jittered backoff). */
  notBefore?: number;
  lastOutcome?: AttemptOutcome;
  /** The last attempt's claim token: only its owner may record its outcome. */
  claimId?: string;
  /** Until then the last attempt belongs to the sweep that claimed it. */
  leaseUntil?: number;
  /** The failure (DataArts' time of it) the last counted attempt answered. */
  failureAt?: number;
  /**
   * That failure's `startTime` and `endTime` as DataArts answered them (each optional):
   * how a failure is told from another, field by field (lib/policy/failure-identity.ts).
   * Absent after a release: then `failureAt` alone names the failure.
   */
  failureStart?: number;
  failureEnd?: number;
  /** The failure the attempt before it answered: restored when the last attempt is released. */
  previousFailureAt?: number;
  /** Outcome per attempt number ("1", "2", ...). */
  outcomes: Record<string, AttemptRecord>;
  /** Set once, by the sweep that reported the budget as exhausted. */
  exhaustedReportedAt?: number;

  /** Epoch seconds; DynamoDB TTL removes the entry after it. */
  expiresAt: number;
}

export interface ClaimRequest {
  /** The attempt count the decision was based on; the claim fails if it changed. */
  expectedAttempts: number;
  maxAttempts: number;
  now: number;
  /** Earliest time of the attempt after this one. */
  notBefore: number;
  /** Epoch ms after which the entry may be deleted. */
  expiresAt: number;
  /** A fresh random token; the owner's later writes are conditioned on it. */
  claimId: string;
  /** Until then nobody else may decide what this attempt did. */
  leaseUntil: number;
  /** The failure this attempt answers: a time (`namesFailure`) newer than the previous attempt's. */
  failureAt: number;
  /** That failure's `startTime` and `endTime` as answered, recorded on the entry (absent ones removed). */
  failureStart?: number;
  failureEnd?: number;
  /**
   * When the listing that showed this failure began. The same failure may be claimed
   * again only if the previous attempt's lease had ended by then: a listing taken
   * while that attempt could still act proves nothing about what it did.
   */
  observedAt: number;
}

/** What the owner of an attempt writes when it knows what its request did. */
export interface Settlement extends AttemptRecord {
  attempt: number;
  claimId: string;
}

export interface Ledger {
  /** Retries the ledger's client made (DynamoDB throttling), for the report. */
  readonly stats?: { retries: number };
  /**
   * What became of reruns (lib/ledger/ledger-recovery.ts). Every ledger of this project
   * has it; a ledger without it sweeps without recovery tracking.
   */
  readonly recovery?: LedgerRecovery | undefined;
  /**
   * What operators do by hand: history and reset (lib/ledger/ledger-history.ts). The
   * command line needs it; a sweep never uses it.
   */
  readonly operator?: LedgerHistory | undefined;
  /**
   * Each target's incident board (lib/ledger/ledger-incidents.ts). Every ledger of this
   * project has it; a ledger without it sweeps without incidents (the storm guard alone).
   */
  readonly incidents?: LedgerIncidents | undefined;
  /** Current entries for these keys (consistent reads), by `keyString`. */
  read(keys: readonly InstanceKey[]): Promise<Map<string, LedgerEntry>>;
  /** Entries of this target whose last attempt is still `in-flight` (live or expired lease). */
  inFlight(target: string): Promise<LedgerEntry[]>;
  /**
   * The keys of this target's entries with an attempt counted, the last one claimed at
   * or after `since`: every entry that can matter to a window's failures, without
   * reading the entry of every listed failure (a sparse index in DynamoDB, eventually
   * consistent: the sweep reads the entries again, consistently). Undefined when the
   * ledger has no such index (a table created before it): then every key is read.
   */
  attemptedKeys(target: string, since: number): Promise<InstanceKey[] | undefined>;
  /** Counts attempt `expectedAttempts + 1` as in flight. False when the rules or another sweep refuse it. */
  claim(key: InstanceKey, request: ClaimRequest): Promise<boolean>;
  /**
   * The owner records what its attempt did. True when the attempt was still the
   * entry's current one; false when a newer claim had moved the entry on (the
   * outcome is then kept in `outcomes` only, never over the newer attempt).
   */
  settle(key: InstanceKey, settlement: Settlement): Promise<boolean>;
  /**
   * Uncounts the owner's attempt: only for a request that certainly never reached
   * DataArts. The failure it answered may then be claimed again at once.
   */
  release(key: InstanceKey, attempt: number, claimId: string, now: number): Promise<boolean>;
  /** A later sweep marks an expired in-flight attempt as interrupted; true only for the first. */
  markInterrupted(key: InstanceKey, attempt: number, claimId: string, now: number): Promise<boolean>;
  /** Marks the budget as reported exhausted; true only for the first caller. */
  markExhausted(key: InstanceKey, now: number): Promise<boolean>;
  /** Restarts counted for the target in the clock hour of `now`. */
  hourlyCount(target: string, now: number): Promise<number>;
  /**
   * Takes up to `wanted` restarts from the target's allowance for the clock hour of
   * `now`, never past `cap`; returns how many it got. One write for a whole sweep.
   */
  reserveHourly(target: string, now: number, cap: number, wanted: number): Promise<number>;
  /** Gives back `count` reserved restarts that were not made. */
  releaseHourly(target: string, now: number, count: number): Promise<void>;
}

/**
 * Can a claim name this failure at all? A failure is named by DataArts' epoch-ms time
 * of it, and 0 is the ledger's "no failure answered yet" (what a first claim compares
 * with, and what a release restores): a time at or below it is not a failure time, and
 * could never be told from that baseline, so every ledger refuses it, first claim or not.
 */
export function namesFailure(failureAt: number): boolean {
  return failureAt > 0;
}

/** Code of the outcome a later sweep writes for an attempt whose sweep died. */
export const INTERRUPTED = 'INTERRUPTED';

/**
 * One string per instance. Each part is percent-encoded from its UTF-8 bytes, so the
 * separator never appears inside a part and any JavaScript string is a valid key: a
 * lone UTF-16 surrogate (which `encodeURIComponent` refuses) is written `%uXXXX`,
 * a form the UTF-8 encoding never produces.
 */
export function keyString(key: InstanceKey): string {
  return [key.target, key.workspace, key.jobName, key.instanceId].map(encodePart).join('#');
}

function encodePart(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // Only a lone surrogate makes encodeURIComponent throw: escape those one by one.
    // Stryker disable next-line Regex: dropping `+` is equivalent (per-character encodeURIComponent concatenates to the same); other Regex mutants here are killed in ledger-parts-mutation.test.ts
    return text.replace(/[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]|[^\ud800-\udfff]+/g, (part) =>
      part.length === 1 && /[\ud800-\udfff]/.test(part)
        ? `%u${part.charCodeAt(0).toString(16).toUpperCase()}`
        : encodeURIComponent(part),
    );
  }
}

/** The clock hour of `now`, e.g. `2026-11-24T08`. Hourly caps count per clock hour. */
export function hourBucket(now: number): string {
  return new Date(now).toISOString().slice(0, 13);
}
