/**
 * The durable retry budget. One entry per target + workspace + job + instance.
 * Every restart is preceded by a `claim`, a compare-and-set on the attempt counter,
 * so two sweeps at once can never both restart one instance nor exceed its budget.
 */

export interface InstanceKey {
  target: string;
  workspace: string;
  jobName: string;
  instanceId: string;
}

export type AttemptOutcome = 'claimed' | 'restarted' | 'rejected' | 'not-found' | 'unconfirmed' | 'released';

export interface AttemptRecord {
  at: number;
  outcome: AttemptOutcome;
  code?: string;
}

export interface LedgerEntry extends InstanceKey {
  /** Attempts counted (claimed and not released). */
  attempts: number;
  lastAttemptAt?: number;
  /** No new attempt before this time (last attempt + jittered backoff). */
  notBefore?: number;
  lastOutcome?: AttemptOutcome;
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
}

export interface Ledger {
  /** Retries the ledger's client made (DynamoDB throttling), for the report. */
  readonly stats?: { retries: number };
  /** Current entries for these keys (consistent reads), by `keyString`. */
  read(keys: readonly InstanceKey[]): Promise<Map<string, LedgerEntry>>;
  /** Counts attempt `expectedAttempts + 1`. False when another sweep changed the entry first. */
  claim(key: InstanceKey, request: ClaimRequest): Promise<boolean>;
  /** Records what attempt `attempt` did. */
  record(key: InstanceKey, attempt: number, outcome: AttemptRecord): Promise<void>;
  /** Records the outcome only if attempt `attempt` is still just claimed; true if it did. */
  recordIfClaimed(key: InstanceKey, attempt: number, outcome: AttemptRecord): Promise<boolean>;
  /** Uncounts attempt `attempt`: only for a request that certainly never reached DataArts. */
  release(key: InstanceKey, attempt: number, now: number): Promise<void>;
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

export function keyString(key: InstanceKey): string {
  return [key.target, key.workspace, key.jobName, key.instanceId].map(encodeURIComponent).join('#');
}

/** The clock hour of `now`, e.g. `2026-11-24T08`. Hourly caps count per clock hour. */
export function hourBucket(now: number): string {
  return new Date(now).toISOString().slice(0, 13);
}
