import type { AttemptRecord, InstanceKey, LedgerEntry } from './ledger';

/**
 * What operators do with the ledger by hand: read an instance's past attempts and give
 * an instance (or a job) its retry budget back. Kept apart from `Ledger`, which is what
 * a sweep needs: the Lambda never resets, and its IAM role has no Scan.
 */

/** Which entries: every given field must match (at least one is given). */
export interface EntrySelector {
  target?: string;
  jobName?: string;
  instanceId?: string;
}

/** One reset, as kept in the entry (and shown by `history`). */
export interface ResetRecord {
  /** This tool's clock, epoch ms. */
  at: number;
  /** Who asked, e.g. `alice@ops-host`. */
  by: string;
  reason: string;
  /** Attempts counted before the reset. */
  attempts: number;
  /** Their outcomes, per attempt number, as they were before the reset cleared them. */
  outcomes: Record<string, AttemptRecord>;
}

/** A ledger entry with the resets it went through. */
export interface HistoryEntry extends LedgerEntry {
  resets?: ResetRecord[];
}

/** Who asks for a reset and why, kept as is in its ResetRecord; `now` becomes its `at`. */
export interface ResetRequest extends Pick<ResetRecord, 'by' | 'reason'> {
  now: number;
}

/** Why a reset was refused, or `reset` with the entry as written. */
export type ResetResult =
  | { status: 'reset'; entry: HistoryEntry }
  | { status: 'refused'; reason: string; entry?: HistoryEntry };

export interface LedgerHistory {
  /** Entries matching the selector (consistent reads), in no particular order. */
  history(selector: EntrySelector): Promise<HistoryEntry[]>;
  /**
   * Clears the entry's counted attempts (archived in `resets`), never while an attempt
   * is in flight or its lease runs: that attempt may still be acting.
   */
  reset(key: InstanceKey, request: ResetRequest): Promise<ResetResult>;
}
