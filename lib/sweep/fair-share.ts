import { byRestartPriority, type Candidate } from '../policy/guards';
import type { Sleep } from '../util/time';

/**
 * Splits the sweep cap among targets round-robin by priority: every target with
 * eligible work gets its first restart before any target gets a second, and within a
 * round the targets whose next restart has the higher priority (fewest attempts used,
 * then the oldest failure) go first. A target that wants fewer than its round-robin
 * share leaves the rest to the others. `wanted[t]` lists target t's restarts in its
 * own priority order. Returns how many restarts each target may claim.
 *
 * Ranking by the oldest failure (not by the order of the configuration) is what keeps
 * it fair across sweeps with no state: a target cut short this sweep has the older
 * failures in the next one, so it goes first there.
 */
export function fairShares(wanted: ReadonlyArray<readonly Candidate[]>, cap: number): number[] {
  const shares = wanted.map(() => 0);
  // Stryker disable next-line EqualityOperator: equivalent, with a cap of 0 `slice(0, 0)` takes no slot and every share stays 0.
  if (cap <= 0) return shares;
  const slots: Array<{ round: number; target: number; candidate: Candidate }> = [];
  wanted.forEach((list, target) => {
    // No target can take more than the whole cap: the rest of its list cannot matter.
    // Stryker disable next-line MethodExpression: equivalent, a speed-up only; the target's own first `cap` slots sort before its later ones, so the later ones never make the cut below.
    list.slice(0, cap).forEach((candidate, round) => {
      slots.push({ round, target, candidate });
    });
  });
  slots.sort(
    // Stryker disable next-line ArithmeticOperator: equivalent, slots are pushed in target order and sort is stable, so `+` (never negative) keeps that order too; the term states the order instead of relying on it.
    (a, b) => a.round - b.round || byRestartPriority(a.candidate, b.candidate) || a.target - b.target,
  );
  for (const slot of slots.slice(0, cap)) shares[slot.target] = (shares[slot.target] ?? 0) + 1;
  return shares;
}

/** The longest a planned target waits for the others' plans, whatever the deadline. */
export const MAX_SHARE_WAIT_MS = 30_000;
/** The part of the time left before the deadline that the wait for plans may use. */
export const SHARE_WAIT_FRACTION = 0.2;

/**
 * How long the first planned target waits for the others' plans: a fifth of the time
 * left before the deadline, at most 30 s (30 s with no deadline). A fifth leaves most
 * of the time for the restarts themselves (each must fit before the deadline); 30 s is
 * far beyond a healthy listing, so only a target that is already in trouble is left
 * out, and it still gets what remains of the cap.
 */
export function shareWaitMs(deadline: number, now: number): number {
  // No deadline (Infinity): a fifth of it is Infinity too, so 30 s.
  return Math.max(0, Math.min(SHARE_WAIT_FRACTION * (deadline - now), MAX_SHARE_WAIT_MS));
}

export interface ShareCutoff {
  /** How long to wait for every plan, counted from the first target that plans. */
  waitMs: () => number;
  /** Waits `ms` (rejects when `signal` fires): the sweep's timer. */
  sleep: Sleep;
  /** The sweep's signal: once it fires, nobody waits for plans any more. */
  signal?: AbortSignal;
}

/**
 * Hands out the fair shares once every target has said what it wants (or ended
 * without wanting anything), or once the cutoff has passed, whichever comes first.
 * Targets list and plan at their own pace; each waits here only between planning and
 * its first claim, so no claim is made before the split is known.
 *
 * At the cutoff the targets that have planned split the cap among themselves; a
 * target that plans later gets at most what is left of the cap after every share
 * handed out so far. Shares never add up to more than the cap, and the cap is still
 * charged at each claim.
 */
export class ShareCoordinator {
  private readonly wanted: Array<readonly Candidate[] | undefined>;
  private waiting: number;
  private shares: number[] | undefined;
  private given = 0;
  private readonly decided: Promise<void>;
  private settle!: () => void;
  private timing = false;
  private readonly stopTimer = new AbortController();

  /** `targets` is at least 1 (the configuration wants one); with none, nobody asks. */
  constructor(
    targets: number,
    private readonly cap: number,
    private readonly cutoff?: ShareCutoff,
  ) {
    // Stryker disable next-line ArrayDeclaration: equivalent, an unset index reads as undefined either way; the length states how many answers are awaited.
    this.wanted = new Array(targets).fill(undefined);
    this.waiting = targets;
    this.decided = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  /** Target `index` wants these restarts: resolves with how many it may claim. */
  async request(index: number, wanted: readonly Candidate[]): Promise<number> {
    this.say(index, wanted);
    this.startCutoff();
    await this.decided;
    return this.shares?.[index] ?? 0;
  }

  /** Target `index` ended without asking (its listing or ledger failed): it wants nothing. */
  withdraw(index: number): void {
    this.say(index, []);
  }

  private say(index: number, wanted: readonly Candidate[]): void {
    if (this.wanted[index] !== undefined) return;
    this.wanted[index] = wanted;
    this.waiting--;
    if (this.shares) {
      // Late: only what the shares handed out so far have left of the cap.
      const share = Math.max(0, Math.min(wanted.length, this.cap - this.given));
      this.shares[index] = share;
      this.given += share;
    } else if (this.waiting === 0) this.decide();
  }

  /** The wait for the others starts with the first plan in. */
  private startCutoff(): void {
    if (!this.cutoff || this.timing || this.shares) return;
    this.timing = true;
    const { waitMs, sleep, signal } = this.cutoff;
    if (signal?.aborted) {
      this.decide();
      return;
    }
    const decide = () => this.decide();
    signal?.addEventListener('abort', decide);
    // Decided, by whichever came first: the sweep's signal, which lives on, keeps nothing of ours.
    this.stopTimer.signal.addEventListener('abort', () => signal?.removeEventListener('abort', decide));
    // Rejects when the shares are decided first (or the sweep is aborted): nothing to do then.
    sleep(waitMs(), this.stopTimer.signal).then(decide, decide);
  }

  private decide(): void {
    // Once only: the timer's rejection calls again after a late target may have been given its part.
    if (this.shares) return;
    this.shares = fairShares(
      this.wanted.map((w) => w ?? []),
      this.cap,
    );
    this.given = this.shares.reduce((a, b) => a + b, 0);
    this.stopTimer.abort();
    this.settle();
  }
}
