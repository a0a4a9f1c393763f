import { byRestartPriority, type Candidate } from '../policy/guards';

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
  if (cap <= 0) return shares;
  const slots: Array<{ round: number; target: number; candidate: Candidate }> = [];
  wanted.forEach((list, target) => {
    // No target can take more than the whole cap: the rest of its list cannot matter.
    list.slice(0, cap).forEach((candidate, round) => {
      slots.push({ round, target, candidate });
    });
  });
  slots.sort(
    (a, b) => a.round - b.round || byRestartPriority(a.candidate, b.candidate) || a.target - b.target,
  );
  for (const slot of slots.slice(0, cap)) shares[slot.target] = (shares[slot.target] ?? 0) + 1;
  return shares;
}

/**
 * Hands out the fair shares once every target has said what it wants (or ended
 * without wanting anything). Targets list and plan at their own pace; each waits here
 * only between planning and its first claim, so no claim is made before the split
 * is known.
 */
export class ShareCoordinator {
  private readonly wanted: Array<readonly Candidate[] | undefined>;
  private waiting: number;
  private readonly shares: Promise<number[]>;
  private settle!: (shares: number[]) => void;

  constructor(
    targets: number,
    private readonly cap: number,
  ) {
    this.wanted = new Array(targets).fill(undefined);
    this.waiting = targets;
    this.shares = new Promise((resolve) => {
      this.settle = resolve;
    });
    if (targets === 0) this.settle([]);
  }

  /** Target `index` wants these restarts: resolves with how many it may claim. */
  async request(index: number, wanted: readonly Candidate[]): Promise<number> {
    this.say(index, wanted);
    return (await this.shares)[index] ?? 0;
  }

  /** Target `index` ended without asking (its listing or ledger failed): it wants nothing. */
  withdraw(index: number): void {
    this.say(index, []);
  }

  private say(index: number, wanted: readonly Candidate[]): void {
    if (this.wanted[index] !== undefined) return;
    this.wanted[index] = wanted;
    this.waiting--;
    if (this.waiting === 0) this.settle(fairShares(this.wanted as Array<readonly Candidate[]>, this.cap));
  }
}
