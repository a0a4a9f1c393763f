import type { InstanceKey, LedgerEntry } from './ledger';

/**
 * What became of a rerun, as a later sweep sees it: the instance then succeeded
 * (`recovered`) or failed again. Recorded once per attempt, by a conditional write no
 * second sweep can repeat, beside the attempt's own record (`outcomes[n].recovery`).
 * Additive: it never changes an attempt's count, outcome, claim or lease.
 */
export type RecoveryVerdict = 'recovered' | 'failed-again';

/** How a job's reruns fared over the ledger's retention. */
export interface JobRecovery {
  recovered: number;
  failedAgain: number;
}

export interface LedgerRecovery {
  /**
   * Entries of the target whose last attempt was `restarted` and has no verdict yet.
   * (DynamoDB: the sparse `leases` index, under `awaitingKey(target)`.)
   */
  awaitingVerdict(target: string): Promise<LedgerEntry[]>;
  /**
   * Records the verdict on attempt `attempt`: only while it is the entry's last attempt,
   * was `restarted` and has no verdict. True only for the first caller. Also counts it
   * for the job (kept until `expiresAt`, epoch ms).
   */
  markRecovery(
    key: InstanceKey,
    attempt: number,
    verdict: RecoveryVerdict,
    now: number,
    expiresAt: number,
  ): Promise<boolean>;
  /** The reruns' verdicts per job, for these jobs of the target. */
  jobRecovery(target: string, jobNames: readonly string[]): Promise<Map<string, JobRecovery>>;
}

/** The `leases` index partition of a target's reruns awaiting a verdict: never a target's own name. */
export function awaitingKey(target: string): string {
  return `awaiting-verdict#${target}`;
}
