import type { ClaimRequest, InstanceKey, Ledger, LedgerEntry, Settlement } from '../../lib/ledger/ledger';
import type {
  EntrySelector,
  HistoryEntry,
  LedgerHistory,
  ResetRequest,
  ResetResult,
} from '../../lib/ledger/ledger-history';
import type { IncidentBoard, LedgerIncidents } from '../../lib/ledger/ledger-incidents';
import type { JobRecovery, LedgerRecovery, RecoveryVerdict } from '../../lib/ledger/ledger-recovery';
import {
  applyClaim,
  applyMarkExhausted,
  applyMarkInterrupted,
  applyMarkRecovery,
  applyRelease,
  applyReleaseHourly,
  applyReserveHourly,
  applyReset,
  applySettle,
  applyWriteBoard,
  attemptedKeys,
  awaitingEntries,
  boardOf,
  emptyState,
  historyEntries,
  hourlyUsed,
  inFlightEntries,
  jobRecoveryCounts,
  readEntries,
} from '../../lib/ledger/ledger-state';

/**
 * An in-process ledger for the property-based suite, where a thousand scenarios must
 * run in seconds: the file ledger's rules (lib/ledger/ledger-state.ts) without the
 * file. It passes the same contract suite as the DynamoDB and file ledgers, and the
 * property suite also runs a share of its scenarios against dynalite. Each operation
 * yields once, so concurrent sweeps interleave as they would against a server.
 */
export class MemoryLedger implements Ledger, LedgerHistory, LedgerRecovery, LedgerIncidents {
  private readonly state = emptyState();
  /** Its own methods; a subclass may set them undefined to play a ledger without them. */
  readonly recovery: LedgerRecovery | undefined = this;
  readonly operator: LedgerHistory | undefined = this;
  readonly incidents: LedgerIncidents | undefined = this;

  async board(target: string): Promise<IncidentBoard> {
    await tick();
    return boardOf(this.state, target);
  }

  async writeBoard(board: IncidentBoard, expiresAt: number): Promise<boolean> {
    await tick();
    return applyWriteBoard(this.state, board, expiresAt);
  }

  async read(keys: readonly InstanceKey[]): Promise<Map<string, LedgerEntry>> {
    await tick();
    return readEntries(this.state, keys);
  }

  async inFlight(target: string): Promise<LedgerEntry[]> {
    await tick();
    return inFlightEntries(this.state, target);
  }

  /** Undefined never here; a subclass may play a ledger without the index. */
  async attemptedKeys(target: string, since: number): Promise<InstanceKey[] | undefined> {
    await tick();
    return attemptedKeys(this.state, target, since);
  }

  async claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
    await tick();
    return applyClaim(this.state, key, request);
  }

  async settle(key: InstanceKey, settlement: Settlement): Promise<boolean> {
    await tick();
    return applySettle(this.state, key, settlement);
  }

  async release(key: InstanceKey, attempt: number, claimId: string, now: number): Promise<boolean> {
    await tick();
    return applyRelease(this.state, { key, attempt, claimId, now });
  }

  async markInterrupted(key: InstanceKey, attempt: number, claimId: string, now: number): Promise<boolean> {
    await tick();
    return applyMarkInterrupted(this.state, { key, attempt, claimId, now });
  }

  async markExhausted(key: InstanceKey, now: number): Promise<boolean> {
    await tick();
    return applyMarkExhausted(this.state, key, now);
  }

  async awaitingVerdict(target: string): Promise<LedgerEntry[]> {
    await tick();
    return awaitingEntries(this.state, target);
  }

  async markRecovery(
    key: InstanceKey,
    attempt: number,
    verdict: RecoveryVerdict,
    now: number,
  ): Promise<boolean> {
    await tick();
    return applyMarkRecovery(this.state, key, attempt, verdict, now);
  }

  async jobRecovery(target: string, jobNames: readonly string[]): Promise<Map<string, JobRecovery>> {
    await tick();
    return jobRecoveryCounts(this.state, target, jobNames);
  }

  async hourlyCount(target: string, now: number): Promise<number> {
    await tick();
    return hourlyUsed(this.state, target, now);
  }

  async reserveHourly(target: string, now: number, cap: number, wanted: number): Promise<number> {
    await tick();
    return applyReserveHourly(this.state, target, now, cap, wanted);
  }

  async history(selector: EntrySelector): Promise<HistoryEntry[]> {
    await tick();
    return historyEntries(this.state, selector);
  }

  async reset(key: InstanceKey, request: ResetRequest): Promise<ResetResult> {
    await tick();
    return applyReset(this.state, key, request);
  }

  async releaseHourly(target: string, now: number, count: number): Promise<void> {
    await tick();
    applyReleaseHourly(this.state, target, now, count);
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
